"""What `groups` adds to the customer pages, merging, the demo data and the benchmark
(see core/hooks.py)."""

from core import hooks
from customers.merging import MergeRule
from customers.tabs import Panel
from groups.history import ACTIONS
from groups.merging import block, fold
from groups.models import GroupMember
from groups.profile_tabs import group_context, panel_visible

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

hooks.register("history_action", *ACTIONS)
