"""The Bookings tab: a customer's upcoming and past appointments, and Book Appointment."""

from uuid import uuid4

from billing.features import billing_on
from bookings import queries
from bookings.features import bookings_on
from bookings.forms.appointments import BookForm, MoveForm
from bookings.forms.packages import BuyPackageForm
from core.paging import page_number


def visible(request, customer):
    return (
        bookings_on(request) and request.user.has_perm("bookings.view_appointment") and not customer.is_merged
    )


def bookings_context(request, customer):
    user = request.user
    can_book = user.has_perm("bookings.add_appointment") and not customer.is_archived
    can_cancel = user.has_perm("bookings.change_appointment")
    # An archived customer acts for nobody (and has no booking form: can_book is False).
    acts_for_others = (can_book or can_cancel) and not customer.is_archived
    others = queries.bookable_for(customer) if acts_for_others else []
    # Whose appointments this profile may still cancel: the customer's own, and those of the
    # people they may book for now (a link removed since takes that away).
    manageable = {customer.pk, *(other.pk for other in others)}
    upcoming = queries.upcoming_page(customer, page=page_number(request.GET.get("upcoming")))
    for appointment in upcoming.items:
        appointment.can_cancel_here = can_cancel and appointment.attendee_id in manageable
    return {
        "upcoming": upcoming,
        "past": queries.past_page(customer, page=page_number(request.GET.get("page"))),
        "form": BookForm(customer=customer, others=others) if can_book else None,
        "move_form": MoveForm() if can_cancel else None,
        "intake_forms": queries.active_forms()
        if upcoming.items and user.has_perm("bookings.add_formrequest")
        else [],
        **_packages_context(request, customer),
    }


def _packages_context(request, customer):
    user = request.user
    if not user.has_perm("bookings.view_package"):
        return {"packages": None}
    can_sell = user.has_perm("bookings.add_package") and not customer.is_archived and billing_on(request)
    return {
        "packages": queries.packages_of(customer),
        "package_form": BuyPackageForm(initial={"key": uuid4()}) if can_sell else None,
    }


def forms_visible(request, customer):
    return visible(request, customer) and request.user.has_perm("bookings.view_formrequest")


def forms_context(request, customer):
    return {
        "forms": queries.forms_of(customer, page=page_number(request.GET.get("page"))),
        "can_fill": request.user.has_perm("bookings.change_formrequest") and not customer.is_archived,
    }
