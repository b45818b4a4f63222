"""The worker sending an email while a desk merges its customer, and two workers handed the
same email, on PostgreSQL.

SQLite serialises every writer, so a race cannot happen there. The mail server here is a fake
that holds each send until the test lets it go, as a slow server would: the worker has
claimed the email (Sending, committed) and holds no lock while it waits, so the merge goes
ahead, and the claim, not a lock held through the send, is what keeps a second worker from
sending the email again.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from mail.models import Email
from mail.services import Recipient, queue
from mail.tasks import deliver_email
from tests.concurrency.test_merge_races import merging
from tests.factories import CustomerFactory, UserFactory
from tests.mail.test_mail_queue import DATABASE_QUEUE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

#: Long enough for a merge on a busy machine, far shorter than the send is held.
PROMPTLY = 5


class SlowMailServer:
    """Takes each message only once the test sets `release`; counts every send it is asked for."""

    sends = []
    started = threading.Event()
    release = threading.Event()

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        SlowMailServer.sends.extend(message.to for message in messages)
        SlowMailServer.started.set()
        assert SlowMailServer.release.wait(timeout=30), "the test never let the send go"
        return len(messages)


@pytest.fixture
def slow_mail_server(monkeypatch):
    monkeypatch.setattr(SlowMailServer, "sends", [])
    monkeypatch.setattr(SlowMailServer, "started", threading.Event())
    monkeypatch.setattr(SlowMailServer, "release", threading.Event())
    backend = {"default": {"BACKEND": "tests.concurrency.test_email_delivery_races.SlowMailServer"}}
    # The database queue: queueing sends nothing, and the test hands the email to workers.
    with override_settings(TASKS=DATABASE_QUEUE, MAILERS=backend):
        yield SlowMailServer
    SlowMailServer.release.set()  # never leave a worker thread waiting, whatever failed


def queued_email(customer):
    with transaction.atomic():
        (email,) = queue(
            kind="test.note", subject="Hello", body="Hello.", about=customer, recipients=[Recipient(customer)]
        )
    DBTaskResult.objects.all().delete()  # the workers below are handed it by hand
    return email


def in_thread(action):
    """Start `action` in its own thread and database connection; the thread keeps its outcome."""
    outcome = {}

    def run():
        try:
            outcome["value"] = action()
        except Exception as error:
            outcome["value"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.outcome = outcome
    thread.start()
    return thread


def test_a_merge_goes_ahead_while_the_worker_waits_on_a_slow_mail_server(on_postgres, slow_mail_server):
    """The duplicate's confirmation is with the mail server when a manager merges her into
    the survivor. The merge moves the email at once, and the worker's record (Sent) keeps the
    move: the log shows it under the survivor."""
    anna = CustomerFactory(first_name="Anna", last_name="Smith", email="anna@example.com")
    dupe = CustomerFactory(first_name="Anna", last_name="Smyth", email="smyth@example.com")
    email = queued_email(dupe)
    merge = merging(UserFactory(username="manager"), anna, dupe)

    worker = in_thread(lambda: deliver_email.call(email.pk))
    assert slow_mail_server.started.wait(timeout=10), "the worker never reached the mail server"

    desk = in_thread(merge)
    desk.join(timeout=PROMPTLY)
    merged_while_sending = not desk.is_alive()
    seen_during_the_send = Email.objects.values_list("status", "recipient").get(pk=email.pk)
    slow_mail_server.release.set()
    worker.join(timeout=30)
    desk.join(timeout=30)

    assert merged_while_sending, "the merge waited for the mail server"
    # The Emails tab of the survivor shows it under way.
    assert seen_during_the_send == (Email.Status.SENDING, anna.pk)
    assert not isinstance(desk.outcome["value"], Exception), desk.outcome
    assert worker.outcome["value"] == Email.Status.SENT
    sent = Email.objects.get(pk=email.pk)
    assert (sent.status, sent.recipient, sent.about) == (Email.Status.SENT, anna, anna)
    assert sent.to_address == "smyth@example.com"  # the address it went to, as it was queued
    assert slow_mail_server.sends == [["smyth@example.com"]]


@pytest.mark.parametrize("when", ["at once", "while the first sends"])
def test_two_workers_given_one_email_send_it_once(on_postgres, slow_mail_server, when):
    """The queue hands one email to two workers (a task run twice): at the same moment, or
    the second while the first is talking to the mail server. The one that claims it sends
    it; the other finds it claimed (Sending, committed for all to see) and sends nothing,
    then or later, and does not wait for the send."""
    ann = CustomerFactory(first_name="Ann", email="ann@example.com")
    email = queued_email(ann)
    barrier = threading.Barrier(2 if when == "at once" else 1)

    def worker():
        barrier.wait()
        return deliver_email.call(email.pk)

    first = in_thread(worker)
    if when == "while the first sends":
        assert slow_mail_server.started.wait(timeout=10), "the first worker never reached the mail server"
    second = in_thread(worker)
    assert slow_mail_server.started.wait(timeout=10), "no worker reached the mail server"
    for thread in (first, second):
        thread.join(timeout=PROMPTLY / 2)
    still_sending = [thread for thread in (first, second) if thread.is_alive()]
    seen_during_the_send = Email.objects.get(pk=email.pk).status
    slow_mail_server.release.set()
    for thread in (first, second):
        thread.join(timeout=30)

    assert slow_mail_server.sends == [["ann@example.com"]]
    assert len(still_sending) == 1, "both workers waited on the mail server"
    assert seen_during_the_send == Email.Status.SENDING
    outcomes = sorted(str(thread.outcome["value"]) for thread in (first, second))
    assert outcomes in (["not queued", "sent"], ["busy: tried again later", "sent"]), outcomes
    # A worker that met the claim being made looks again a minute later: it sends nothing.
    for later in DBTaskResult.objects.all():
        assert deliver_email.call(*later.args_kwargs["args"]) == "not queued"
    assert slow_mail_server.sends == [["ann@example.com"]]
    sent = Email.objects.get(pk=email.pk)
    assert (sent.status, sent.attempts) == (Email.Status.SENT, 0)
