"""Background tasks (django.tasks): in production a database-backed queue that
`manage.py db_worker` works through; in development and tests they run at once."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from customers.models import Email


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
            return "not queued"
        try:
            EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to_address]).send()
        except Exception as error:  # the mail server's words, kept for the log
            email.status, email.error = Email.Status.FAILED, f"{type(error).__name__}: {error}"[:300]
        else:
            email.status, email.sent_at, email.error = Email.Status.SENT, timezone.now(), ""
        email.save(update_fields=["status", "error", "sent_at"])
    return email.status
