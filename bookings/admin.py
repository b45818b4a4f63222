from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from bookings.models import FormRequest, IntakeForm, Package, Service
from bookings.services import catalogue
from core.admin import EditableAdmin, ReadOnlyAdmin
from core.errors import KinshipError
from core.ids import VersionField


class VersionedAdminForm(forms.ModelForm):
    """The admin's form for a row that Managers also edit on their own pages: it carries the
    version the page was opened at, so a save over someone else's is refused, as there."""

    seen_version = VersionField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        seen = data.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise forms.ValidationError(
                "Someone else changed this since you opened it. Reload and try again.", code="stale"
            )
        try:
            self.check(data)
        except KinshipError as error:
            raise forms.ValidationError(error.message) from None
        return data

    def check(self, data):
        """Ask the service's own checks, beyond the model's constraints."""


class IntakeFormAdminForm(VersionedAdminForm):
    def check(self, data):
        if "name" in data and "questions" in data:
            catalogue.check_intake_form(name=data["name"], questions=data["questions"])


class SavedByService:
    """Save through the same service as the Managers' pages (`bookings.services.catalogue`), which
    checks again under the row's lock, refuses a stale page and counts the save. The form
    has already said why it would refuse, so the service's refusal here is a race lost in
    between (a Manager saved in that moment): the admin's transaction is rolled back, and
    the page comes back with the service's words rather than a server error."""

    def save_model(self, request, obj, form, change):
        saved = self.save_with_service(obj, version=form.cleaned_data.get("seen_version"))
        obj.pk, obj.version = saved.pk, saved.version

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except KinshipError as error:  # raised inside the admin's atomic block: nothing saved
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Service)
class ServiceAdmin(SavedByService, EditableAdmin):
    """Managers keep services on their own page (Services, from the Day View); superusers may
    here too. Retire one by unticking "offered"; one that was booked cannot be deleted."""

    form = VersionedAdminForm

    list_display = ["name", "duration_minutes", "price", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.appointments.exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_with_service(self, obj, *, version):
        return catalogue.save_service(
            service_id=obj.pk,
            name=obj.name,
            duration_minutes=obj.duration_minutes,
            price=obj.price,
            is_active=obj.is_active,
            version=version,
        )


@admin.register(Package)
class PackageAdmin(ReadOnlyAdmin):
    """Packages are sold at the desk (a charge to the house account) and used by visits; here
    superusers only look."""

    list_display = ["owner", "service", "sessions", "used", "price", "bought_at"]
    list_select_related = ["owner", "service"]
    raw_id_fields = ["owner", "charge"]


@admin.register(IntakeForm)
class IntakeFormAdmin(SavedByService, EditableAdmin):
    """Managers write forms on the Intake Forms page; one that was asked cannot be deleted."""

    form = IntakeFormAdminForm

    list_display = ["name", "is_active"]
    list_filter = ["is_active"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.requests.exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_with_service(self, obj, *, version):
        return catalogue.save_intake_form(
            form_id=obj.pk, name=obj.name, questions=obj.questions, is_active=obj.is_active, version=version
        )


@admin.register(FormRequest)
class FormRequestAdmin(ReadOnlyAdmin):
    list_display = ["form", "subject", "requested_at", "completed_at", "completed_by"]
    list_select_related = ["form", "subject", "completed_by"]
