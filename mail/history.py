"""What the mail app writes in a customer's History (see customers/history.py)."""

from customers.history import Action, Area

ACTIONS = [
    Action("email.sent_again", Area.DETAILS, "Email sent again to {to}: {subject}"),
]
