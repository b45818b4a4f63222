"""The Emails tab that `mail` adds to the customer profile."""

from core.paging import page_number
from customers.tabs import Tab, registry
from mail.queries import email_page


def emails_context(request, customer):
    return {"emails": email_page(customer, page=page_number(request.GET.get("page")))}


def register():
    registry.add_tab(
        Tab(
            slug="emails",
            title="Emails",
            template="mail/tabs/emails.html",
            order=900,
            context=emails_context,
        )
    )
