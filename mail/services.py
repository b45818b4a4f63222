"""Every write to the email log: queueing emails to customers, and Send Again.

Emails are queued in the transaction of the change they tell about, sent after it commits by
a background task (mail.tasks), and kept as the log each profile's Emails tab shows. Apps
build the words; this module only records and sends. One row per address, so the log says
exactly what went to whom, and a copy to a linked client says whose business it is.

Queueing and Send Again live here together, with the copy rules Send Again asks: both write
Email rows, and apps call one module (`mail.services`) to send anything.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from core import hooks
from core.errors import KinshipError, StaleEdit
from core.validators import single_line
from customers.models import Customer
from customers.services import lock_customers, record_activity
from mail.models import Email


@dataclass(frozen=True)
class CopyRule:
    """Whether someone may still be sent a copy again, for emails whose kind starts with
    `prefix` ("booking."): apps whose copies follow a permission declare it as a "copy_rule"
    in their hooks.py, so Send Again never sends someone a copy they have lost the right to."""

    prefix: str
    #: may_have(recipient, about): whether `recipient` may still receive copies about `about`.
    may_have: Callable


def may_still_have_copy(email):
    """Whether a copy (an email to someone about another customer) may go to them again."""
    if not email.is_copy or email.recipient_id is None:
        return True
    rules = hooks.entries("copy_rule")
    rule = next((rule for rule in rules if email.kind.startswith(rule.prefix)), None)
    return rule is None or rule.may_have(email.recipient, email.about)


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
    from mail.tasks import deliver_email

    for email_id in email_ids:
        deliver_email.enqueue(email_id)


@transaction.atomic
def send_email_again(*, actor, email_id):
    """Send Again an email that failed or had no address: a new email with the same words, to
    the customer's address on file now (or the address staff typed), logged beside the first.
    """
    # The customers first, as unlinking and merging lock them: whether a copy may still go
    # is then read as it stands, and the locks are taken in the order everyone takes them.
    people = Email.objects.filter(pk=email_id).values_list("recipient_id", "about_id").first()
    if people is None:
        raise KinshipError("That email no longer exists.")
    lock_customers([pk for pk in people if pk])
    email = (
        Email.objects.select_for_update(of=("self",)).select_related("recipient", "about").get(pk=email_id)
    )
    if (email.recipient_id, email.about_id) != people:
        raise StaleEdit("The email changed meanwhile (its customer was merged). Reload and try again.")
    if email.sent_again_as_id is not None:
        raise KinshipError("That email was already sent again.")
    if email.status not in (Email.Status.FAILED, Email.Status.NO_ADDRESS):
        raise KinshipError("Only an email that failed or had no address can be sent again.")
    if not may_still_have_copy(email):
        raise KinshipError(
            f"{email.recipient.full_name} no longer gets copies for {email.about.full_name}; "
            "nothing was sent."
        )
    recipient = Recipient(customer=email.recipient, address="" if email.recipient else email.to_address)
    if not recipient.to:
        who = email.recipient.full_name if email.recipient else "It"
        raise KinshipError(f"{who} has no email address; add one to their details first.")
    [again] = queue(
        kind=email.kind, subject=email.subject, body=email.body, about=email.about, recipients=[recipient]
    )
    email.sent_again_as = again
    email.save(update_fields=["sent_again_as"])
    record_activity(
        customers=[c for c in {email.recipient, email.about} if c is not None],
        actor=actor,
        action="email.sent_again",
        data={"to": again.to_address, "subject": email.subject},
    )
    return again
