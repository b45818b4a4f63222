"""What client groups add to the customer pages (the Summary's Client Groups panel), the
customer list (filter, badges, bulk actions), merging, the demo data and the benchmark
(see core/hooks.py)."""

from client_groups import rules
from client_groups.features import client_groups_on
from client_groups.history import ACTIONS
from client_groups.merging import fold
from client_groups.models import SegmentMember
from client_groups.profile_tabs import decorate, list_context, narrow, panel_context, visible
from core import hooks
from core.menu import MenuItem
from customers.listing import ListAddon
from customers.merging import MergeRule
from customers.tabs import Panel

hooks.register(
    "summary_panel",
    Panel(
        slug="client-groups",
        title="Client Groups",
        template="client_groups/panel.html",
        order=30,
        context=panel_context,
        is_visible=visible,
    ),
)
hooks.register(
    "list_addon",
    ListAddon(
        slug="client-groups",
        is_visible=visible,
        narrow=narrow,
        decorate=decorate,
        filter_template="client_groups/_filter.html",
        context=list_context,
        column_title="Client groups",
        cell_template="client_groups/_badges.html",
        bulk_template="client_groups/_bulk_actions.html",
    ),
)

hooks.register(
    "merge_rule",
    MergeRule(SegmentMember, "customer", label="client group memberships", fold=fold),
)

hooks.register("client_group_rule", *rules.OWN_RULES)
hooks.register("demo_step", "client_groups.demo.make_segments")
hooks.register("demo_scale_step", "client_groups.benchmarks.at_scale")
hooks.register("benchmark_pages", "client_groups.benchmarks.pages")
hooks.register("benchmark_actions", "client_groups.benchmarks.actions")


def _on_a_client_group_page(match):
    """The list and a group's own pages, not a customer's panel or the list's Bulk Actions."""
    return (
        match.app_name == "client_groups" and not match.kwargs.get("customer_id") and match.url_name != "bulk"
    )


hooks.register(
    "menu_item",
    MenuItem(
        "Client Groups",
        "client_groups:list",
        order=30,
        permission="client_groups.view_segment",
        is_on=client_groups_on,
        is_current=_on_a_client_group_page,
    ),
)

hooks.register("history_action", *ACTIONS)
