"""A worker claims an email (Sending) before it talks to the mail server. One that stops
between its claim and its record leaves the email Sending: after LEASE it is queued again
(by the hourly `send_reminders`, or `requeue_stalled_emails`), so it is not lost, at the
risk, said plainly, of reaching its recipient twice. A worker that was only slow still
records its send, and the email does not go again."""

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
from mail.tasks import LEASE, deliver_email, requeue_stalled
from tests.factories import CustomerFactory
from tests.mail.test_mail_queue import DATABASE_QUEUE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("database_queue")]


@pytest.fixture
def database_queue():
    with override_settings(TASKS=DATABASE_QUEUE):
        yield


def queued_to(address):
    customer = CustomerFactory(email=address)
    with transaction.atomic():
        (email,) = queue(
            kind="test.note", subject="Hello", body="Hello.", about=customer, recipients=[Recipient(customer)]
        )
    DBTaskResult.objects.all().delete()  # its delivery ran (the claim below) or stopped
    return email


def claimed(email, ago):
    """As a worker leaves it when it stops after claiming the email `ago`."""
    Email.objects.filter(pk=email.pk).update(status=Email.Status.SENDING, claimed_at=timezone.now() - ago)


def run_the_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_an_email_left_sending_by_a_stopped_worker_goes_after_the_hourly_run(capsys):
    stalled, busy = queued_to("ann@example.com"), queued_to("bob@example.com")
    claimed(stalled, LEASE + timedelta(minutes=1))
    claimed(busy, LEASE - timedelta(minutes=1))  # a worker still within its lease: its own

    call_command("send_reminders")
    assert "1 stalled emails queued again." in capsys.readouterr().out
    run_the_worker()

    again = Email.objects.get(pk=stalled.pk)
    assert again.status == Email.Status.SENT and again.sent_at is not None
    assert Email.objects.get(pk=busy.pk).status == Email.Status.SENDING
    assert [message.to for message in mail.outbox] == [["ann@example.com"]]
    assert requeue_stalled() == 0


class SlowerThanTheLease:
    """Takes the message, but only after the hourly run has found its claim too old."""

    clock = None

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        SlowerThanTheLease.clock.wait(LEASE + timedelta(minutes=1))
        assert requeue_stalled() == 1
        mail.outbox.extend(messages)
        return len(messages)


class Clock:
    """timezone.now, but able to wait a while in no time."""

    def __init__(self, now):
        self.now, self.waited = now, timedelta(0)

    def __call__(self):
        return self.now() + self.waited

    def wait(self, how_long):
        self.waited += how_long


@override_settings(MAILERS={"default": {"BACKEND": "tests.mail.test_mail_claims.SlowerThanTheLease"}})
def test_a_worker_slower_than_its_lease_still_records_its_send_and_it_goes_once(monkeypatch):
    monkeypatch.setattr(SlowerThanTheLease, "clock", Clock(timezone.now))
    monkeypatch.setattr(timezone, "now", SlowerThanTheLease.clock)
    email = queued_to("ann@example.com")

    assert deliver_email.call(email.pk) == Email.Status.SENT
    # The delivery queued by the hourly run finds it sent, and sends nothing more.
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    run_the_worker()

    sent = Email.objects.get(pk=email.pk)
    assert (sent.status, sent.error) == (Email.Status.SENT, "")
    assert [message.to for message in mail.outbox] == [["ann@example.com"]]
