"""Links come in reciprocal pairs, made, changed and removed whole, with History on both."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.errors import KinshipError, StaleEdit
from customers.models import Activity
from linking import services
from linking.models import PERMISSION_FIELDS, Link, RelationshipType
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ALL = dict.fromkeys(PERMISSION_FIELDS, True)


def pairs():
    return sorted(
        (link.agent.first_name, link.principal.first_name, link.type.name) for link in Link.objects.all()
    )


def snapshot():
    return list(Link.objects.order_by("pk").values()), Activity.objects.count()


def refused(action, match):
    before = snapshot()
    with pytest.raises(KinshipError, match=match):
        action()
    assert snapshot() == before


def last_line(customer):
    return Activity.objects.filter(customer=customer).latest("id").sentence


def test_the_default_types_and_their_reverses(types):
    assert {name: kind.other_side.name for name, kind in types.items()} == {
        "Parent": "Child",
        "Child": "Parent",
        "Partner": "Partner",
        "Guardian": "Ward",
        "Ward": "Guardian",
        "Sibling": "Sibling",
        "Grandparent": "Grandchild",
        "Grandchild": "Grandparent",
        "Other": "Other",
    }
    assert types["Parent"].defaults() == ALL
    assert not any(types["Child"].defaults().values())


def test_linking_makes_both_halves_with_their_own_permissions(actor, anna, ben, types):
    link = services.link_customers(
        actor=actor,
        agent_id=anna.pk,
        principal_id=ben.pk,
        type_id=types["Parent"].pk,
        agent_may=ALL,
        principal_may={"receives_copies": True},
    )
    assert pairs() == [("Anna", "Ben", "Parent"), ("Ben", "Anna", "Child")]
    assert link.permissions() == [
        "Book and Manage Appointments",
        "Complete Intake Forms",
        "Receive Copies of Appointment Notification Emails",
        "Can Use Sessions from Packages",
    ]
    twin = Link.objects.get(agent=ben)
    assert twin.permissions() == ["Receive Copies of Appointment Notification Emails"]
    assert last_line(anna).startswith("Linked to Ben Smith: Anna is their Parent and may: Book and Manage")
    assert last_line(ben) == (
        "Linked to Anna Smith: Ben is their Child and may: Receive Copies of Appointment Notification Emails."
    )


def test_a_symmetric_type_is_its_own_reverse(actor, anna, ben, types):
    services.link_customers(actor=actor, agent_id=anna.pk, principal_id=ben.pk, type_id=types["Partner"].pk)
    assert pairs() == [("Anna", "Ben", "Partner"), ("Ben", "Anna", "Partner")]


def test_bad_links_are_refused_and_change_nothing(actor, anna, ben, types):
    parent = types["Parent"].pk
    services.link_customers(actor=actor, agent_id=anna.pk, principal_id=ben.pk, type_id=parent)

    def link(agent, principal, kind=parent):
        return lambda: services.link_customers(
            actor=actor, agent_id=agent, principal_id=principal, type_id=kind
        )

    refused(link(anna.pk, ben.pk), "already linked")
    refused(link(ben.pk, anna.pk), "already linked")  # the other way round is the same pair
    refused(link(anna.pk, anna.pk), "cannot be linked to themselves")
    refused(link(anna.pk, 999_999), "does not exist")
    archived = CustomerFactory(archived_at=timezone.now())
    refused(link(anna.pk, archived.pk), "is archived")
    tombstone = CustomerFactory(merged_into=anna, merged_at=timezone.now())
    refused(link(tombstone.pk, ben.pk), "was merged")
    cara = CustomerFactory()
    refused(link(anna.pk, cara.pk, 999_999), "Choose how they are related")
    RelationshipType.objects.filter(pk=types["Sibling"].pk).update(is_active=False)
    refused(link(anna.pk, cara.pk, types["Sibling"].pk), "“Sibling” is retired")


def test_change_type_and_permissions_on_both_sides_and_refuse_stale(actor, anna, ben, types):
    link = services.link_customers(
        actor=actor, agent_id=anna.pk, principal_id=ben.pk, type_id=types["Parent"].pk
    )
    services.change_link(
        actor=actor,
        link_id=link.pk,
        version=link.version,
        type_id=types["Guardian"].pk,
        agent_may={"can_book": True},
        principal_may={"receives_copies": True},
    )
    assert pairs() == [("Anna", "Ben", "Guardian"), ("Ben", "Anna", "Ward")]
    assert Link.objects.get(agent=anna).permissions() == ["Book and Manage Appointments"]
    assert last_line(ben).startswith("Link to Anna Smith changed: Ben is their Ward")
    before = snapshot()
    with pytest.raises(StaleEdit):
        services.change_link(
            actor=actor,
            link_id=link.pk,
            version=link.version,
            type_id=types["Parent"].pk,
            agent_may={},
            principal_may={},
        )
    assert snapshot() == before


def test_a_retired_type_stays_on_its_links(actor, anna, ben, types):
    link = services.link_customers(
        actor=actor, agent_id=anna.pk, principal_id=ben.pk, type_id=types["Parent"].pk
    )
    RelationshipType.objects.filter(pk__in=[types["Parent"].pk, types["Child"].pk]).update(is_active=False)
    changed = services.change_link(
        actor=actor, link_id=link.pk, version=1, type_id=types["Parent"].pk, agent_may={}, principal_may={}
    )
    assert changed.type_id == types["Parent"].pk and changed.permissions() == []


def test_unlink_removes_both_halves(actor, anna, ben, types):
    link = services.link_customers(
        actor=actor, agent_id=anna.pk, principal_id=ben.pk, type_id=types["Child"].pk
    )
    services.unlink(actor=actor, link_id=Link.objects.get(agent=ben).pk)
    assert not Link.objects.exists()
    assert last_line(anna) == "Unlinked from Ben Smith (was their Child)."
    assert last_line(ben) == "Unlinked from Anna Smith (was their Parent)."
    refused(lambda: services.unlink(actor=actor, link_id=link.pk), "no longer exists")


def test_the_database_refuses_a_self_link_and_a_second_link(anna, ben, types):
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(agent=anna, principal=anna, type=types["Other"])
    Link.objects.bulk_create(
        [
            Link(agent=anna, principal=ben, type=types["Other"]),
            Link(agent=ben, principal=anna, type=types["Other"]),
        ]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(agent=anna, principal=ben, type=types["Partner"])


def test_on_postgresql_a_lone_half_cannot_be_committed(anna, ben, types, on_postgres):
    """The deferred foreign key from each row to its twin (migration 0002) is checked at commit."""

    def commit_a_lone_half():
        with transaction.atomic():
            Link.objects.create(agent=anna, principal=ben, type=types["Other"])
            with connection.cursor() as cursor:  # check now rather than at the test's end
                cursor.execute("SET CONSTRAINTS link_has_its_twin IMMEDIATE")

    with pytest.raises(IntegrityError, match="link_has_its_twin"):
        commit_a_lone_half()
    assert not Link.objects.exists()
