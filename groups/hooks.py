"""What `groups` adds to the customer pages, merging, the demo data and the benchmark, and
for now what client groups add too (see core/hooks.py)."""

from core import hooks
from customers.listing import ListAddon
from customers.merging import MergeRule
from customers.tabs import Panel
from groups.merging import block, fold, fold_client_groups
from groups.models import GroupMember, SegmentMember
from groups.profile_tabs import group_context, panel_visible
from groups.segments import rules
from groups.segments.screens import decorate, list_context, narrow, panel_context, visible

hooks.register(
    "summary_panel",
    Panel(
        slug="group",
        title="Group",
        template="groups/panel.html",
        order=10,
        context=group_context,
        is_visible=panel_visible,
    ),
)

hooks.register("merge_rule", MergeRule(GroupMember, "customer", label="group places", fold=fold, block=block))

hooks.register("demo_step", "groups.demo.make_groups")
hooks.register("benchmark_pages", "groups.benchmarks.pages")

# Client groups
hooks.register(
    "summary_panel",
    Panel(
        slug="client-groups",
        title="Client Groups",
        template="segments/panel.html",
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
        filter_template="segments/_filter.html",
        context=list_context,
        column_title="Client groups",
        cell_template="segments/_badges.html",
        bulk_template="segments/_bulk_actions.html",
    ),
)

hooks.register(
    "merge_rule",
    MergeRule(SegmentMember, "customer", label="client group memberships", fold=fold_client_groups),
)

for rule in rules.OWN_RULES:
    hooks.register("client_group_rule", rule)
hooks.register("demo_step", "groups.segments.demo.make_segments")
hooks.register("demo_scale_step", "groups.segments.bench.at_scale")
hooks.register("benchmark_pages", "groups.segments.bench.pages")
hooks.register("benchmark_actions", "groups.segments.bench.actions")
