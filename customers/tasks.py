"""Background tasks (django.tasks): in production a database-backed queue that
`manage.py db_worker` works through; in development and tests they run at once."""

import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from customers.mail import subject_line
from customers.models import Email

#: How long to wait before each new try after a mail server's passing trouble (a dropped
#: connection, a "4xx, try later"). After the last, the email is marked failed and staff
#: may Send Again. Only a queue that can hold a task until later (the database one) waits;
#: one that runs tasks at once marks the email failed at the first trouble.
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))


@task
def deliver_email(email_id):
    """Send one queued email and record how it went. Sending twice is avoided by claiming
    the row first: a second worker given the same id finds it no longer queued."""
    with transaction.atomic():
        email = (
            Email.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=Email.Status.QUEUED)
            .first()
        )
        if email is None:
            return _busy_or_done(email_id)
        try:
            # subject_line again: an email queued before subjects were made one line may hold a
            # line break, which Django refuses in a header.
            subject = subject_line(email.subject)
            EmailMessage(subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to_address]).send()
        except Exception as error:  # the mail server's words, kept for the log
            email.error = f"{type(error).__name__}: {error}"[:300]
            wait = _wait_before_trying_again(email, error)
            if wait is None:
                email.status = Email.Status.FAILED
            else:
                email.attempts += 1
                _try_again_in(wait, email_id)
        else:
            email.status, email.sent_at, email.error = Email.Status.SENT, timezone.now(), ""
        email.save(update_fields=["status", "error", "sent_at", "attempts"])
    return email.status


def _busy_or_done(email_id):
    """An email still queued but locked (a merge moving it, or another worker sending it)
    is looked at again in a minute, where the queue can wait; one sent or gone needs nothing."""
    still_queued = Email.objects.filter(pk=email_id, status=Email.Status.QUEUED).exists()
    if still_queued and _queue_can_wait():
        _try_again_in(RETRY_AFTER[0], email_id)
        return "busy: tried again later"
    return "not queued"


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
