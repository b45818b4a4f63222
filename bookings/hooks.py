"""What `bookings` adds to the customer pages, merging, the email log's copy rules, the
demo data and the benchmark (see core/hooks.py)."""

from bookings.features import bookings_on
from bookings.history import ACTIONS
from bookings.merging import block, fold
from bookings.models import Appointment, FormRequest, Package
from bookings.profile_tabs import bookings_context, forms_context, forms_visible, visible
from core import hooks
from core.menu import MenuItem
from customers.merging import MergeRule
from customers.tabs import Tab
from linking.authority import may_act_for
from linking.models import Permission
from mail.services import CopyRule

hooks.register(
    "profile_tab",
    Tab(
        slug="bookings",
        title="Bookings",
        template="bookings/tab.html",
        order=200,
        context=bookings_context,
        is_visible=visible,
    ),
)
hooks.register(
    "profile_tab",
    Tab(
        slug="forms",
        title="Forms",
        template="bookings/forms_tab.html",
        order=210,
        context=forms_context,
        is_visible=forms_visible,
    ),
)

hooks.register("merge_rule", MergeRule(Appointment, "attendee", label="appointments", block=block))
hooks.register(
    "merge_rule", MergeRule(Appointment, "booked_by", label="appointments booked for others", fold=fold)
)
# Packages, and forms about or filled in by the absorbed customer, are the survivor's now;
# sessions keep paying for the visits they paid for.
hooks.register("merge_rule", MergeRule(Package, "owner", label="packages"))
hooks.register("merge_rule", MergeRule(FormRequest, "subject", label="intake forms"))
hooks.register("merge_rule", MergeRule(FormRequest, "completed_by", label="intake forms they filled in"))

# Copies about appointments and forms follow the permission that earned them: one may go
# again (Send Again) only while the recipient still holds it.
hooks.register(
    "copy_rule",
    CopyRule("booking.", lambda recipient, about: may_act_for(recipient, about, Permission.RECEIVES_COPIES)),
)
hooks.register(
    "copy_rule",
    CopyRule("form.", lambda recipient, about: may_act_for(recipient, about, Permission.CAN_COMPLETE_FORMS)),
)

hooks.register("demo_step", "bookings.demo.make_bookings")
hooks.register("demo_step", "bookings.demo.make_packages_and_forms")
hooks.register("demo_scale_step", "bookings.benchmarks.at_scale")
hooks.register("benchmark_pages", "bookings.benchmarks.pages")

hooks.register(
    "menu_item",
    MenuItem("Day View", "bookings:day", order=40, permission="bookings.view_appointment", is_on=bookings_on),
)
hooks.register(
    "menu_item",
    MenuItem(
        "Intake Forms",
        "bookings:forms",
        order=50,
        permission="bookings.view_intakeform",
        is_on=bookings_on,
        current_views=frozenset({"bookings:forms", "bookings:form_edit", "bookings:form_create"}),
    ),
)

hooks.register("history_action", *ACTIONS)
