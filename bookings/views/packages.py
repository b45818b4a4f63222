"""Packages: selling one from the Bookings tab, paying a visit already marked attended with
a session from the Day View, and emailing a package's receipt."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from billing.features import billing_on
from bookings import queries
from bookings.features import bookings_feature
from bookings.forms.packages import BuyPackageForm, ReceiptForm
from bookings.models import Appointment, Package
from bookings.services import packages
from bookings.views._profile import back_to_bookings
from core.access import staff_required
from core.errors import KinshipError
from core.ids import is_id
from core.responses import attempt, done, go_to, next_url, refused
from customers.queries import get_live_customer
from mail.services import Recipient


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
        packages.redeem(actor=request.user, appointment_id=appointment.pk, package_id=int(package))
    except KinshipError as error:
        return refused(request, error, back_to)
    messages.success(request, f"{appointment.attendee.full_name}'s visit was paid with a session.")
    return go_to(request, back_to)


@require_POST
@bookings_feature
@staff_required("bookings.add_package")
def buy_package(request, customer_id):
    customer = get_live_customer(customer_id)
    if not billing_on(request):
        raise Http404("Packages are charged to the house account: switch on billing.")
    form = BuyPackageForm(request.POST)
    tried = attempt(
        request,
        form,
        lambda data: packages.buy_package(
            actor=request.user,
            customer_id=customer.pk,
            service_id=data["service"].pk,
            sessions=data["sessions"],
            price=data["price_text"],
            key=data["key"],
        ),
    )
    if tried.ok:
        package = tried.result
        return done(
            request,
            back_to_bookings(request, customer),
            f"{customer.first_name} bought {package.sessions} × {package.service.name}.",
        )
    context = {"customer": customer, "package_form": form, "next": back_to_bookings(request, customer)}
    template = "bookings/buy_package.html#package-form" if request.htmx else "bookings/buy_package.html"
    return render(request, template, context, status=tried.status)


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
    known = {person.email.lower(): person for person in people}

    def email_receipt(data):
        recipients = [Recipient(known.get(address.lower()), address) for address in data["to"]]
        return packages.email_receipt(actor=request.user, package_id=package.pk, recipients=recipients)

    tried = attempt(request, form, email_receipt)
    if tried.ok:
        sent = tried.result
        return done(
            request,
            back_to_bookings(request, customer),
            f"The receipt was emailed to {', '.join(e.to_address for e in sent)}.",
        )
    context = {
        "customer": customer,
        "package": package,
        "form": form,
        "people": people,
        "next": back_to_bookings(request, customer),
    }
    return render(request, "bookings/receipt.html", context, status=tried.status)
