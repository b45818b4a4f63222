from django.contrib import admin

from bookings.models import FormRequest, IntakeForm, Package, Service
from customers.admin import ReadOnlyAdmin


class CountsSaves:
    """A change here counts as a save, as on the Managers' own pages: a page there opened
    before it is then refused, not saved over it. The count is read under the row's lock
    (the admin saves in a transaction), so it races no one."""

    def save_model(self, request, obj, form, change):
        if change:
            obj.version = (
                type(obj).objects.select_for_update().values_list("version", flat=True).get(pk=obj.pk) + 1
            )
        super().save_model(request, obj, form, change)


@admin.register(Service)
class ServiceAdmin(CountsSaves, admin.ModelAdmin):
    """Managers keep services on their own page (Services, from the Day View); superusers may
    here too. Retire one by unticking "offered"; one that was booked cannot be deleted."""

    list_display = ["name", "duration_minutes", "price", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.appointments.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Package)
class PackageAdmin(ReadOnlyAdmin):
    """Packages are sold at the desk (a charge to the house account) and used by visits; here
    superusers only look."""

    list_display = ["owner", "service", "sessions", "used", "price", "bought_at"]
    list_select_related = ["owner", "service"]
    raw_id_fields = ["owner", "charge"]


@admin.register(IntakeForm)
class IntakeFormAdmin(CountsSaves, admin.ModelAdmin):
    """Managers write forms on the Intake Forms page; one that was asked cannot be deleted."""

    list_display = ["name", "is_active"]
    list_filter = ["is_active"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.requests.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(FormRequest)
class FormRequestAdmin(ReadOnlyAdmin):
    list_display = ["form", "subject", "requested_at", "completed_at", "completed_by"]
    list_select_related = ["form", "subject", "completed_by"]
