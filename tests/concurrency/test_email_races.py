"""Two desks pressing Send Again on one failed email at the same moment, on PostgreSQL.

SQLite serialises every writer, so a race cannot happen there. The email's row lock decides:
one desk sends it again, the other is told it already was, and only one new email is queued.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from waffle.testutils import override_switch

from customers.models import Activity
from linking import services as link_services
from linking.features import ACCOUNT_LINKING
from linking.models import RelationshipType
from mail import services
from mail.models import Email
from mail.services import Recipient, queue
from mail.tasks import deliver_email
from tests.concurrency.test_group_races import race, refusals
from tests.concurrency.test_merge_races import ORDERS, in_order
from tests.factories import CustomerFactory, UserFactory
from tests.mail.test_mail_queue import DATABASE_QUEUE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("order", ORDERS)
def test_two_desks_sending_a_failed_email_again_send_it_once(on_postgres, order):
    one, two = (
        UserFactory(username="desk-one"),
        UserFactory(username="desk-two"),
    )
    ann = CustomerFactory(first_name="Ann", email="ann@example.com")
    (failed,) = queue(
        kind="test.note", subject="Hello", body="Hello.", about=ann, recipients=[Recipient(ann)]
    )
    Email.objects.filter(pk=failed.pk).update(status=Email.Status.FAILED, error="SMTPServerDisconnected")

    def sending_again(desk):
        return lambda: services.send_email_again(actor=desk, email_id=failed.pk)

    outcomes = race(*in_order(order, sending_again(one), sending_again(two)))

    refused = refusals(outcomes)
    assert [error.message for error in refused] == ["That email was already sent again."], outcomes
    again = Email.objects.exclude(pk=failed.pk).get()
    assert Email.objects.get(pk=failed.pk).sent_again_as == again
    assert Activity.objects.filter(customer=ann, kind="email.sent_again").count() == 1


def test_an_email_locked_when_its_turn_comes_is_looked_at_again_later(on_postgres):
    """A merge moving a customer's emails holds their rows until it commits. The worker
    neither waits for it nor drops the email: it comes back to it a minute later."""
    ann = CustomerFactory(first_name="Ann", email="ann@example.com")
    with override_settings(TASKS=DATABASE_QUEUE):
        with transaction.atomic():
            (email,) = queue(
                kind="test.note", subject="Hello", body="Hello.", about=ann, recipients=[Recipient(ann)]
            )
        DBTaskResult.objects.all().delete()
        held, release = threading.Event(), threading.Event()

        def merge_holding_the_row():
            with transaction.atomic():
                Email.objects.select_for_update().get(pk=email.pk)
                held.set()
                release.wait(10)
            connection.close()

        holder = threading.Thread(target=merge_holding_the_row)
        holder.start()
        held.wait(10)
        try:
            outcome = deliver_email.call(email.pk)
        finally:
            release.set()
            holder.join(10)

        assert outcome == "busy: tried again later"
        [waiting] = DBTaskResult.objects.all()
        assert waiting.args_kwargs["args"] == [email.pk]
        assert 50 < (waiting.run_after - timezone.now()).total_seconds() <= 60
        assert Email.objects.get(pk=email.pk).status == Email.Status.QUEUED


@pytest.mark.parametrize("order", ORDERS)
def test_sending_a_copy_again_while_the_link_is_removed_never_sends_it_after(on_postgres, order):
    """Dora's copy about Eli failed; one desk presses Send Again as another removes Dora's
    link. Sent before the unlink, or refused after it: never sent once she has lost it."""
    one, two = (
        UserFactory(username="desk-one"),
        UserFactory(username="desk-two"),
    )
    eli = CustomerFactory(first_name="Eli", last_name="Brown", email="eli@example.com")
    dora = CustomerFactory(first_name="Dora", last_name="Brown", email="dora@example.com")
    with override_switch(ACCOUNT_LINKING, active=True):
        other = RelationshipType.objects.get_or_create(name="Other")[0]
        link = link_services.link_customers(
            actor=one,
            agent_id=dora.pk,
            principal_id=eli.pk,
            type_id=other.pk,
            agent_may={"receives_copies": True},
        )
        (failed,) = queue(
            kind="booking.confirmation",
            subject="Booked",
            body="Booked.",
            about=eli,
            recipients=[Recipient(dora)],
        )
        Email.objects.filter(pk=failed.pk).update(status=Email.Status.FAILED, error="SMTPServerDisconnected")

        def send_again():
            return services.send_email_again(actor=one, email_id=failed.pk)

        def unlink():
            return link_services.unlink(actor=two, link_id=link.pk)

        outcomes = race(*in_order(order, unlink, send_again))

    refused = refusals(outcomes)
    sent_again = Email.objects.filter(pk=failed.pk, sent_again_as__isnull=False).exists()
    assert sent_again != bool(refused), outcomes
    if order == "first ahead":  # the unlink went first: nothing goes to Dora
        assert [error.message for error in refused] == [
            "Dora Brown no longer gets copies for Eli Brown; nothing was sent."
        ]
    if order == "second ahead":
        assert sent_again
