"""Merging a duplicate into the customer who stays: every relation moves, nothing is lost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import KinshipError, StaleEdit
from customers import merging
from customers.merging import merge_token
from customers.models import Activity, Customer, Merge
from customers.services import merge_customers, undo_merge
from groups import services as group_services
from groups.models import GroupMember, Role
from linking import services as link_services
from linking.models import Link, RelationshipType
from tests.factories import ActivityFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def merge(actor, survivor, absorbed):
    survivor.refresh_from_db()
    absorbed.refresh_from_db()
    return merge_customers(
        actor=actor, survivor_id=survivor.pk, absorbed_id=absorbed.pk, token=merge_token(survivor, absorbed)
    )


def everything():
    """Every row of every table a merge may touch, to compare before and after a refusal."""
    return (
        list(Customer.objects.order_by("pk").values()),
        list(Activity.objects.order_by("pk").values()),
        list(GroupMember.objects.order_by("pk").values()),
        list(Link.objects.order_by("pk").values()),
        list(Merge.objects.order_by("pk").values()),
    )


def test_every_relation_to_customer_has_a_merge_rule():
    """A new model pointing at Customer must say how a merge treats it (customers/merging.py)."""
    missing = [f"{model._meta.label}.{field}" for model, field, rule in merging.relations() if rule is None]
    assert missing == []
    found = {(model._meta.label, field) for model, field, _ in merging.relations()}
    assert {
        ("customers.Activity", "customer"),
        ("groups.GroupMember", "customer"),
        ("linking.Link", "agent"),
    } <= found


def test_merge_moves_everything_and_leaves_a_tombstone(actor, labels):
    anna, dupe = CustomerFactory(first_name="Anna"), CustomerFactory(first_name="Anna", last_name="Dupe")
    ActivityFactory.create_batch(3, customer=dupe)
    ben = CustomerFactory(first_name="Ben")
    group_services.create_group(
        actor=actor,
        owner_id=dupe.pk,
        owner_label_id=labels["Parent"].pk,
        member_id=ben.pk,
        member_label_id=labels["Child"].pk,
    )
    parent = RelationshipType.objects.get(name="Parent")
    link_services.link_customers(actor=actor, agent_id=dupe.pk, principal_id=ben.pk, type_id=parent.pk)
    old_tombstone = CustomerFactory(first_name="Older", merged_into=dupe, merged_at=dupe.created_at)
    record = merge(actor, anna, dupe)
    dupe.refresh_from_db()
    assert dupe.merged_into == anna and dupe.merged_at is not None
    assert GroupMember.objects.get(customer=anna).role == Role.OWNER
    assert (
        Link.objects.filter(agent=anna, principal=ben).exists()
        and Link.objects.filter(agent=ben, principal=anna).exists()
    )
    assert (
        not GroupMember.objects.filter(customer=dupe).exists()
        and not Link.objects.filter(agent=dupe).exists()
    )
    old_tombstone.refresh_from_db()
    assert old_tombstone.merged_into == anna  # straight at the survivor, never a chain
    assert dict(record.moved) == {
        "history lines": 6,  # 3 made here, and created-group, linked, and the member-added line
        "group places": 1,
        "links": 1,
        "accounts merged into it before": 1,
    }
    assert Activity.objects.filter(customer=dupe).get().sentence == (
        f"Merged into Anna {anna.last_name} (#{anna.pk}); everything moved there."
    )
    survivor_line = Activity.objects.filter(customer=anna, kind="customer.merged").get().sentence
    assert survivor_line == (
        f"Merged Anna Dupe (#{dupe.pk}) into this account; moved here: accounts merged into it before: 1; "
        "history lines: 6; group places: 1; links: 1."
    )


@pytest.mark.parametrize("case", ["same", "absorbed merged", "survivor merged", "two groups"])
def test_refused_merges_change_nothing(actor, labels, case):
    anna, dupe = CustomerFactory(first_name="Anna"), CustomerFactory(first_name="Dupe")
    if case == "same":
        dupe = anna
    elif case == "absorbed merged":
        Customer.objects.filter(pk=dupe.pk).update(merged_into=CustomerFactory(), merged_at=anna.created_at)
    elif case == "survivor merged":
        Customer.objects.filter(pk=anna.pk).update(merged_into=CustomerFactory(), merged_at=anna.created_at)
    else:
        for owner in (anna, dupe):
            group_services.create_group(actor=actor, owner_id=owner.pk, owner_label_id=labels["Parent"].pk)
    before = everything()
    with pytest.raises(KinshipError) as refused:
        merge(actor, anna, dupe)
    assert refused.value.message
    assert everything() == before


def test_in_the_same_group_the_places_fold_and_the_stronger_role_stays(actor, labels):
    anna, dupe = CustomerFactory(first_name="Anna"), CustomerFactory(first_name="Dupe")
    group = group_services.create_group(
        actor=actor,
        owner_id=dupe.pk,
        owner_label_id=labels["Parent"].pk,
        member_id=anna.pk,
        member_label_id=labels["Child"].pk,
    )
    merge(actor, anna, dupe)
    assert list(GroupMember.objects.filter(group=group).values_list("customer_id", "role")) == [
        (anna.pk, "owner")
    ]


def test_links_to_the_same_customer_fold_into_one_with_the_wider_permissions(actor, types):
    anna, dupe, ben = CustomerFactory(), CustomerFactory(), CustomerFactory()
    link_services.link_customers(
        actor=actor,
        agent_id=anna.pk,
        principal_id=ben.pk,
        type_id=types["Parent"].pk,
        agent_may={"can_book": True},
    )
    link_services.link_customers(
        actor=actor,
        agent_id=dupe.pk,
        principal_id=ben.pk,
        type_id=types["Guardian"].pk,
        agent_may={"receives_copies": True},
        principal_may={"can_use_packages": True},
    )
    link_services.link_customers(
        actor=actor, agent_id=anna.pk, principal_id=dupe.pk, type_id=types["Sibling"].pk
    )
    merge(actor, anna, dupe)
    mine = Link.objects.get(agent=anna, principal=ben)
    assert mine.type.name == "Parent"  # the survivor's own link is the one kept
    assert mine.permissions() == [
        "Book and Manage Appointments",
        "Receive Copies of Appointment Notification Emails",
    ]
    assert Link.objects.get(agent=ben, principal=anna).permissions() == ["Can Use Sessions from Packages"]
    assert Link.objects.count() == 2  # the fold left one pair; the link between the two went


def test_a_stale_preview_is_refused(actor):
    anna, dupe = CustomerFactory(), CustomerFactory()
    token = merge_token(anna, dupe)
    Customer.objects.filter(pk=dupe.pk).update(version=dupe.version + 1)  # edited at another desk
    before = everything()
    with pytest.raises(StaleEdit):
        merge_customers(actor=actor, survivor_id=anna.pk, absorbed_id=dupe.pk, token=token)
    assert everything() == before


def test_a_merge_takes_the_same_queries_however_long_the_history(actor):
    counts = []
    for lines in (2, 60):
        anna, dupe = CustomerFactory(), CustomerFactory()
        ActivityFactory.create_batch(lines, customer=dupe)
        anna.refresh_from_db(), dupe.refresh_from_db()
        with CaptureQueriesContext(connection) as captured:
            merge_customers(
                actor=actor, survivor_id=anna.pk, absorbed_id=dupe.pk, token=merge_token(anna, dupe)
            )
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_details_the_survivor_lacks_are_filled_in_and_notes_kept(actor):
    anna = CustomerFactory(email="", phone="", date_of_birth=None, notes="Prefers mornings.")
    dupe = CustomerFactory(email="anna@example.com", phone="07700 900123", notes="Allergic to latex.")
    record = merge(actor, anna, dupe)
    anna.refresh_from_db()
    assert (anna.email, anna.phone, anna.phone_digits) == ("anna@example.com", "07700 900123", "07700900123")
    assert anna.date_of_birth == dupe.date_of_birth
    assert anna.notes == "Prefers mornings.\n\nAllergic to latex."
    record.refresh_from_db()  # as stored: JSON lists
    assert ["details filled in", "email, phone, date of birth, notes"] in record.moved


def rows_without_history():
    """Every row a merge touches, less the history lines and versions a merge and its undo add."""
    customers = [
        {k: v for k, v in row.items() if k not in ("version", "updated_at")}
        for row in Customer.objects.order_by("pk").values()
    ]
    places = [
        {k: v for k, v in row.items() if k != "version"}
        for row in GroupMember.objects.order_by("pk").values()
    ]
    links = [{k: v for k, v in row.items() if k != "version"} for row in Link.objects.order_by("pk").values()]
    history = list(
        Activity.objects.exclude(kind__in=["customer.merged", "customer.unmerged"]).order_by("pk").values()
    )
    return customers, places, links, history


def test_undo_merge_puts_everything_back(actor, labels, types):
    """Merge, then undo: every row is as it was, folds included (links combined, group places)."""
    anna, dupe, ben, cara = (CustomerFactory(first_name=n) for n in ("Anna", "Dupe", "Ben", "Cara"))
    Customer.objects.filter(pk=anna.pk).update(phone="", phone_digits="", notes="")
    ActivityFactory.create_batch(3, customer=dupe)
    group_services.create_group(
        actor=actor,
        owner_id=dupe.pk,
        owner_label_id=labels["Parent"].pk,
        member_id=anna.pk,
        member_label_id=labels["Child"].pk,
    )
    link_services.link_customers(
        actor=actor,
        agent_id=anna.pk,
        principal_id=ben.pk,
        type_id=types["Parent"].pk,
        agent_may={"can_book": True},
    )
    link_services.link_customers(
        actor=actor,
        agent_id=dupe.pk,
        principal_id=ben.pk,
        type_id=types["Guardian"].pk,
        agent_may={"receives_copies": True},
    )
    link_services.link_customers(
        actor=actor, agent_id=dupe.pk, principal_id=cara.pk, type_id=types["Sibling"].pk
    )
    link_services.link_customers(
        actor=actor, agent_id=anna.pk, principal_id=dupe.pk, type_id=types["Partner"].pk
    )
    before = rows_without_history()
    record = merge(actor, anna, dupe)
    assert rows_without_history() != before
    undone = undo_merge(actor=actor, merge_id=record.pk)
    assert undone.is_undone
    assert rows_without_history() == before
    # ...and the two may be merged again later.
    merge(actor, anna, dupe)


def test_undo_refuses_when_something_moved_has_changed_since(actor, types):
    anna, dupe, ben = CustomerFactory(), CustomerFactory(), CustomerFactory()
    link_services.link_customers(
        actor=actor, agent_id=dupe.pk, principal_id=ben.pk, type_id=types["Parent"].pk
    )
    record = merge(actor, anna, dupe)
    link_services.unlink(actor=actor, link_id=Link.objects.get(agent=anna).pk)  # removed since the merge
    before = everything()
    with pytest.raises(KinshipError, match="cannot be undone safely"):
        undo_merge(actor=actor, merge_id=record.pk)
    assert everything() == before
    with pytest.raises(KinshipError, match="does not exist"):
        undo_merge(actor=actor, merge_id=999_999)
