"""The customer services: each change is saved whole, with its history line, or not at all."""

import pytest
from django.db import IntegrityError, transaction

from core.errors import KinshipError, StaleEdit
from customers import services
from customers.models import Activity, Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def history(customer):
    return [(line.kind, line.sentence) for line in Activity.objects.filter(customer=customer)]


def test_create_customer_writes_history_and_search_text(front_desk_user):
    customer = services.create_customer(
        actor=front_desk_user,
        first_name=" Anna ",
        last_name="O'Brien",
        email="Anna@Example.com",
        phone="+44 7700 900-123",
    )
    customer.refresh_from_db()
    assert customer.first_name == "Anna"
    assert customer.phone_digits == "447700900123"
    assert customer.search_text == "o'brien anna anna@example.com 447700900123"
    assert history(customer) == [("customer.created", "Customer created.")]
    assert Activity.objects.get(customer=customer).actor == front_desk_user


def test_update_customer_names_the_changed_fields(front_desk_user):
    customer = CustomerFactory(phone="07700 900001")
    services.update_customer(
        actor=front_desk_user,
        customer_id=customer.pk,
        version=customer.version,
        phone="07700 900002",
        notes="Prefers mornings.",
        first_name=customer.first_name,
    )
    customer.refresh_from_db()
    assert customer.phone_digits == "07700900002"
    assert customer.version == 2
    assert history(customer) == [("customer.updated", "Details changed: phone, notes.")]


def test_update_without_changes_writes_nothing(front_desk_user):
    customer = CustomerFactory()
    services.update_customer(
        actor=front_desk_user, customer_id=customer.pk, version=1, first_name=customer.first_name
    )
    customer.refresh_from_db()
    assert customer.version == 1
    assert history(customer) == []


def test_stale_edit_is_refused_and_changes_nothing(front_desk_user):
    customer = CustomerFactory(first_name="Ben")
    services.update_customer(actor=front_desk_user, customer_id=customer.pk, version=1, first_name="Benjamin")
    with pytest.raises(StaleEdit) as refused:
        services.update_customer(
            actor=front_desk_user, customer_id=customer.pk, version=1, first_name="Benny"
        )
    assert refused.value.status == 409
    customer.refresh_from_db()
    assert customer.first_name == "Benjamin"
    assert len(history(customer)) == 1


def test_unknown_customer_is_a_domain_error(front_desk_user):
    with pytest.raises(KinshipError, match="does not exist"):
        services.archive_customer(actor=front_desk_user, customer_id=987654)


def test_archive_and_restore_round_trip(front_desk_user):
    customer = CustomerFactory()
    services.archive_customer(actor=front_desk_user, customer_id=customer.pk)
    customer.refresh_from_db()
    assert customer.is_archived
    with pytest.raises(KinshipError, match="already archived"):
        services.archive_customer(actor=front_desk_user, customer_id=customer.pk)
    services.restore_customer(actor=front_desk_user, customer_id=customer.pk)
    customer.refresh_from_db()
    assert not customer.is_archived
    with pytest.raises(KinshipError, match="not archived"):
        services.restore_customer(actor=front_desk_user, customer_id=customer.pk)
    assert [kind for kind, _ in history(customer)] == ["customer.restored", "customer.archived"]


def test_merged_customers_cannot_be_changed(front_desk_user):
    survivor = CustomerFactory()
    tombstone = CustomerFactory(merged_into=survivor, merged_at=survivor.created_at)
    with pytest.raises(KinshipError, match="merged into another account"):
        services.update_customer(actor=front_desk_user, customer_id=tombstone.pk, version=1, notes="x")
    with pytest.raises(KinshipError, match="merged"):
        services.archive_customer(actor=front_desk_user, customer_id=tombstone.pk)


def test_a_failed_history_write_undoes_the_change(front_desk_user, monkeypatch):
    customer = CustomerFactory(first_name="Cara")

    def broken(**kwargs):
        raise RuntimeError("history is down")

    monkeypatch.setattr(services, "record_activity", broken)
    with pytest.raises(RuntimeError):
        services.update_customer(actor=front_desk_user, customer_id=customer.pk, version=1, first_name="Kara")
    customer.refresh_from_db()
    assert customer.first_name == "Cara"


def test_update_refuses_fields_that_are_not_editable(front_desk_user):
    customer = CustomerFactory()
    with pytest.raises(ValueError, match="merged_into"):
        services.update_customer(actor=front_desk_user, customer_id=customer.pk, version=1, merged_into=None)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"first_name": ""}, "customer_has_name"),
        ({"last_name": ""}, "customer_has_name"),
    ],
)
def test_database_refuses_nameless_customers(fields, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Customer.objects.create(**{"first_name": "A", "last_name": "B", **fields})


def test_database_refuses_merge_into_self_and_merge_without_time():
    customer = CustomerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(merged_into=customer.pk, merged_at=customer.created_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(merged_into=CustomerFactory().pk)


def test_activity_needs_a_message():
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.create(customer=CustomerFactory(), kind="x", message="")
