"""The Bookings tab: a customer's upcoming and past appointments, and Book Appointment."""

from bookings import queries
from bookings.features import bookings_on
from bookings.forms import BookForm
from customers.paging import page_number
from customers.tabs import Tab, registry


def visible(request, customer):
    return (
        bookings_on(request) and request.user.has_perm("bookings.view_appointment") and not customer.is_merged
    )


def bookings_context(request, customer):
    can_book = request.user.has_perm("bookings.add_appointment") and not customer.is_archived
    others = queries.bookable_for(customer) if can_book else []
    return {
        "upcoming": queries.upcoming(customer),
        "past": queries.past_page(customer, page=page_number(request.GET.get("page"))),
        "form": BookForm(customer=customer, others=others) if can_book else None,
        "can_cancel": request.user.has_perm("bookings.change_appointment"),
    }


def register():
    registry.add_tab(
        Tab(
            slug="bookings",
            title="Bookings",
            template="bookings/tab.html",
            order=200,
            context=bookings_context,
            is_visible=visible,
        )
    )
