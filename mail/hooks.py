"""What `mail` adds to the customer pages and to merging (see core/hooks.py)."""

from core import hooks
from customers.merging import MergeRule
from customers.tabs import Tab
from mail import profile_tabs
from mail.history import ACTIONS
from mail.models import Email

hooks.register(
    "profile_tab",
    Tab(
        slug="emails",
        title="Emails",
        template="mail/tabs/emails.html",
        order=900,
        context=profile_tabs.emails_context,
    ),
)

# Emails to and about the duplicate move to the survivor.
hooks.register("merge_rule", MergeRule(Email, "recipient", label="emails"))
hooks.register("merge_rule", MergeRule(Email, "about", label="emails about them"))

hooks.register("history_action", *ACTIONS)
