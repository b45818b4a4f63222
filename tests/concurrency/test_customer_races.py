"""Two desks changing the same customer at the same moment, on PostgreSQL.

SQLite serialises every writer, so a race cannot happen there; these run on PostgreSQL only.
"""

import threading

import pytest
from django.db import connection

from core.errors import KinshipError
from customers import services
from customers.models import Activity, Customer
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*actions):
    """Run each action in its own thread and connection, released together; return outcomes."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            outcomes[index] = action()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def actors():
    return UserFactory(username="desk-one"), UserFactory(username="desk-two")


def test_two_edits_from_the_same_form_version_save_once(on_postgres, actors):
    customer = CustomerFactory(first_name="Ann", phone="07700 900000")
    one, two = actors

    outcomes = race(
        lambda: services.update_customer(actor=one, customer_id=customer.pk, version=1, phone="07700 900001"),
        lambda: services.update_customer(actor=two, customer_id=customer.pk, version=1, phone="07700 900002"),
    )

    refused = [outcome for outcome in outcomes if isinstance(outcome, KinshipError)]
    saved = [outcome for outcome in outcomes if isinstance(outcome, Customer)]
    assert len(saved) == 1 and len(refused) == 1, outcomes
    assert refused[0].status == 409
    customer.refresh_from_db()
    assert customer.version == 2
    assert customer.phone == saved[0].phone
    assert Activity.objects.filter(customer=customer).count() == 1


def test_archiving_twice_at_once_archives_once(on_postgres, actors):
    customer = CustomerFactory()
    one, two = actors

    outcomes = race(
        lambda: services.archive_customer(actor=one, customer_id=customer.pk),
        lambda: services.archive_customer(actor=two, customer_id=customer.pk),
    )

    assert sum(isinstance(outcome, Customer) for outcome in outcomes) == 1, outcomes
    assert sum(isinstance(outcome, KinshipError) for outcome in outcomes) == 1, outcomes
    assert Activity.objects.filter(customer=customer, kind="customer.archived").count() == 1
