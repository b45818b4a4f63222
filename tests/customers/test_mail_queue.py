"""Emails in production: queued in the database when the change commits, sent by
`manage.py db_worker`, and logged with how it went; nothing goes out for a change that was
rolled back, and a failing mail server is recorded, not raised at the desk."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from customers.mail import Recipient, queue
from customers.models import Email
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


@override_settings(MAILERS={"default": {"BACKEND": "tests.customers.test_mail_queue.BrokenMailServer"}})
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
