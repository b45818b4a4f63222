"""Two desks pressing Send Again on one failed email at the same moment, on PostgreSQL.

SQLite serialises every writer, so a race cannot happen there. The email's row lock decides:
one desk sends it again, the other is told it already was, and only one new email is queued.
"""

import pytest

from customers import services
from customers.mail import Recipient, queue
from customers.models import Activity, Email
from tests.concurrency.test_group_races import race, refusals
from tests.concurrency.test_merge_races import ORDERS, in_order
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("order", ORDERS)
def test_two_desks_sending_a_failed_email_again_send_it_once(on_postgres, order):
    one, two = (
        UserFactory(username="desk-one", is_staff=True),
        UserFactory(username="desk-two", is_staff=True),
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
