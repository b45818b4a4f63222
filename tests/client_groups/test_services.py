"""Client-group services: names and versions, rules that may not loop, deleting a group,
and adding and removing customers (idempotent, all or nothing, History on each change)."""

import pytest

from client_groups import services
from client_groups.models import Segment, SegmentMember
from client_groups.services import NAME_TAKEN, Change
from core.errors import KinshipError, StaleEdit
from customers.merging import merge_token
from customers.models import Activity, Customer
from customers.services import archive_customer, merge_customers, undo_merge
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def manual(actor, name="VIP"):
    return services.create_segment(actor=actor, name=name)


def ruled(actor, name="Adults", **rules):
    return services.create_segment(actor=actor, name=name, rules=rules or {"age_from": 18})


def only(*customers):
    return Customer.objects.filter(pk__in=[customer.pk for customer in customers])


def add(actor, segment, *customers, **kwargs):
    return services.add_customers(actor=actor, segment_id=segment.pk, customers=only(*customers), **kwargs)


def remove(actor, segment, *customers, **kwargs):
    return services.remove_customers(actor=actor, segment_id=segment.pk, customers=only(*customers), **kwargs)


def member_ids(segment):
    return set(SegmentMember.objects.filter(segment=segment).values_list("customer_id", flat=True))


def snapshot():
    """Every membership and History line, to compare before and after a refusal."""
    return (
        list(SegmentMember.objects.order_by("pk").values_list("pk", "segment_id", "customer_id")),
        list(Activity.objects.order_by("pk").values_list("pk", "customer_id", "kind")),
        list(Segment.objects.order_by("pk").values_list("pk", "name", "rules", "version")),
    )


def refused(action, match):
    """`action` raises KinshipError saying `match`, and changes nothing at all."""
    before = snapshot()
    with pytest.raises(KinshipError, match=match) as caught:
        action()
    assert snapshot() == before
    return caught.value


def edit(actor, segment, **changes):
    segment.refresh_from_db()
    values = {"name": segment.name, "description": segment.description, "rules": segment.rules, **changes}
    return services.edit_segment(actor=actor, segment_id=segment.pk, version=segment.version, **values)


# Creating and editing groups.


def test_a_new_group_is_trimmed_and_chosen_by_staff_unless_given_rules(actor):
    vip = services.create_segment(actor=actor, name="  VIP  ", description="  Best clients \n")
    assert (vip.name, vip.description, vip.rules, vip.is_rule_based) == ("VIP", "Best clients", {}, False)
    adults = ruled(actor, age_from=18)
    assert adults.is_rule_based and adults.rules == {"age_from": 18}


@pytest.mark.parametrize("clash", ["vip", "VIP", " Vip ", "vIP"])
def test_names_are_unique_whatever_the_case(actor, clash):
    manual(actor, "VIP")
    refused(lambda: services.create_segment(actor=actor, name=clash), NAME_TAKEN)
    trade = manual(actor, "Trade")
    refused(lambda: edit(actor, trade, name=clash), NAME_TAKEN)


def test_a_group_may_change_the_case_of_its_own_name(actor):
    vip = manual(actor, "vip")
    assert edit(actor, vip, name="VIP").name == "VIP"


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_a_blank_name_is_refused(actor, blank):
    refused(lambda: services.create_segment(actor=actor, name=blank), "Give the client group a name.")
    vip = manual(actor)
    refused(lambda: edit(actor, vip, name=blank), "Give the client group a name.")


def test_each_edit_raises_the_version_and_a_stale_one_is_refused_with_409(actor):
    vip = manual(actor)
    edited = services.edit_segment(actor=actor, segment_id=vip.pk, version=1, name="VIPs", description="New")
    assert (edited.version, edited.name, edited.description) == (2, "VIPs", "New")
    error = refused(
        lambda: services.edit_segment(actor=actor, segment_id=vip.pk, version=1, name="Stale"),
        "Someone else changed this client group",
    )
    assert isinstance(error, StaleEdit) and error.status == 409
    assert Segment.objects.get(pk=vip.pk).name == "VIPs"


def test_editing_a_group_that_was_deleted_says_so(actor):
    vip = manual(actor)
    Segment.objects.filter(pk=vip.pk).delete()
    refused(
        lambda: services.edit_segment(actor=actor, segment_id=vip.pk, version=1, name="X"), "no longer exists"
    )


def test_how_members_are_chosen_is_settled_when_the_group_is_made(actor):
    vip, adults = manual(actor), ruled(actor)
    refused(lambda: edit(actor, vip, rules={"age_from": 18}), "chosen by staff; it cannot follow rules")
    refused(lambda: edit(actor, adults, rules={}), "needs at least one rule")
    assert edit(actor, adults, rules={"age_to": 17}).rules == {"age_to": 17}


