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
    return _edit(
        request,
        IntakeForm,
        form_id,
        IntakeFormForm,
        lambda data: catalogue.save_intake_form(
            form_id=form_id,
            name=data["name"],
            questions=data["questions"],
            is_active=data["is_active"],
            version=data["version"],
        ),
        saved="The form “{name}” was saved.",
        back_to="bookings:forms",
        template="bookings/form_edit.html",
        called="intake",
    )


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
    return _edit(
        request,
        Service,
        service_id,
        ServiceForm,
        lambda data: catalogue.save_service(
            service_id=service_id,
            name=data["name"],
            duration_minutes=data["duration_minutes"],
            price=data["price_text"],
            is_active=data["is_active"],
            version=data["version"],
        ),
        saved="The service “{name}” was saved.",
        back_to="bookings:services",
        template="bookings/service_form.html",
        called="service",
    )


def _edit(request, model, pk, form_class, save, *, saved, back_to, template, called):
    """Add a row of `model` (no `pk`) or change one on its own page: `save(data)` is the
    catalogue service; the row is `called` so in the template."""
    row = get_object_or_404(model, pk=pk) if pk else None
    form = form_class(request.POST or None, instance=row)
    tried = attempt(request, form, save)
    if tried.ok:
        messages.success(request, saved.format(name=tried.result.name))
        return redirect(back_to)
    return render(request, template, {"form": form, called: row}, status=tried.status)
