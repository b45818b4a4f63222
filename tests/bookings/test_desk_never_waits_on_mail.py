"""No desk waits on the mail server: with the database queue (production's), booking through
the page records the confirmation and queues its delivery, and the page answers without
the mail server being asked anything; the worker talks to it later, and its trouble (down
for an hour, say) is the worker's to wait out, not the desk's."""

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from bookings.models import Appointment
from mail.models import Email
from mail.tasks import deliver_email
from tests.bookings.helpers import ahead
from tests.bookings.test_views import book_url, booking, tab_url
from tests.factories import CustomerFactory
from tests.mail.test_mail_queue import DATABASE_QUEUE

pytestmark = pytest.mark.django_db


class MailServerNobodyShouldWaitOn:
    """Counts every time it is asked to send, and is down (as if it never answered)."""

    asked = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        MailServerNobodyShouldWaitOn.asked.extend(message.to for message in messages)
        raise TimeoutError("timed out")


@pytest.fixture
def mail_server(monkeypatch):
    monkeypatch.setattr(MailServerNobodyShouldWaitOn, "asked", [])
    backend = {
        "default": {"BACKEND": "tests.bookings.test_desk_never_waits_on_mail.MailServerNobodyShouldWaitOn"}
    }
    with override_settings(TASKS=DATABASE_QUEUE, MAILERS=backend):
        yield MailServerNobodyShouldWaitOn


def test_booking_at_the_desk_only_queues_the_confirmation(
    desk, bookings_on, catalogue, mail_server, django_capture_on_commit_callbacks
):
    olly = CustomerFactory(first_name="Olly", last_name="Out", email="olly@example.com")

    # The commit hooks run as the request's transaction commits, as in production.
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(book_url(olly), booking(catalogue.haircut, ahead(2, 15), olly))

    assert response.status_code == 302 and response.url == tab_url(olly)
    assert Appointment.objects.filter(attendee=olly).exists()
    assert mail_server.asked == [], "the desk's request talked to the mail server"
    (email,) = Email.objects.filter(kind="booking.confirmation")
    assert (email.status, email.attempts) == (Email.Status.QUEUED, 0)
    [(task, args)] = DBTaskResult.objects.values_list("task_path", "args_kwargs")
    assert (task, args["args"]) == ("mail.tasks.deliver_email", [email.pk])

    # The worker meets the server down: the email waits for its next try, the desk never knew.
    assert deliver_email.call(email.pk) == Email.Status.QUEUED
    assert mail_server.asked == [["olly@example.com"]]
    email.refresh_from_db()
    assert (email.status, email.attempts, email.error) == (Email.Status.QUEUED, 1, "TimeoutError: timed out")
