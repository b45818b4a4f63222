"""Two desks changing the same client group at the same moment, on PostgreSQL.

SQLite serialises every writer, so a race cannot happen there; these run on PostgreSQL only.
The desks race as in test_group_races and test_merge_races: each in its own thread and
connection, released by one barrier, each transaction lingering after its service returned.
Each race runs three ways: one desk ahead, the other ahead (the one behind starting once the
one ahead has done its work but not yet committed), and both at once; the locks (the group's
row, then the chosen customers in id order) decide, not luck.
"""

from itertools import pairwise

import pytest
from django.db.models import Count

from client_groups.models import Segment, SegmentMember
from client_groups.services import (
    Change,
    add_customers,
    create_segment,
    delete_segment,
    edit_segment,
    remove_customers,
)
from customers import services as customer_services
from customers.models import Activity, Customer, Merge
from customers.queries import merge_preview
from tests.concurrency.test_group_races import race, refusals
from tests.concurrency.test_merge_races import ORDERS, in_order
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desks():
    return UserFactory(username="desk-one"), UserFactory(username="desk-two")


def crowd(count, last_name="Crowd"):
    """`count` new customers, in id order."""
    Customer.objects.bulk_create(Customer(first_name=f"Client{n}", last_name=last_name) for n in range(count))
    return list(Customer.objects.filter(last_name=last_name).order_by("pk").values_list("pk", flat=True))


def only(ids):
    return Customer.objects.filter(pk__in=ids)


def memberships(segment):
    """{customer id: how many times they are in `segment`}."""
    rows = SegmentMember.objects.filter(segment_id=segment.pk).values_list("customer").annotate(n=Count("pk"))
    return dict(rows.order_by())


def lines(kind, customers=None):
    """{customer id: how many History lines of `kind` they have}."""
    rows = Activity.objects.filter(kind=kind)
    if customers is not None:
        rows = rows.filter(customer__in=customers)
    return dict(rows.values_list("customer").annotate(n=Count("pk")).order_by())


def line_ids(kind, customers):
    return list(Activity.objects.filter(kind=kind, customer__in=customers).values_list("pk", flat=True))


def kinds(customer_id):
    """The kinds of a customer's History lines, oldest first."""
    return list(
        Activity.objects.filter(customer_id=customer_id).order_by("pk").values_list("kind", flat=True)
    )


def assert_no_membership_of_a_tombstone():
    assert not SegmentMember.objects.filter(customer__merged_into__isnull=False).exists()


