"""Background tasks (django.tasks): in production a database-backed queue that
`manage.py db_worker` works through; in development and tests they run at once."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from mail.models import Email
from mail.services import subject_line

logger = logging.getLogger(__name__)

#: How long to wait before each new try after a mail server's passing trouble (a dropped
#: connection, a "4xx, try later"). The waits grow, so a server coming back up is not met by
#: the whole queue every minute, and add up to almost four hours, so an hour's outage loses
#: nothing: an email queued as the server went down is tried again 51 minutes in, then an
#: hour later, and goes then. (The first schedule, 1, 5 and 30 minutes, gave up after 36.)
#: After the last, the email is marked failed and staff may Send Again. Only a queue that
#: can hold a task until later (the database one) waits; one that runs tasks at once marks
#: the email failed at the first trouble.
RETRY_AFTER = tuple(timedelta(minutes=m) for m in (1, 5, 15, 30, 60, 120))

#: How long a worker's claim on an email lasts. A send takes seconds (EMAIL_TIMEOUT bounds
#: each exchange with the server), so a claim this old is a worker that stopped between
#: sending and recording: `requeue_stalled` puts its email back in the queue.
LEASE = timedelta(minutes=15)


@task
def deliver_email(email_id):
    """Send one queued email and record how it went: claim, commit, send, record.

    The claim moves the row from Queued to Sending in a short transaction of its own, so a
    second worker given the same id finds it no longer queued and sends nothing. The send
    holds no transaction and no row lock, so a merge moving the email to the survivor never
    waits on a slow mail server; the outcome is then written to the delivery columns only
    (an UPDATE, not a save), so the merge's move stands.
    """
    email = _claim(email_id)
    if email is None:
        return _busy_or_done(email_id)
    try:
        # subject_line again: an email queued before subjects were made one line may hold a
        # line break, which Django refuses in a header.
        subject = subject_line(email.subject)
        EmailMessage(subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to_address]).send()
    except Exception as error:  # the mail server's words, kept for the log
        wait = _wait_before_trying_again(email, error)
        trouble = {"error": f"{type(error).__name__}: {error}"[:300]}
        if wait is None:
            return _record(email, status=Email.Status.FAILED, **trouble)
        return _record(
            email, retry_in=wait, status=Email.Status.QUEUED, attempts=F("attempts") + 1, **trouble
        )
    return _record(email, status=Email.Status.SENT, sent_at=timezone.now(), error="")


def _claim(email_id):
    """Mark the email Sending and commit; return it, or None if it is not ours to send.

    A row another transaction holds (a merge moving it) is skipped, not waited for: see
    `_busy_or_done`.
    """
    with transaction.atomic():
        email = (
            Email.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=Email.Status.QUEUED)
            .only("pk", "to_address", "subject", "body", "attempts")
            .first()
        )
        if email is None:
            return None
        email.claimed_at = timezone.now()
        Email.objects.filter(pk=email.pk).update(status=Email.Status.SENDING, claimed_at=email.claimed_at)
    return email


def _record(email, *, retry_in=None, **outcome):
    """Write how the send went, if the claim is still ours; return the new status.

    Ours: still Sending under our claim, or put back in the queue by `requeue_stalled`
    after a long send but not claimed again (what happened is still the truth, and a sent
    email then goes no second time). A new claim by another worker is theirs to record.
    """
    with transaction.atomic():
        recorded = (
            Email.objects.filter(
                pk=email.pk,
                claimed_at=email.claimed_at,
                status__in=[Email.Status.SENDING, Email.Status.QUEUED],
            ).update(**outcome)
            == 1
        )
        if recorded and retry_in is not None:
            _try_again_in(retry_in, email.pk)
    if not recorded:
        logger.warning("Email %s was claimed again before its send was recorded: %s", email.pk, outcome)
        return "claim lost"
    return outcome["status"]


def _busy_or_done(email_id):
    """An email still queued but locked (a merge moving it, or another worker claiming it)
    is looked at again in a minute, where the queue can wait; one being sent, sent or gone
    needs nothing."""
    still_queued = Email.objects.filter(pk=email_id, status=Email.Status.QUEUED).exists()
    if still_queued and _queue_can_wait():
        _try_again_in(RETRY_AFTER[0], email_id)
        return "busy: tried again later"
    return "not queued"


def requeue_stalled():
    """Put back in the queue each email left Sending for longer than LEASE (its worker
    stopped between claiming and recording it), and queue its delivery; return how many.

    Whether the mail server took such an email before its worker stopped cannot be known,
    so it may reach its recipient twice: better than never, and it happens only when a worker
    dies mid-send. Two workers running never send one email twice (the claim sees to that).
    """
    with transaction.atomic():
        stalled = list(
            Email.objects.select_for_update(skip_locked=True)
            .filter(status=Email.Status.SENDING, claimed_at__lt=timezone.now() - LEASE)
            .values_list("pk", flat=True)
        )
        # claimed_at stays: the stopped worker's record still lands if it was only slow.
        Email.objects.filter(pk__in=stalled).update(
            status=Email.Status.QUEUED,
            error="Sending stopped half-way; trying again (it may arrive twice).",
        )
        if _queue_can_wait():
            # The queue is in this database: the deliveries commit with the rows, or neither.
            for email_id in stalled:
                deliver_email.enqueue(email_id)
        else:  # a queue that sends at once must not send inside this transaction
            transaction.on_commit(lambda: [deliver_email.enqueue(email_id) for email_id in stalled])
    return len(stalled)


def _wait_before_trying_again(email, error):
    if not is_passing(error) or email.attempts >= len(RETRY_AFTER) or not _queue_can_wait():
        return None
    return RETRY_AFTER[email.attempts]


def _queue_can_wait():
    return deliver_email.get_backend().supports_defer


def _try_again_in(wait, email_id):
    """Queue another delivery for later. Called inside the caller's transaction (the queue is
    in the same database), so an email is never left waiting for a try never recorded."""
    deliver_email.using(run_after=timezone.now() + wait).enqueue(email_id)


def is_passing(error):
    """Whether a mail server's error may clear by itself: SMTP's 4xx replies say "try again
    later" (RFC 5321), and so, in effect, do a dropped connection or a network fault. A 5xx
    reply (no such mailbox, say) will not change by waiting."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)
