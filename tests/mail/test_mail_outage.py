"""The mail server is down for an hour: nothing is lost, and the queue catches up.

The database queue and its worker (`manage.py db_worker`) run as in production, under a fake
clock the test moves on from one due delivery to the next, so hours pass in a moment. The
fake mail server says what a real one says while it is down (a dropped connection, "421,
try again later") until an hour has passed, then takes everything.
"""

import smtplib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Min
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mail.models import Email
from mail.services import Recipient, queue
from mail.tasks import RETRY_AFTER
from tests.factories import CustomerFactory
from tests.mail.test_mail_queue import DATABASE_QUEUE

pytestmark = pytest.mark.django_db(transaction=True)

OUTAGE = timedelta(hours=1)


class Clock:
    """The time everyone reads (django.utils.timezone.now), moved on only by the test."""

    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


class MailServerDown:
    """Refuses every message until `back_at`, then takes them; keeps every try."""

    clock = back_at = None
    tries = []  # (when, address, taken)

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        cls, now = type(self), type(self).clock()
        taken = now >= cls.back_at
        cls.tries.extend((now, address, taken) for message in messages for address in message.to)
        if taken:
            return len(messages)
        if len(cls.tries) % 2:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        raise smtplib.SMTPConnectError(421, b"Service not available, try again later")


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def mail_server(clock, monkeypatch):
    monkeypatch.setattr(MailServerDown, "clock", clock)
    monkeypatch.setattr(MailServerDown, "back_at", clock.now + OUTAGE)
    monkeypatch.setattr(MailServerDown, "tries", [])
    backend = {"default": {"BACKEND": "tests.mail.test_mail_outage.MailServerDown"}}
    with override_settings(TASKS=DATABASE_QUEUE, MAILERS=backend):
        yield MailServerDown


def desk_change_emailing(customer):
    """What a desk's change does: record the email and queue its delivery as it commits."""
    with transaction.atomic():
        (email,) = queue(
            kind="test.note",
            subject="Booked",
            body="See you soon.",
            about=customer,
            recipients=[Recipient(customer)],
        )
    return email


def run_the_worker_until(clock, until):
    """Work through the queue as time passes: each delivery runs when it falls due."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    while (
        due := DBTaskResult.objects.filter(status="READY").aggregate(Min("run_after"))["run_after__min"]
    ) and (due <= until):
        clock.now = max(clock.now, due)
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    clock.now = max(clock.now, until)


def test_an_hour_without_a_mail_server_loses_no_email(clock, mail_server):
    start = clock.now
    customers = [CustomerFactory(email=f"client{n}@example.com") for n in range(3)]
    # Desks go on working through the outage: emails queued as it begins, midway, near its end.
    emails = []
    for customer, minutes in zip(customers, (0, 25, 59), strict=True):
        run_the_worker_until(clock, start + timedelta(minutes=minutes))
        emails.append(desk_change_emailing(customer))
    run_the_worker_until(clock, start + OUTAGE - timedelta(seconds=1))

    # Still down: every email is waiting for its next try, none given up on, none sent.
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.QUEUED}
    assert not any(taken for _, _, taken in mail_server.tries)

    run_the_worker_until(clock, start + 4 * OUTAGE)

    # The server is back: every email went, exactly once, within an hour of its return.
    for email in Email.objects.filter(pk__in=[e.pk for e in emails]):
        assert (email.status, email.error) == (Email.Status.SENT, ""), email
        assert mail_server.back_at <= email.sent_at <= mail_server.back_at + OUTAGE
    taken = sorted(address for _, address, took in mail_server.tries if took)
    assert taken == [f"client{n}@example.com" for n in range(3)]
    assert not DBTaskResult.objects.filter(status="READY").exists(), "a delivery still waiting"
    # ...and the server was not hammered while down: each email tried at growing intervals.
    for customer in customers:
        times = [when for when, address, _ in mail_server.tries if address == customer.email]
        assert len(times) <= len(RETRY_AFTER) + 1
        gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
        assert gaps == sorted(gaps) and gaps[0] >= RETRY_AFTER[0], gaps
