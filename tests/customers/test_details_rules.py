"""A customer's details obey the same rules whoever writes them: the form, the services
(for every other caller) and, where it can say them, the database."""

from datetime import date, timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from core.errors import KinshipError
from customers import services
from customers.models import Activity, Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"date_of_birth": date(2999, 1, 1)}, "date of birth: The date of birth cannot be in the future."),
        ({"date_of_birth": date.today() + timedelta(days=1)}, "date of birth: The date of birth cannot be"),
        ({"date_of_birth": date(1899, 12, 31)}, "date of birth: Enter a date of birth after 1900."),
        ({"first_name": "Evil\r\nBcc: x@example.com"}, "first name: Use one line of ordinary characters"),
        ({"phone": "07700\u202e900"}, "phone: Use one line of ordinary characters"),
    ],
)
def test_the_services_refuse_what_the_form_refuses(actor, details, message):
    customer = CustomerFactory(first_name="Ann")
    before = (list(Customer.objects.values()), Activity.objects.count())

    with pytest.raises(KinshipError, match=f"^{message}"):
        services.update_customer(actor=actor, customer_id=customer.pk, version=customer.version, **details)
    with pytest.raises(KinshipError, match=f"^{message}"):
        services.create_customer(actor=actor, **{"first_name": "Bo", "last_name": "Lee", **details})

    assert (list(Customer.objects.values()), Activity.objects.count()) == before


def test_today_and_1900_are_dates_of_birth(actor):
    customer = services.create_customer(
        actor=actor, first_name="New", last_name="Born", date_of_birth=date.today()
    )
    services.update_customer(actor=actor, customer_id=customer.pk, version=1, date_of_birth=date(1900, 1, 1))
    assert Customer.objects.get(pk=customer.pk).date_of_birth == date(1900, 1, 1)


def test_the_database_refuses_a_date_of_birth_before_1900():
    customer = CustomerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(date_of_birth=date(1850, 2, 3))


def test_the_edit_form_says_why_and_changes_nothing(desk):
    customer = CustomerFactory(first_name="Ann", date_of_birth=date(1990, 5, 1))
    data = {"first_name": "Ann", "last_name": customer.last_name, "date_of_birth": "2999-01-01", "version": 1}
    response = desk.post(f"/customers/{customer.pk}/edit/", data)
    assert response.status_code == 200
    assert "The date of birth cannot be in the future." in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).date_of_birth == date(1990, 5, 1)


def test_the_migration_clears_impossible_dates_of_birth_and_says_so_in_history():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot drop a constraint in place; the PostgreSQL run checks this.")
    migration = import_module("customers.migrations.0014_born_after_1900")
    kept = CustomerFactory(date_of_birth=date(1950, 1, 1))
    slip = CustomerFactory(date_of_birth=date(1950, 2, 3))
    future = CustomerFactory(date_of_birth=date(1950, 2, 3))
    # The migration cleans up before it makes the constraint: drop it for the length of the
    # test, whose transaction puts it back.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no checks pending before an ALTER
        cursor.execute("ALTER TABLE customers_customer DROP CONSTRAINT customer_born_after_1900")
        cursor.execute("UPDATE customers_customer SET date_of_birth = '1850-02-03' WHERE id = %s", [slip.pk])
        cursor.execute(
            "UPDATE customers_customer SET date_of_birth = '2999-01-01' WHERE id = %s", [future.pk]
        )

    migration.clear_impossible_dates_of_birth(apps, None)

    for customer in (slip, future, kept):
        customer.refresh_from_db()
    assert (slip.date_of_birth, future.date_of_birth, kept.date_of_birth) == (None, None, date(1950, 1, 1))
    assert [line.sentence for line in Activity.objects.filter(customer=slip)] == [
        "Date of birth 03 Feb 1850 cleared: dates before 1900 are not kept."
    ]
    assert [line.sentence for line in Activity.objects.filter(customer=future)] == [
        "Date of birth 01 Jan 2999 cleared: it was in the future."
    ]
    assert not Activity.objects.filter(customer=kept).exists()
