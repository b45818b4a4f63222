"""The Emails tab that `mail` adds to the customer profile."""

from core.paging import page_number
from mail.queries import email_page


def emails_context(request, customer):
    return {"emails": email_page(customer, page=page_number(request.GET.get("page")))}