@pytest.mark.parametrize("field", ["in_segment", "not_in_segment"])
def test_rules_may_not_name_the_group_itself(actor, field):
    adults = ruled(actor)
    refused(lambda: edit(actor, adults, rules={field: adults.pk}), "cannot include the group itself")


@pytest.mark.parametrize("field", ["in_segment", "not_in_segment"])
def test_rules_may_not_lead_back_to_the_group_through_other_groups(actor, field):
    first = ruled(actor, "First")
    second = ruled(actor, "Second", **{field: first.pk})
    third = ruled(actor, "Third", in_segment=second.pk)
    for other in (second, third):  # directly, and through two steps
        refused(lambda other=other: edit(actor, first, rules={field: other.pk}), "even through another group")
    # Pointing the other way is no loop.
    assert edit(actor, third, rules={"not_in_segment": first.pk}).rules == {"not_in_segment": first.pk}


# Deleting groups.


def test_delete_notes_it_in_each_members_history_and_keeps_the_customers(actor):
    vip, trade = manual(actor), manual(actor, "Trade")
    anna, ben, outsider = CustomerFactory.create_batch(3)
    add(actor, vip, anna, ben)
    add(actor, trade, anna)
    services.delete_segment(actor=actor, segment_id=vip.pk)
    assert not Segment.objects.filter(pk=vip.pk).exists()
    assert Customer.objects.filter(pk__in=[anna.pk, ben.pk, outsider.pk]).count() == 3
    assert member_ids(trade) == {anna.pk}  # other groups keep their members
    deleted = Activity.objects.filter(kind="segment.deleted")
    assert sorted(deleted.values_list("customer_id", flat=True)) == sorted([anna.pk, ben.pk])
    assert {(line.sentence, line.actor_id) for line in deleted} == {
        ("Client group “VIP” was deleted.", actor.pk)
    }


def test_delete_is_refused_while_another_groups_rules_use_it(actor):
    vip = manual(actor)
    add(actor, vip, CustomerFactory())
    in_vip = ruled(actor, "Adults in VIP", age_from=18, in_segment=vip.pk)
    ruled(actor, "Not VIP", not_in_segment=vip.pk)
    error = refused(
        lambda: services.delete_segment(actor=actor, segment_id=vip.pk), "change them before deleting"
    )
    assert "Adults in VIP" in error.message and "Not VIP" in error.message and "“VIP”" in error.message
    # A group that follows rules but does not use VIP does not get in the way.
    edit(actor, in_vip, rules={"age_from": 18})
    Segment.objects.filter(name="Not VIP").delete()
    services.delete_segment(actor=actor, segment_id=vip.pk)
    assert not Segment.objects.filter(pk=vip.pk).exists()


def test_deleting_a_group_that_is_gone_says_so(actor):
    vip = manual(actor)
    services.delete_segment(actor=actor, segment_id=vip.pk)
    refused(lambda: services.delete_segment(actor=actor, segment_id=vip.pk), "no longer exists")


# Adding and removing customers.


def test_add_writes_a_history_line_on_each_customer_who_joins(actor):
    vip = manual(actor)
    anna, ben = CustomerFactory.create_batch(2)
    assert add(actor, vip, anna) == Change(changed=1, unchanged=0)
    line = Activity.objects.get(customer=anna, kind="segment.added")
    assert (line.sentence, line.actor_id) == ("Added to client group “VIP”.", actor.pk)
    assert add(actor, vip, anna, ben) == Change(changed=1, unchanged=1)
    assert member_ids(vip) == {anna.pk, ben.pk}
    # A line on Ben only: Anna was in already, so nothing happened to her.
    assert Activity.objects.filter(customer=anna, kind="segment.added").count() == 1
    line = Activity.objects.get(customer=ben, kind="segment.added")
    assert line.sentence == "Added to client group “VIP” (a bulk action on 2 customers)."


def test_adding_customers_who_are_all_in_already_changes_nothing(actor):
    vip = manual(actor)
    people = CustomerFactory.create_batch(3)
    add(actor, vip, *people)
    before = snapshot()
    assert add(actor, vip, *people) == Change(changed=0, unchanged=3)
    assert add(actor, vip, *people, expected_ids=[p.pk for p in people]) == Change(changed=0, unchanged=3)
    assert snapshot() == before


def test_remove_writes_a_history_line_on_each_customer_who_leaves(actor):
    vip = manual(actor)
    anna, ben, cara = CustomerFactory.create_batch(3)
    add(actor, vip, anna, ben)
    assert remove(actor, vip, anna, cara) == Change(changed=1, unchanged=1)
    assert member_ids(vip) == {ben.pk}
    line = Activity.objects.get(kind="segment.removed")
    assert line.customer_id == anna.pk and line.actor_id == actor.pk
    assert line.sentence == "Removed from client group “VIP” (a bulk action on 2 customers)."


