"""What `linking` adds to the customer pages, merging, the demo data and the benchmark
(see core/hooks.py)."""

from core import hooks
from core.menu import MenuItem
from customers.merging import MergeRule
from customers.tabs import Panel, Tab
from linking.features import account_linking_on
from linking.history import ACTIONS
from linking.merging import fold
from linking.models import AccessReview, Link
from linking.profile_tabs import linked_accounts_context, links_context, panel_visible, tab_visible
from linking.segment_rules import LINKED_CLIENTS

hooks.register(
    "summary_panel",
    Panel(
        slug="links",
        title="Linked Clients",
        template="linking/panel.html",
        order=20,
        context=links_context,
        is_visible=panel_visible,
    ),
)
hooks.register(
    "profile_tab",
    Tab(
        slug="linked-accounts",
        title="Linked Accounts",
        template="linking/linked_accounts.html",
        order=10,
        context=linked_accounts_context,
        is_visible=tab_visible,
    ),
)

hooks.register("merge_rule", MergeRule(Link, "agent", label="links", fold=fold))
# The other half of the same links: moved, not counted twice.
hooks.register("merge_rule", MergeRule(Link, "principal", label=""))
hooks.register("merge_rule", MergeRule(AccessReview, "customer", label="access reviews"))

hooks.register("client_group_rule", LINKED_CLIENTS)
hooks.register("demo_step", "linking.demo.make_links")
hooks.register("benchmark_pages", "linking.benchmarks.pages")

hooks.register(
    "menu_item",
    MenuItem(
        "Access Reviews",
        "linking:access_reviews",
        order=60,
        permission="linking.view_accessreview",
        is_on=account_linking_on,
    ),
)

hooks.register("history_action", *ACTIONS)
