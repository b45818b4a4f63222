"""What `billing` adds to the customer pages, merging, the demo data and the benchmark
(see core/hooks.py)."""

from billing.history import ACTIONS
from billing.merging import block, fold
from billing.models import AccountHolder, Entry
from billing.profile_tabs import billing_context, partner_context, visible
from core import hooks
from customers.merging import MergeRule
from customers.tabs import Panel, Tab

hooks.register(
    "profile_tab",
    Tab(
        slug="billing",
        title="Billing",
        template="billing/tab.html",
        order=300,
        context=billing_context,
        is_visible=visible,
    ),
)
hooks.register(
    "summary_panel",
    Panel(
        slug="partner",
        title="Partner Account",
        template="billing/panel.html",
        order=40,
        context=partner_context,
        is_visible=visible,
    ),
)

hooks.register("merge_rule", MergeRule(AccountHolder, "customer", label="account", fold=fold, block=block))
hooks.register("merge_rule", MergeRule(Entry, "customer", label="ledger entries", keep=True))

hooks.register("demo_step", "billing.demo.make_accounts")
hooks.register("demo_scale_step", "billing.benchmarks.at_scale")
hooks.register("benchmark_pages", "billing.benchmarks.pages")
hooks.register("benchmark_actions", "billing.benchmarks.actions")

hooks.register("history_action", *ACTIONS)