def test_removing_customers_who_are_not_in_changes_nothing(actor):
    vip = manual(actor)
    people = CustomerFactory.create_batch(2)
    before = snapshot()
    assert remove(actor, vip, *people) == Change(changed=0, unchanged=2)
    assert remove(actor, vip, *people, expected_ids=[p.pk for p in people]) == Change(changed=0, unchanged=2)
    assert snapshot() == before


def test_members_are_not_changed_by_hand_in_a_rule_based_group(actor):
    adults = ruled(actor)
    anna = CustomerFactory()
    refused(lambda: add(actor, adults, anna), "follows rules; its members cannot be added by hand")
    refused(lambda: remove(actor, adults, anna), "follows rules; its members cannot be removed by hand")


def test_a_group_deleted_meanwhile_is_refused(actor):
    vip = manual(actor)
    anna = CustomerFactory()
    Segment.objects.filter(pk=vip.pk).delete()
    refused(lambda: add(actor, vip, anna), "no longer exists")
    refused(lambda: remove(actor, vip, anna), "no longer exists")


def merged_customer(actor):
    survivor, duplicate = CustomerFactory(), CustomerFactory()
    merge_customers(
        actor=actor, survivor_id=survivor.pk, absorbed_id=duplicate.pk, token=merge_token(survivor, duplicate)
    )
    duplicate.refresh_from_db()
    assert duplicate.is_merged
    return duplicate


@pytest.mark.parametrize("service", [services.add_customers, services.remove_customers])
@pytest.mark.parametrize("stranger", ["unknown", "merged"])
def test_customers_picked_one_by_one_must_all_be_there(actor, service, stranger):
    vip = manual(actor)
    anna, ben = CustomerFactory.create_batch(2)
    if service is services.remove_customers:
        add(actor, vip, anna, ben)
    missing = (
        merged_customer(actor).pk if stranger == "merged" else Customer.objects.order_by("pk").last().pk + 100
    )
    ids = [anna.pk, ben.pk, missing]
    refused(
        lambda: service(
            actor=actor, segment_id=vip.pk, customers=Customer.objects.filter(pk__in=ids), expected_ids=ids
        ),
        "no longer exist or were merged into another account",
    )


def test_archived_customers_are_refused_with_their_name(actor):
    vip = manual(actor)
    anna = CustomerFactory(first_name="Anna", last_name="Archer")
    ben, cara = CustomerFactory.create_batch(2)
    for customer in (anna, ben):
        archive_customer(actor=actor, customer_id=customer.pk)
    refused(
        lambda: add(actor, vip, anna, cara, expected_ids=[anna.pk, cara.pk]),
        "Anna Archer is archived; restore them before adding them to a client group.",
    )
    refused(lambda: add(actor, vip, anna, ben, cara), "2 of the chosen customers are archived")


def test_merged_customers_in_a_queryset_are_never_added(actor):
    vip = manual(actor)
    live = CustomerFactory()
    tombstone = merged_customer(actor)
    change = services.add_customers(actor=actor, segment_id=vip.pk, customers=Customer.objects.all())
    survivor_id = tombstone.merged_into_id
    assert member_ids(vip) == {live.pk, survivor_id}
    assert change == Change(changed=2, unchanged=0)
    assert not Activity.objects.filter(customer=tombstone, kind="segment.added").exists()


@pytest.mark.parametrize("service", [services.add_customers, services.remove_customers])
def test_an_empty_choice_changes_nothing(actor, service):
    vip = manual(actor)
    before = snapshot()
    # What the client list's "all matching" hands over when its client-group filter names a
    # group deleted meanwhile: narrow() turns the unknown id into pk__in=[].
    nobody = Customer.objects.filter(pk__in=[])
    assert service(actor=actor, segment_id=vip.pk, customers=nobody) == Change(changed=0, unchanged=0)
    assert snapshot() == before


# Merging customers.


def test_merge_keeps_one_membership_each_and_undo_puts_them_back(actor):
    vip, trade = manual(actor), manual(actor, "Trade")
    survivor, duplicate = CustomerFactory(), CustomerFactory()
    add(actor, vip, survivor, duplicate)
    add(actor, trade, duplicate)
    before = sorted(SegmentMember.objects.values_list("pk", "segment_id", "customer_id", "added_at"))
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    merge = merge_customers(
        actor=actor, survivor_id=survivor.pk, absorbed_id=duplicate.pk, token=merge_token(survivor, duplicate)
    )
    assert sorted(
        SegmentMember.objects.filter(customer=survivor).values_list("segment_id", flat=True)
    ) == sorted([vip.pk, trade.pk])
    assert not SegmentMember.objects.filter(customer=duplicate).exists()
    assert "client group memberships" in dict(merge.moved)
    undo_merge(actor=actor, merge_id=merge.pk)
    assert sorted(SegmentMember.objects.values_list("pk", "segment_id", "customer_id", "added_at")) == before