@pytest.mark.parametrize("order", ORDERS)
def test_two_desks_adding_overlapping_customers_add_each_once(on_postgres, desks, order):
    """Desk one adds the first 200 of 300 customers, desk two the last 200: the middle 100
    are chosen by both. Each of the 300 ends up in the group once, with one History line."""
    one, two = desks
    ids = crowd(300)
    vip = create_segment(actor=one, name="VIP")

    first, second = race(
        *in_order(
            order,
            lambda: add_customers(actor=one, segment_id=vip.pk, customers=only(ids[:200])),
            lambda: add_customers(actor=two, segment_id=vip.pk, customers=only(ids[100:])),
        )
    )

    assert not refusals([first, second])
    assert memberships(vip) == dict.fromkeys(ids, 1)
    assert lines("segment.added") == dict.fromkeys(ids, 1)
    # The desk behind finds the middle 100 in the group already and says so.
    assert first.changed + second.changed == 300
    assert first.unchanged + second.unchanged == 100
    if order != "at once":
        ahead, behind = (first, second) if order == "first ahead" else (second, first)
        assert (ahead, behind) == (Change(changed=200, unchanged=0), Change(changed=100, unchanged=100))
    # The middle 100's one line is written by whichever desk added them.
    overlap = Activity.objects.filter(kind="segment.added", customer__in=ids[100:200])
    assert overlap.values("actor").distinct().count() == 1


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("survivor_is", ["chosen too", "in the group", "neither"])
@pytest.mark.parametrize("ids", ["duplicate oldest", "survivor oldest"])
@pytest.mark.parametrize("how", ["all matching", "ticked"])
def test_a_bulk_add_racing_a_merge_of_a_chosen_customer(on_postgres, desks, order, survivor_is, ids, how):
    """A desk adds twenty customers and the duplicate Dana to VIP while a manager merges Dana
    into Anna. No membership is left on Dana's tombstone and Anna is in VIP at most once.
    Customers ticked one by one are refused once Dana is merged; "all matching" leaves her out."""
    desk, manager = desks
    others = crowd(20, "Dee")
    names = ("Dana", "Anna") if ids == "duplicate oldest" else ("Anna", "Dana")
    made = {name: CustomerFactory(first_name=name, last_name="Dee") for name in names}
    dupe, survivor = made["Dana"], made["Anna"]
    vip = create_segment(actor=desk, name="VIP")
    if survivor_is == "in the group":
        add_customers(actor=desk, segment_id=vip.pk, customers=only([survivor.pk]))
    chosen = [*others, dupe.pk, *([survivor.pk] if survivor_is == "chosen too" else [])]
    token = merge_preview(Customer.objects.get(pk=survivor.pk), Customer.objects.get(pk=dupe.pk))["token"]

    added, merged = race(
        *in_order(
            order,
            lambda: add_customers(
                actor=desk,
                segment_id=vip.pk,
                customers=only(chosen),
                expected_ids=chosen if how == "ticked" else None,
            ),
            lambda: customer_services.merge_customers(
                actor=manager, survivor_id=survivor.pk, absorbed_id=dupe.pk, token=token
            ),
        )
    )

    refused = refusals([added, merged])
    # Adding to a client group changes neither customer's version: the merge always lands.
    assert isinstance(merged, Merge), merged
    assert Customer.objects.get(pk=dupe.pk).merged_into_id == survivor.pk
    assert_no_membership_of_a_tombstone()
    members = memberships(vip)
    assert members.get(survivor.pk, 0) <= 1
    assert kinds(dupe.pk) == ["customer.merged"], "the tombstone keeps nothing but its merge line"
    if refused:
        assert how == "ticked" and order != "first ahead", "the add went first, so Dana was there to add"
        assert "merged into another account" in added.message
        assert members == ({survivor.pk: 1} if survivor_is == "in the group" else {})
        assert not lines("segment.added", others)
        return
    assert isinstance(added, Change), added
    # Both lock Dana's row, so one waits for the other: the one that wrote History first went first.
    add_first = min(line_ids("segment.added", others)) < min(
        line_ids("customer.merged", [dupe.pk, survivor.pk])
    )
    if order != "at once":
        assert add_first == (order == "first ahead")
    # Anna is in VIP if she was, if she was chosen, or if Dana joined before the merge moved her place.
    assert members == {
        **dict.fromkeys(others, 1),
        **({survivor.pk: 1} if survivor_is != "neither" or add_first else {}),
    }
    assert lines("segment.added", others) == dict.fromkeys(others, 1)


