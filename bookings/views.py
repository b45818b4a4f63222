"""Booking from a customer's Bookings tab, cancelling, and the day view.

Forms post with htmx and reload the customer's tabs in place on success; every form also
works without JavaScript, and the whole feature answers 404 while its switch is off.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookings import queries, services
from bookings.features import bookings_feature
from bookings.forms import BookForm, ServiceForm
from bookings.models import Appointment, Service, Status
from customers.access import staff_required
from customers.errors import KinshipError
from customers.forms import is_id
from customers.queries import get_live_customer
from customers.responses import done, embedded, form_status, next_url, refused


def _back(request, customer):
    return next_url(request, reverse("customers:profile_tab", args=[customer.pk, "bookings"]))


@require_POST
@bookings_feature
@staff_required("bookings.add_appointment")
def book(request, customer_id):
    customer = get_live_customer(customer_id)
    others = queries.bookable_for(customer)
    form = BookForm(request.POST, customer=customer, others=others)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        attendee_id = data["for_whom"] or customer.pk
        try:
            appointment = services.book(
                actor=request.user,
                attendee_id=attendee_id,
                service_id=data["service"].pk,
                starts_at=data["starts_at"],
                booked_by_id=customer.pk if attendee_id != customer.pk else None,
            )
        except KinshipError as error:
            status = form_status(form, error)
        else:
            whom = "" if appointment.attendee_id == customer.pk else f" for {appointment.attendee.full_name}"
            return done(request, _back(request, customer), f"{appointment.service.name} was booked{whom}.")
    context = {
        "customer": customer,
        "form": form,
        "next": _back(request, customer),
        "embedded": embedded(request),
    }
    template = "bookings/book.html#book-form" if request.htmx else "bookings/book.html"
    return render(request, template, context, status=status)


@require_POST
@bookings_feature
@staff_required("bookings.change_appointment")
def cancel(request, customer_id, appointment_id):
    """Cancel, from the attendee's profile or from that of whoever booked it for them."""
    customer = get_live_customer(customer_id)
    appointment = get_object_or_404(
        Appointment, Q(attendee=customer) | Q(booked_by=customer), pk=appointment_id
    )
    version = request.POST.get("version", "")
    try:
        services.cancel(
            actor=request.user,
            appointment_id=appointment.pk,
            version=int(version) if is_id(version) else -1,
            on_behalf_of=customer.pk,
        )
    except KinshipError as error:
        return refused(request, error, _back(request, customer))
    return done(request, _back(request, customer), f"{appointment.service.name} was cancelled.")


@require_POST
@bookings_feature
@staff_required("bookings.change_appointment")
def mark(request, appointment_id):
    """Attended or No-show, from the day view."""
    appointment = get_object_or_404(Appointment, pk=appointment_id)
    back_to = next_url(request, reverse("bookings:day"))
    version = request.POST.get("version", "")
    try:
        services.mark(
            actor=request.user,
            appointment_id=appointment.pk,
            status=request.POST.get("status", ""),
            version=int(version) if is_id(version) else -1,
        )
    except KinshipError as error:
        return refused(request, error, back_to)
    messages.success(request, f"{appointment.attendee.full_name}: {appointment.service.name} marked.")
    if request.htmx:  # the Day View is a page of its own, not a customer's tabs: draw it again
        return HttpResponse(status=204, headers={"HX-Redirect": back_to})
    return redirect(back_to)


@require_GET
@bookings_feature
@staff_required("bookings.view_appointment")
def day(request):
    """The day's calendar, by time: who, what, booked by whom."""
    try:
        on = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        on = date.today()
    if not 1900 <= on.year <= 2999:  # beyond any booking, and near the calendar's ends
        on = date.today()
    context = {
        "on": on,
        "previous": on - timedelta(days=1),
        "next_day": on + timedelta(days=1),
        "appointments": queries.day(on),
        "Status": Status,
    }
    return render(request, "bookings/day.html", context)


# The services the business offers, kept by Managers.


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
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.save()
        except IntegrityError:
            form.add_error("name", "There is already a service with that name.")
        else:
            messages.success(request, f"The service “{saved.name}” was saved.")
            return redirect("bookings:services")
    return render(request, "bookings/service_form.html", {"form": form, "service": service})
