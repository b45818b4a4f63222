"""Emails to customers: queued in the transaction of the change they tell about, sent after
it commits by a background task, and kept as the log each profile shows.

Apps build the words; this module only records and sends. One row per address, so the log
says exactly what went to whom, and a copy to a linked client says whose business it is.
"""

import hashlib
from dataclasses import dataclass

from django.db import transaction

from core.validators import single_line
from customers.models import Customer, Email

#: Whether someone may still be sent a copy again, by the start of the email's kind
#: ("booking."): apps whose copies follow a permission register the check here, so Send Again
#: never sends someone a copy they have since lost the right to.
copy_rules = {}


def may_still_have_copy(email):
    """Whether a copy (an email to someone about another customer) may go to them again."""
    if not email.is_copy or email.recipient_id is None:
        return True
    rule = next((rule for prefix, rule in copy_rules.items() if email.kind.startswith(prefix)), None)
    return rule is None or rule(email.recipient, email.about)


@dataclass(frozen=True)
class Recipient:
    """Someone to email: a customer (their address on file), or just an address."""

    customer: Customer | None = None
    address: str = ""

    @property
    def to(self):
        return (self.address or (self.customer.email if self.customer else "")).strip()


def queue(*, kind, subject, body, about, recipients, once_key=None):
    """Record an email to each recipient and send it once the current transaction commits.

    A recipient without an address is logged as not sent, so staff can see who missed out.
    `once_key` (with the recipient's address appended) makes an email go once only: a second
    call with the same key records nothing. Return the new rows.
    """
    rows, seen = [], set()
    for recipient in recipients:
        to = recipient.to
        key = f"{once_key}:{_who(recipient)}" if once_key else None
        if (to or recipient) in seen or (key and Email.objects.filter(once_key=key).exists()):
            continue
        seen.add(to or recipient)
        rows.append(
            Email(
                recipient=recipient.customer,
                about=about,
                to_address=to,
                kind=kind,
                subject=subject_line(subject),
                body=body,
                status=Email.Status.QUEUED if to else Email.Status.NO_ADDRESS,
                once_key=key,
            )
        )
    Email.objects.bulk_create(rows)
    queued = [row.pk for row in rows if row.status == Email.Status.QUEUED]
    if queued:
        transaction.on_commit(lambda: _enqueue(queued))
    return rows


def subject_line(subject):
    """The subject as one line of at most 200 characters.

    Subjects are built from names and service names, some stored before those refused line
    breaks, or written where no form checks them; Django refuses a line break in a header
    (it could add one, such as a Bcc), so one would fail the email and nobody would be told.
    """
    return single_line(subject)[:200]


def _who(recipient):
    """A short stand-in for a recipient in a once-only key (addresses may be long)."""
    if recipient.customer is not None:
        return f"c{recipient.customer.pk}"
    return "a" + hashlib.sha256(recipient.to.lower().encode()).hexdigest()[:32]


def _enqueue(email_ids):
    from customers.tasks import deliver_email

    for email_id in email_ids:
        deliver_email.enqueue(email_id)
