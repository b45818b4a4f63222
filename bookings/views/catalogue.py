"""What Managers keep on their own pages: the services offered and the intake forms'
definitions."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from bookings import queries
from bookings.features import bookings_feature
from bookings.forms.catalogue import IntakeFormForm, ServiceForm
from bookings.models import IntakeForm, Service
from bookings.services import catalogue
from core.access import staff_required
from core.responses import attempt


@require_GET
@bookings_feature
@staff_required("bookings.view_intakeform")
def form_list(request):
    return render(request, "bookings/forms.html", {"intake_forms": queries.all_forms()})


@require_http_methods(["GET", "POST"])
@bookings_feature
def form_edit(request, form_id=None):
    permission = "bookings.change_intakeform" if form_id else "bookings.add_intakeform"
    return staff_required(permission)(_form_edit)(request, form_id)


def _form_edit(request, form_id):
    intake = get_object_or_404(IntakeForm, pk=form_id) if form_id else None
    form = IntakeFormForm(request.POST or None, instance=intake)
    tried = attempt(
        request,
        form,
        lambda data: catalogue.save_intake_form(
            form_id=form_id,
            name=data["name"],
            questions=data["questions"],
            is_active=data["is_active"],
            version=data["version"],
        ),
    )
    if tried.ok:
        saved = tried.result
        messages.success(request, f"The form “{saved.name}” was saved.")
        return redirect("bookings:forms")
    return render(request, "bookings/form_edit.html", {"form": form, "intake": intake}, status=tried.status)


@require_GET
@bookings_feature
@staff_required("bookings.view_service")
def service_list(request):
    return render(request, "bookings/services.html", {"services": queries.all_services()})


@require_http_methods(["GET", "POST"])
@bookings_feature
def service_form(request, service_id=None):
    """Add a service, or change one (retire it by unticking "offered")."""
    permission = "bookings.change_service" if service_id else "bookings.add_service"
    return staff_required(permission)(_service_form)(request, service_id)


def _service_form(request, service_id):
    service = get_object_or_404(Service, pk=service_id) if service_id else None
    form = ServiceForm(request.POST or None, instance=service)
    tried = attempt(
        request,
        form,
        lambda data: catalogue.save_service(
            service_id=service_id,
            name=data["name"],
            duration_minutes=data["duration_minutes"],
            price=data["price_text"],
            is_active=data["is_active"],
            version=data["version"],
        ),
    )
    if tried.ok:
        saved = tried.result
        messages.success(request, f"The service “{saved.name}” was saved.")
        return redirect("bookings:services")
    return render(
        request, "bookings/service_form.html", {"form": form, "service": service}, status=tried.status
    )
