from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.views.main import ORDER_VAR
from waffle.models import Flag, Sample, Switch

from core.admin import CappedCountPaginator, ReadOnlyAdmin
from customers import history
from customers.models import Activity, Customer, LoginAttempts
from customers.queries import rank_matches


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    """Customers, shown read-only to whoever may view them, superusers included.

    Every change to a customer goes through `customers.services` (the back office's Add and
    Edit forms): validation, the version check against a page opened before someone else's
    save, and a History line. An admin form would skip all three, and could reach a merged
    tombstone, which nothing may change. Refusing add and change here is the root fix:
    nobody is left for whom the admin's save would need guarding. Nor are customers deleted:
    they are archived or merged, and their history and money stay.
    """

    list_display = [
        "last_name",
        "first_name",
        "email",
        "phone",
        "date_of_birth",
        "archived_at",
        "merged_into",
    ]
    list_display_links = ["last_name", "first_name"]
    search_fields = ["search_text"]  # shows the search box; get_search_results does the work
    search_help_text = "Any part of the name, the email or the phone number."
    paginator = CappedCountPaginator
    show_full_result_count = False
    list_select_related = ["merged_into"]
    readonly_fields = [
        "phone_digits",
        "archived_at",
        "merged_into",
        "merged_at",
        "version",
        "created_at",
        "updated_at",
    ]
    ordering = ["last_name", "first_name", "id"]

    def get_search_results(self, request, queryset, search_term):
        """Search with the front desk's indexed search rather than the admin's ILIKE scans."""
        if not search_term.strip():
            return queryset, False
        ranked = rank_matches(queryset, search_term)
        if ORDER_VAR in request.GET:  # the user sorted by a column: keep their order
            return ranked.order_by(*queryset.query.order_by), False
        # Otherwise best match first, as at the front desk. Sorted by name instead,
        # PostgreSQL walks the name index through up to every row to find one page of
        # matches (2 s for "Smith" among a million customers).
        return ranked, False


class ActionFilter(admin.SimpleListFilter):
    """By action code, the choices from the apps' catalogue (customers/history.py): no
    SELECT DISTINCT over every line of history to list them."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(code, code) for code in sorted(history.actions())]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class AreaFilter(admin.SimpleListFilter):
    """As the History tab's filter: the actions of one area."""

    title = "area"
    parameter_name = "area"

    def lookups(self, request, model_admin):
        return history.Area.choices

    def queryset(self, request, queryset):
        area = history.area_of(self.value())
        return queryset.filter(kind__in=history.codes_in(area)) if area else queryset


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "customer", "action", "sentence", "actor"]
    list_filter = [AreaFilter, ActionFilter]
    list_select_related = ["customer", "actor"]
    raw_id_fields = ["customer", "actor"]
    readonly_fields = ["sentence"]
    paginator = CappedCountPaginator
    show_full_result_count = False

    @admin.display(description="action", ordering="kind")
    def action(self, line):
        return line.kind

    @admin.display(description="what happened")
    def sentence(self, line):
        return line.sentence


def _modern_waffle_admin(admin_class):
    """Waffle's admin class with Django 6.1's `get_actions` signature.

    django-waffle 5.0 overrides `get_actions(request)` to drop "delete selected"; Django 6.1
    deprecates that signature with a warning on every changelist (an error under our tests)
    and will stop calling it in Django 2028. Same behaviour, new signature.
    """

    class Admin(admin_class):
        def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
            actions = admin.ModelAdmin.get_actions(self, request, action_location=action_location)
            actions.pop("delete_selected", None)
            return actions

    Admin.__name__ = admin_class.__name__
    return Admin


# Superusers switch features on here (Django-Waffle › Switches).
for _model in (Switch, Flag, Sample):
    if admin.site.is_registered(_model):
        _waffle_admin = type(admin.site.get_model_admin(_model))
        admin.site.unregister(_model)
        admin.site.register(_model, _modern_waffle_admin(_waffle_admin))


@admin.register(LoginAttempts)
class LoginAttemptsAdmin(admin.ModelAdmin):
    """Failed-login counters (customers.throttle). A superuser lets a locked-out member of
    staff back in before the window ends by deleting the counter that holds them: keys read
    "user:<address> <username>" and "address:<address>"."""

    list_display = ["key", "count", "window_started_at"]
    search_fields = ["key"]
    ordering = ["-window_started_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
