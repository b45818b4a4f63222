"""Booking from a customer's Bookings tab, cancelling, and the day view.

Forms post with htmx and reload the customer's tabs in place on success; every form also
works without JavaScript, and the whole feature answers 404 while its switch is off.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.features import billing_on
from bookings import queries, services
from bookings.features import bookings_feature
from bookings.forms import (
    BookForm,
    BuyPackageForm,
    CompleteForm,
    IntakeFormForm,
    MoveForm,
    ReceiptForm,
    ServiceForm,
)
from bookings.models import Appointment, FormRequest, IntakeForm, Package, Service, Status
from core.access import staff_required
from core.errors import KinshipError
from core.ids import is_id
from core.responses import done, embedded, form_status, next_url, refused
from customers.mail import Recipient
from customers.queries import get_live_customer


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
    version, package = request.POST.get("version", ""), request.POST.get("package", "")
    if package and not is_id(package):
        raise Http404("No such package.")
    try:
        services.mark(
            actor=request.user,
            appointment_id=appointment.pk,
            status=request.POST.get("status", ""),
            version=int(version) if is_id(version) else -1,
            package_id=int(package) if package else None,
        )
    except KinshipError as error:
        return refused(request, error, back_to)
    messages.success(request, f"{appointment.attendee.full_name}: {appointment.service.name} marked.")
    if request.htmx:  # the Day View is a page of its own, not a customer's tabs: draw it again
        return HttpResponse(status=204, headers={"HX-Redirect": back_to})
    return redirect(back_to)


@require_POST
@bookings_feature
@staff_required("bookings.change_appointment")
def redeem(request, appointment_id):
    """Use a Session, from the Day View, for a visit marked attended without one."""
    appointment = get_object_or_404(Appointment, pk=appointment_id)
    back_to = next_url(request, reverse("bookings:day"))
    package = request.POST.get("package", "")
    if not is_id(package):
        raise Http404("No such package.")
    try:
        services.redeem(actor=request.user, appointment_id=appointment.pk, package_id=int(package))
    except KinshipError as error:
        return refused(request, error, back_to)
    messages.success(request, f"{appointment.attendee.full_name}'s visit was paid with a session.")
    if request.htmx:
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


def _own_appointment(customer, appointment_id):
    """An appointment this profile shows: the customer's own, or one they booked for someone."""
    return get_object_or_404(
        Appointment.objects.select_related("service", "attendee"),
        Q(attendee=customer) | Q(booked_by=customer),
        pk=appointment_id,
    )


@require_POST
@bookings_feature
@staff_required("bookings.change_appointment")
def move(request, customer_id, appointment_id):
    """Change Time, from the attendee's profile or from that of whoever may book for them."""
    customer = get_live_customer(customer_id)
    appointment = _own_appointment(customer, appointment_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        return refused(request, KinshipError(first), _back(request, customer))
    try:
        moved = services.move(
            actor=request.user,
            appointment_id=appointment.pk,
            starts_at=form.cleaned_data["starts_at"],
            version=form.cleaned_data["version"],
            on_behalf_of=customer.pk,
        )
    except KinshipError as error:
        return refused(request, error, _back(request, customer))
    return done(
        request,
        _back(request, customer),
        f"{appointment.service.name} was moved to {timezone.localtime(moved.starts_at):%-d %b, %H:%M}.",
    )


@require_POST
@bookings_feature
@staff_required("bookings.add_formrequest")
def request_form(request, customer_id, appointment_id):
    """Request Form: ask the attendee (and whoever may complete forms for them) to fill one in."""
    customer = get_live_customer(customer_id)
    appointment = _own_appointment(customer, appointment_id)
    form_id = request.POST.get("form", "")
    try:
        if not is_id(form_id):
            raise KinshipError("Choose a form to request.")
        asked = services.request_form(
            actor=request.user, appointment_id=appointment.pk, form_id=int(form_id), on_behalf_of=customer.pk
        )
    except KinshipError as error:
        return refused(request, error, _back(request, customer))
    return done(
        request,
        _back(request, customer),
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
    elif request.method == "POST" and form.is_valid():
        try:
            services.complete_form(
                actor=request.user,
                request_id=asked.pk,
                completed_by_id=form.cleaned_data["completed_by"],
                answers=form.answers(),
                version=form.cleaned_data["version"],
            )
        except KinshipError as error:
            status = form_status(form, error)
        else:
            return done(request, back_to, f"“{asked.form.name}” was filled in for {asked.subject.full_name}.")
    context = {"customer": customer, "asked": asked, "form": form, "next": back_to}
    return render(request, "bookings/fill_form.html", context, status=status)


@require_POST
@bookings_feature
@staff_required("bookings.add_package")
def buy_package(request, customer_id):
    customer = get_live_customer(customer_id)
    if not billing_on(request):
        raise Http404("Packages are charged to the house account: switch on billing.")
    form = BuyPackageForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            package = services.buy_package(
                actor=request.user,
                customer_id=customer.pk,
                service_id=data["service"].pk,
                sessions=data["sessions"],
                price=data["price_text"],
                key=data["key"],
            )
        except KinshipError as error:
            status = form_status(form, error)
        else:
            return done(
                request,
                _back(request, customer),
                f"{customer.first_name} bought {package.sessions} × {package.service.name}.",
            )
    context = {"customer": customer, "package_form": form, "next": _back(request, customer)}
    template = "bookings/buy_package.html#package-form" if request.htmx else "bookings/buy_package.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@bookings_feature
@staff_required("bookings.view_package")
def receipt(request, customer_id, package_id):
    """Email Receipt: the owner's address and their linked clients' who receive copies are
    filled in; staff may change them."""
    customer = get_live_customer(customer_id)
    package = get_object_or_404(
        Package.objects.select_related("owner", "service"), pk=package_id, owner=customer
    )
    people = queries.receipt_addresses(package)
    form = ReceiptForm(request.POST or None, initial={"to": ", ".join(person.email for person in people)})
    status = 200
    if request.method == "POST" and form.is_valid():
        known = {person.email.lower(): person for person in people}
        recipients = [Recipient(known.get(address.lower()), address) for address in form.cleaned_data["to"]]
        try:
            sent = services.email_receipt(actor=request.user, package_id=package.pk, recipients=recipients)
        except KinshipError as error:
            status = form_status(form, error)
        else:
            return done(
                request,
                _back(request, customer),
                f"The receipt was emailed to {', '.join(e.to_address for e in sent)}.",
            )
    context = {
        "customer": customer,
        "package": package,
        "form": form,
        "people": people,
        "next": _back(request, customer),
    }
    return render(request, "bookings/receipt.html", context, status=status)


# Intake forms, written by Managers.


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
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_intake_form(
                form_id=form_id,
                name=data["name"],
                questions=data["questions"],
                is_active=data["is_active"],
                version=data["version"],
            )
        except KinshipError as error:
            status = form_status(form, error)
        else:
            messages.success(request, f"The form “{saved.name}” was saved.")
            return redirect("bookings:forms")
    return render(request, "bookings/form_edit.html", {"form": form, "intake": intake}, status=status)


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
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_service(
                service_id=service_id,
                name=data["name"],
                duration_minutes=data["duration_minutes"],
                price=data["price_text"],
                is_active=data["is_active"],
                version=data["version"],
            )
        except KinshipError as error:
            status = form_status(form, error)
        else:
            messages.success(request, f"The service “{saved.name}” was saved.")
            return redirect("bookings:services")
    return render(request, "bookings/service_form.html", {"form": form, "service": service}, status=status)