@pytest.mark.parametrize("order", ORDERS)
def test_deleting_a_group_while_a_desk_adds_to_it(on_postgres, desks, order):
    """The manager deletes VIP, which has ten members, while a desk adds fifty customers to it.
    Either the add lands and the delete takes them all out, or the add finds the group gone:
    never a membership of a deleted group, never a group missing some of the added."""
    desk, manager = desks
    ids = crowd(50)
    vip = create_segment(actor=desk, name="VIP")
    add_customers(actor=desk, segment_id=vip.pk, customers=only(ids[:10]))

    deleted, added = race(
        *in_order(
            order,
            lambda: delete_segment(actor=manager, segment_id=vip.pk),
            lambda: add_customers(actor=desk, segment_id=vip.pk, customers=only(ids)),
        )
    )

    refused = refusals([deleted, added])
    if Segment.objects.filter(pk=vip.pk).exists():
        assert refused == [deleted], (deleted, added)
        assert memberships(vip) == dict.fromkeys(ids, 1)
        return
    assert not SegmentMember.objects.filter(segment_id=vip.pk).exists()
    assert isinstance(deleted, Segment), deleted
    if refused:
        assert order != "second ahead", "the add went first, so the group was there"
        assert refused == [added] and added.message == "That client group no longer exists."
        assert lines("segment.added") == dict.fromkeys(ids[:10], 1)
        assert lines("segment.deleted") == dict.fromkeys(ids[:10], 1)
    else:
        assert order != "first ahead", "the delete went first, so the group was gone"
        assert added == Change(changed=40, unchanged=10)
        # Every customer's History says they joined, then that the group was deleted.
        for customer_id in ids:
            assert kinds(customer_id) == ["segment.added", "segment.deleted"], customer_id


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("start", ["in the group", "not in it"])
@pytest.mark.parametrize("how", ["from the profile", "from the client list"])
def test_adding_and_removing_one_customer_at_once_leaves_what_history_says(
    on_postgres, desks, order, start, how
):
    """One desk adds Kim to VIP while another removes her. One waits for the other; whether
    she ends in VIP is what the last line of her History says."""
    one, two = desks
    kim = CustomerFactory(first_name="Kim", last_name="Kay")
    vip = create_segment(actor=one, name="VIP")
    if start == "in the group":
        add_customers(actor=one, segment_id=vip.pk, customers=only([kim.pk]))
    before = kinds(kim.pk)
    # The profile's Add to Group and badge X name the customer; the list's "all matching" does not.
    ticked = [kim.pk] if how == "from the profile" else None

    added, removed = race(
        *in_order(
            order,
            lambda: add_customers(
                actor=one, segment_id=vip.pk, customers=only([kim.pk]), expected_ids=ticked
            ),
            lambda: remove_customers(
                actor=two, segment_id=vip.pk, customers=only([kim.pk]), expected_ids=ticked
            ),
        )
    )

    assert not refusals([added, removed])
    story = kinds(kim.pk)[len(before) :]
    assert len(story) == added.changed + removed.changed
    assert all(earlier != later for earlier, later in pairwise(story)), f"twice the same in a row: {story}"
    in_group = SegmentMember.objects.filter(segment=vip, customer=kim).exists()
    last = (story or before or [None])[-1]
    assert in_group == (last == "segment.added"), story
    if order != "at once":
        assert in_group == (order == "second ahead"), "the one behind has the last word"


@pytest.mark.parametrize("order", ORDERS)
def test_deleting_a_group_while_another_groups_rules_start_using_it(on_postgres, desks, order):
    """A manager deletes VIP while another makes "Everyone but VIPs" follow the rule "Not in
    VIP". Either the rule is refused, or the delete is refused because the rule uses VIP:
    never a rule that names a deleted group (it would then match everyone)."""
    one, two = desks
    vip = create_segment(actor=one, name="VIP")
    others = create_segment(actor=one, name="Everyone but VIPs", rules={"age_from": 0})

    deleted, edited = race(
        *in_order(
            order,
            lambda: delete_segment(actor=one, segment_id=vip.pk),
            lambda: edit_segment(
                actor=two,
                segment_id=others.pk,
                version=others.version,
                name=others.name,
                rules={"not_in_segment": vip.pk},
            ),
        )
    )

    refused = refusals([deleted, edited])
    rules = Segment.objects.get(pk=others.pk).rules
    if Segment.objects.filter(pk=vip.pk).exists():
        assert refused == [deleted], (deleted, edited)
        assert rules == {"not_in_segment": vip.pk}
        assert "use “VIP”" in deleted.message
    else:
        assert rules == {"age_from": 0}, "the rule names a client group that no longer exists"
        assert refused == [edited], (deleted, edited)
