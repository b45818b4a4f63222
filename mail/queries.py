"""Reads of the email log that pages need, with their joins, so a page's query count is fixed."""

from django.db.models import Q

from core.paging import page_of
from mail.models import Email


def email_page(customer, *, page=1, per_page=20):
    """The emails that went to a customer or were about them (copies to linked clients
    included), newest first."""
    emails = (
        Email.objects.filter(Q(recipient=customer) | Q(about=customer))
        .select_related("recipient", "about")
        .order_by("-id")
    )
    return page_of(emails, page, per_page)
