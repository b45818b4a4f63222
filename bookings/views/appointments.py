"""The Day View and appointments: booking from a customer's Bookings tab, cancelling and
moving, marking a visit attended or a no-show.

Forms post with htmx and reload the customer's tabs in place on success; every form also
works without JavaScript, and the whole feature answers 404 while its switch is off.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from bookings import queries
from bookings.features import bookings_feature
from bookings.forms.appointments import BookForm, MoveForm
from bookings.models import Appointment, Status
from bookings.services import appointments
from bookings.views._profile import back_to_bookings, own_appointment
from core.access import staff_required
from core.errors import KinshipError
from core.ids import is_id
from core.responses import attempt, done, embedded, go_to, next_url, refused
from customers.queries import get_live_customer


@require_POST
@bookings_feature
@staff_required("bookings.add_appointment")
def book(request, customer_id):
    customer = get_live_customer(customer_id)
    others = queries.bookable_for(customer)
    form = BookForm(request.POST, customer=customer, others=others)

    def book(data):
        attendee_id = data["for_whom"] or customer.pk
        return appointments.book(
            actor=request.user,
            attendee_id=attendee_id,
            service_id=data["service"].pk,
            starts_at=data["starts_at"],
            booked_by_id=customer.pk if attendee_id != customer.pk else None,
        )

    tried = attempt(request, form, book)
    if tried.ok:
        appointment = tried.result
        whom = "" if appointment.attendee_id == customer.pk else f" for {appointment.attendee.full_name}"
        return done(
            request, back_to_bookings(request, customer), f"{appointment.service.name} was booked{whom}."
        )
    context = {
        "customer": customer,
        "form": form,
        "next": back_to_bookings(request, customer),
        "embedded": embedded(request),
    }
    template = "bookings/book.html#book-form" if request.htmx else "bookings/book.html"
    return render(request, template, context, status=tried.status)


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
        appointments.cancel(
            actor=request.user,
            appointment_id=appointment.pk,
            version=int(version) if is_id(version) else -1,
            on_behalf_of=customer.pk,
        )
    except KinshipError as error:
        return refused(request, error, back_to_bookings(request, customer))
    return done(request, back_to_bookings(request, customer), f"{appointment.service.name} was cancelled.")


@require_POST
@bookings_feature
@staff_required("bookings.change_appointment")
def mark(request, appointment_id):
    """Attended or No-show, from the day view."""
    appointment = get_object_or_404(Appointment, pk=appointment_id)
    back_to = next_url(request, reverse("bookings:day"))
    version, package = request.POST.get("version", ""), request.POST.get("package", "")
    if package and not is_id(package):
        raise Http404("No such package.")
    try:
        appointments.mark(
            actor=request.user,
            appointment_id=appointment.pk,
            status=request.POST.get("status", ""),
            version=int(version) if is_id(version) else -1,
            package_id=int(package) if package else None,
        )
    except KinshipError as error:
        return refused(request, error, back_to)
    messages.success(request, f"{appointment.attendee.full_name}: {appointment.service.name} marked.")
    return go_to(request, back_to)  # the Day View is a page of its own, not a customer's tabs


@require_GET
@bookings_feature
@staff_required("bookings.view_appointment")
def day(request):
    """The day's calendar, by time: who, what, booked by whom."""
    try:
        on = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        on = timezone.localdate()
    if not 1900 <= on.year <= 2999:  # beyond any booking, and near the calendar's ends
        on = timezone.localdate()
    services = queries.all_services()
    # One service's appointments (a class, say) when one is chosen; an unknown id shows all.
    chosen = next((s for s in services if str(s.pk) == request.GET.get("service")), None)
    context = {
        "on": on,
        "previous": on - timedelta(days=1),
        "next_day": on + timedelta(days=1),
        "services": services,
        "chosen": chosen,
        "appointments": queries.day(on, service=chosen),
        "Status": Status,
    }
    return render(request, "bookings/day.html", context)


@require_POST
@bookings_feature
@staff_required("bookings.change_appointment")
def move(request, customer_id, appointment_id):
    """Change Time, from the attendee's profile or from that of whoever may book for them."""
    customer = get_live_customer(customer_id)
    appointment = own_appointment(customer, appointment_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return refused(request, KinshipError(first), back_to_bookings(request, customer))
    try:
        moved = appointments.move(
            actor=request.user,
            appointment_id=appointment.pk,
            starts_at=form.cleaned_data["starts_at"],
            version=form.cleaned_data["version"],
            on_behalf_of=customer.pk,
        )
    except KinshipError as error:
        return refused(request, error, back_to_bookings(request, customer))
    return done(
        request,
        back_to_bookings(request, customer),
        f"{appointment.service.name} was moved to {timezone.localtime(moved.starts_at):%-d %b, %H:%M}.",
    )
