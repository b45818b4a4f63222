"""What `customers` declares for itself: the Summary and History tabs, the merge rules of its
own relations and its demo data (see core/hooks.py)."""

from core import hooks
from core.menu import MenuItem
from customers import profile_tabs
from customers.history import ACTIONS
from customers.merging import MergeRule
from customers.models import Activity, Customer, Merge
from customers.tabs import Tab

hooks.register(
    "profile_tab",
    Tab(
        slug="summary",
        title="Summary",
        template="customers/tabs/summary.html",
        order=0,
        context=profile_tabs.summary_context,
    ),
)
hooks.register(
    "profile_tab",
    Tab(
        slug="history",
        title="History",
        template="customers/tabs/history.html",
        order=1000,
        context=profile_tabs.history_context,
    ),
)

hooks.register("merge_rule", MergeRule(Activity, "customer", label="history lines"))
# Tombstones merged into the absorbed customer now point straight at the survivor.
hooks.register("merge_rule", MergeRule(Customer, "merged_into", label="accounts merged into it before"))
hooks.register("merge_rule", MergeRule(Merge, "survivor", label="merge records", keep=True))
hooks.register("merge_rule", MergeRule(Merge, "absorbed", label="merge records", keep=True))

hooks.register("demo_step", "customers.demo.make_duplicates")

hooks.register(
    "menu_item",
    MenuItem(
        "Front desk",
        "customers:front_desk",
        order=10,
        permission="customers.view_customer",
        current_views=frozenset({"customers:front_desk", "customers:desk", "customers:desk_tab"}),
    ),
)
hooks.register(
    "menu_item", MenuItem("Customers", "customers:list", order=20, permission="customers.view_customer")
)
hooks.register(
    "menu_item",
    MenuItem("Possible Duplicates", "customers:duplicates", order=70, permission="customers.merge_customer"),
)

hooks.register("history_action", *ACTIONS)
