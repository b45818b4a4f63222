"""Send Again, from a customer's Emails tab.

The view parses the request, checks who may, calls one service, and answers.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.access import staff_required
from core.errors import KinshipError
from core.responses import done, next_url, refused
from customers.queries import get_live_customer
from mail import services
from mail.models import Email

#: Sending an email again is a change to the customer's correspondence, as it always was.
CHANGE = "customers.change_customer"


@require_POST
@staff_required(CHANGE)
def send_email_again(request, customer_id, email_id):
    """Send Again, from the Emails tab of the customer the email went to or was about."""
    customer = get_live_customer(customer_id)
    email = get_object_or_404(Email, Q(recipient=customer) | Q(about=customer), pk=email_id)
    back_to = next_url(request, reverse("customers:profile_tab", args=[customer.pk, "emails"]))
    try:
        again = services.send_email_again(actor=request.user, email_id=email.pk)
    except KinshipError as error:
        return refused(request, error, back_to)
    return done(request, back_to, f"“{again.subject}” was sent again to {again.to_address}.")
