"""How a merge treats the email log: emails to and about the duplicate move to the survivor."""

from customers.merging import register as register_rule
from mail.models import Email


def register():
    register_rule(Email, "recipient", label="emails")
    register_rule(Email, "about", label="emails about them")
