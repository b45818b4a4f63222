"""Emails in production: queued in the database when the change commits, sent by
`manage.py db_worker`, and logged with how it went; nothing goes out for a change that was
rolled back, and a failing mail server is recorded, not raised at the desk."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mail.models import Email
from mail.services import Recipient, queue
from mail.tasks import RETRY_AFTER, is_passing
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queue_one(customer, **kwargs):
    with transaction.atomic():
        return queue(
            kind="test.note",
            subject="Your appointment",
            body="See you soon.",
            about=customer,
            recipients=[Recipient(customer)],
            **kwargs,
        )


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_worker_sends_what_the_desk_queued():
    customer = CustomerFactory(email="ann@example.com")
    (email,) = _queue_one(customer)
    # The desk's request ends here: the email waits in the queue, unsent.
    assert DBTaskResult.objects.count() == 1
    assert mail.outbox == []
    assert Email.objects.get(pk=email.pk).status == Email.Status.QUEUED

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert [message.to for message in mail.outbox] == [["ann@example.com"]]
    sent = Email.objects.get(pk=email.pk)
    assert sent.status == Email.Status.SENT and sent.sent_at is not None


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_rolled_back_change_queues_no_email():
    customer = CustomerFactory(email="ann@example.com")

    def change_that_fails():
        with transaction.atomic():
            queue(
                kind="test.note",
                subject="Never",
                body="Never sent.",
                about=customer,
                recipients=[Recipient(customer)],
            )
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert Email.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


@override_settings(MAILERS={"default": {"BACKEND": "tests.mail.test_mail_queue.BrokenMailServer"}})
def test_a_failing_mail_server_is_logged_not_raised():
    customer = CustomerFactory(email="ann@example.com")
    (email,) = _queue_one(customer)
    failed = Email.objects.get(pk=email.pk)
    assert failed.status == Email.Status.FAILED
    assert "Connection refused" in failed.error


def test_a_customer_without_an_address_is_logged_as_not_sent():
    customer = CustomerFactory(email="")
    (email,) = _queue_one(customer)
    assert Email.objects.get(pk=email.pk).status == Email.Status.NO_ADDRESS
    assert mail.outbox == []


def test_an_email_keyed_once_goes_once():
    customer = CustomerFactory(email="ann@example.com")
    assert len(_queue_one(customer, once_key="reminder:1:1")) == 1
    assert _queue_one(customer, once_key="reminder:1:1") == []
    assert len(mail.outbox) == 1


class BrokenMailServer:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("Connection refused")


class FlakyMailServer:
    """Says "try again later" (421) to the first `troubles` sends, then takes them."""

    troubles = 1

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        if FlakyMailServer.troubles > 0:
            FlakyMailServer.troubles -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        mail.outbox.extend(messages)
        return len(messages)


def _deferred():
    """The deliveries waiting in the queue for later, as (email id, seconds from now)."""
    now = timezone.now()
    waiting = DBTaskResult.objects.filter(status="READY", run_after__gt=now)
    return [(row.args_kwargs["args"][0], (row.run_after - now).total_seconds()) for row in waiting]


def _work_through_the_queue(now=None):
    """What the worker does once `now` comes: due tasks run, later ones wait."""
    if now is not None:
        DBTaskResult.objects.filter(status="READY", run_after__lte=now).update(
            run_after=timezone.now() - timedelta(seconds=1)
        )
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@override_settings(
    TASKS=DATABASE_QUEUE, MAILERS={"default": {"BACKEND": "tests.mail.test_mail_queue.FlakyMailServer"}}
)
def test_passing_trouble_at_the_mail_server_is_tried_again_later(monkeypatch):
    monkeypatch.setattr(FlakyMailServer, "troubles", 2)
    customer = CustomerFactory(email="ann@example.com")
    (email,) = _queue_one(customer)

    _work_through_the_queue()
    waiting = Email.objects.get(pk=email.pk)
    assert (waiting.status, waiting.attempts) == (Email.Status.QUEUED, 1)
    assert waiting.error == "SMTPServerDisconnected: Connection unexpectedly closed"
    [(email_id, seconds)] = _deferred()
    assert email_id == email.pk and 50 < seconds <= 60

    # Not before its time...
    _work_through_the_queue()
    assert Email.objects.get(pk=email.pk).attempts == 1 and mail.outbox == []
    # ...then again (trouble once more: five minutes), and then it goes.
    _work_through_the_queue(now=timezone.now() + timedelta(minutes=1))
    assert Email.objects.get(pk=email.pk).attempts == 2
    [(_, seconds)] = _deferred()
    assert 290 < seconds <= 300
    _work_through_the_queue(now=timezone.now() + timedelta(minutes=5))

    sent = Email.objects.get(pk=email.pk)
    assert (sent.status, sent.error, sent.attempts) == (Email.Status.SENT, "", 2)
    assert [message.to for message in mail.outbox] == [["ann@example.com"]]


@override_settings(
    TASKS=DATABASE_QUEUE, MAILERS={"default": {"BACKEND": "tests.mail.test_mail_queue.FlakyMailServer"}}
)
def test_after_the_last_try_the_email_is_marked_failed_for_send_again(monkeypatch):
    monkeypatch.setattr(FlakyMailServer, "troubles", 99)
    (email,) = _queue_one(CustomerFactory(email="ann@example.com"))
    _work_through_the_queue()
    for _ in RETRY_AFTER:
        _work_through_the_queue(now=timezone.now() + max(RETRY_AFTER))

    failed = Email.objects.get(pk=email.pk)
    assert (failed.status, failed.attempts) == (Email.Status.FAILED, len(RETRY_AFTER))
    assert failed.may_send_again and _deferred() == []


@pytest.mark.parametrize(
    ("error", "passing"),
    [
        (smtplib.SMTPServerDisconnected("closed"), True),
        (smtplib.SMTPConnectError(421, "busy"), True),
        (smtplib.SMTPDataError(451, "try later"), True),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"mailbox busy")}), True),
        (ConnectionRefusedError("refused"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")}), False),
        (
            smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"busy"), "b@example.com": (550, b"no")}),
            False,
        ),
        (smtplib.SMTPDataError(554, "rejected"), False),
        (smtplib.SMTPAuthenticationError(535, "bad password"), False),
        (smtplib.SMTPNotSupportedError("no STARTTLS"), False),
        (ValueError("bad header"), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_which_errors_are_worth_trying_again(error, passing):
    assert is_passing(error) is passing


@override_settings(MAILERS={"default": {"BACKEND": "tests.mail.test_mail_queue.FlakyMailServer"}})
def test_a_queue_that_cannot_wait_marks_the_email_failed_at_once(monkeypatch):
    """Development and tests run tasks at once, with no way to wait: no retry there."""
    monkeypatch.setattr(FlakyMailServer, "troubles", 1)
    (email,) = _queue_one(CustomerFactory(email="ann@example.com"))
    failed = Email.objects.get(pk=email.pk)
    assert (failed.status, failed.attempts) == (Email.Status.FAILED, 0)
