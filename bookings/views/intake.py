"""Intake forms asked of a client: Request Form on an appointment, and filling one in for
the person it is about or from the profile of someone who may complete forms for them."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from bookings import queries
from bookings.features import bookings_feature
from bookings.forms.intake import CompleteForm
from bookings.models import FormRequest
from bookings.services import intake
from bookings.views._profile import back_to_bookings, own_appointment
from core.access import staff_required
from core.errors import KinshipError
from core.ids import is_id
from core.responses import attempt, done, next_url, refused
from customers.queries import get_live_customer


@require_POST
@bookings_feature
@staff_required("bookings.add_formrequest")
def request_form(request, customer_id, appointment_id):
    """Request Form: ask the attendee (and whoever may complete forms for them) to fill one in."""
    customer = get_live_customer(customer_id)
    appointment = own_appointment(customer, appointment_id)
    form_id = request.POST.get("form", "")
    try:
        if not is_id(form_id):
            raise KinshipError("Choose a form to request.")
        asked = intake.request_form(
            actor=request.user, appointment_id=appointment.pk, form_id=int(form_id), on_behalf_of=customer.pk
        )
    except KinshipError as error:
        return refused(request, error, back_to_bookings(request, customer))
    return done(
        request,
        back_to_bookings(request, customer),
        f"“{asked.form.name}” was requested from {asked.subject.full_name}.",
    )


@require_http_methods(["GET", "POST"])
@bookings_feature
@staff_required("bookings.change_formrequest")
def fill_form(request, customer_id, request_id):
    """Fill in a requested form, for the person it is about, or from the profile of someone
    who may complete forms for them."""
    customer = get_live_customer(customer_id)
    asked = get_object_or_404(
        FormRequest.objects.select_related("form", "subject", "appointment__service"), pk=request_id
    )
    people = queries.who_may_complete(asked)
    may = customer.pk in {person.pk for person in people}
    if not may and request.method == "GET":
        raise Http404("This client may not complete that form.")
    back_to = next_url(request, reverse("customers:profile_tab", args=[customer.pk, "forms"]))
    form = CompleteForm(
        request.POST or None,
        request=asked,
        people=people,
        initial={"completed_by": customer.pk, "version": asked.version},
    )
    status = 200
    if not may:  # the link went while the page was open: keep the answers, say why
        form.is_valid()
        form.add_error(
            None,
            f"{customer.full_name} may no longer complete forms for {asked.subject.full_name} (their link "
            "changed); nothing was saved. Choose who is filling it in, or go back.",
        )
    else:
        tried = attempt(
            request,
            form,
            lambda data: intake.complete_form(
                actor=request.user,
                request_id=asked.pk,
                completed_by_id=data["completed_by"],
                answers=form.answers(),
                version=data["version"],
            ),
        )
        if tried.ok:
            return done(request, back_to, f"“{asked.form.name}” was filled in for {asked.subject.full_name}.")
        status = tried.status
    context = {"customer": customer, "asked": asked, "form": form, "next": back_to}
    return render(request, "bookings/fill_form.html", context, status=status)
