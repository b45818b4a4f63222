"""A merge racing other desks' work on the same customers, on PostgreSQL.

SQLite serialises every writer, so a race cannot happen there; these run on PostgreSQL only.
The desks race as in test_group_races: each in its own thread and connection, released by one
barrier, each transaction lingering after its service returned. Each race runs three ways: one
desk ahead, the other starting once the first has done its work but not yet committed (so that
it surely meets the first's locks, whichever goes first), and both at once; the locks
(customers in id order) and the preview's token decide, not luck.
"""

import threading

import pytest

from core.errors import KinshipError, StaleEdit
from customers import services as customer_services
from customers.merging import merge_token
from customers.models import Activity, Customer, Merge
from groups import services as group_services
from groups.models import GroupMember, MemberLabel, Role
from linking import services as link_services
from linking.models import PERMISSION_FIELDS, Link, RelationshipType
from tests.concurrency.test_group_races import race, refusals
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ORDERS = ["first ahead", "second ahead", "at once"]


def in_order(order, first, second):
    """The two actions for `race`; unless "at once", the one behind starts when the one ahead
    has returned, while `race` keeps its transaction (and locks) open: a sleep instead would
    let a slow connection on a busy machine swap the two."""
    if order == "at once":
        return first, second
    ahead, behind = (first, second) if order == "first ahead" else (second, first)
    returned = threading.Event()

    def lead():
        try:
            return ahead()
        finally:
            returned.set()

    def follow():
        assert returned.wait(timeout=10), "the desk ahead never returned"
        return behind()

    return (lead, follow) if order == "first ahead" else (follow, lead)


@pytest.fixture
def desks():
    """A manager who merges and a front desk who edits or links at the same moment."""
    return UserFactory(username="manager-one"), UserFactory(username="desk-two")


@pytest.fixture
def partner():
    """Transactional tests flush the tables, the data migration's types with them."""
    return RelationshipType.objects.get_or_create(name="Partner")[0]


def merging(actor, survivor, absorbed):
    """The Merge button of a preview made now: the token carries the versions seen now."""
    survivor, absorbed = (Customer.objects.get(pk=c.pk) for c in (survivor, absorbed))
    token = merge_token(survivor, absorbed)
    return lambda: customer_services.merge_customers(
        actor=actor, survivor_id=survivor.pk, absorbed_id=absorbed.pk, token=token
    )


def kinds(customer):
    return list(Activity.objects.filter(customer=customer).order_by("id").values_list("kind", flat=True))


def link_rows():
    """Every link row as (agent, principal): (type name, what the agent may do)."""
    return {
        (link.agent_id, link.principal_id): (
            link.type.name,
            {f for f in PERMISSION_FIELDS if getattr(link, f)},
        )
        for link in Link.objects.select_related("type")
    }


def assert_no_row_points_at_a_tombstone():
    tombstones = Customer.objects.filter(merged_into__isnull=False)
    assert not Link.objects.filter(agent__in=tombstones).exists()
    assert not Link.objects.filter(principal__in=tombstones).exists()
    assert not GroupMember.objects.filter(customer__in=tombstones).exists()
    assert not Customer.objects.filter(merged_into__in=tombstones).exists(), "a chain of tombstones"
    rows = link_rows()
    assert all((principal, agent) in rows for agent, principal in rows), "a link without its twin"


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("edited", ["absorbed", "survivor"])
def test_a_merge_and_an_edit_of_one_of_the_two_never_both_land(on_postgres, desks, order, edited):
    """The desk saves the duplicate's (or the survivor's) new phone from the form it loaded while
    the manager merges from a preview made before. Whichever commits first wins; the other is
    refused, and the edit is never lost into a tombstone nor merged from stale details."""
    manager, desk = desks
    survivor = CustomerFactory(first_name="Anna", last_name="Smith", phone="", email="")
    dupe = CustomerFactory(first_name="Anna", last_name="Smyth", phone="07700 900001")
    merge = merging(manager, survivor, dupe)
    target = dupe if edited == "absorbed" else survivor

    def edit():
        return customer_services.update_customer(
            actor=desk, customer_id=target.pk, version=target.version, phone="07700 900999"
        )

    merged, saved = race(*in_order(order, merge, edit))

    refused = refusals([merged, saved])
    assert len(refused) == 1, (merged, saved)
    survivor.refresh_from_db(), dupe.refresh_from_db()
    if isinstance(merged, Merge):
        assert order != "second ahead", "the edit went first, so the merge's preview is stale"
        assert dupe.merged_into_id == survivor.pk
        if edited == "absorbed":
            # Refused as merged, not as stale: reloading would not help, the survivor is the one to edit.
            assert type(saved) is KinshipError and "was merged into another account" in saved.message
        else:
            assert isinstance(saved, StaleEdit), saved
        # The merge filled the survivor's phone from the duplicate as the preview showed it.
        assert (survivor.phone, dupe.phone) == ("07700 900001", "07700 900001")
        assert "customer.updated" not in kinds(dupe) + kinds(survivor)
        assert Merge.objects.count() == 1
    else:
        assert order != "first ahead", "the merge went first, so the edit's form is stale"
        assert isinstance(merged, StaleEdit), merged
        assert Customer.objects.get(pk=target.pk).phone == "07700 900999"
        assert dupe.merged_into_id is None and not Merge.objects.exists()
        assert kinds(target) == ["customer.updated"]
        assert "customer.merged" not in kinds(dupe) + kinds(survivor)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("ids", ["duplicate oldest", "duplicate between"])
def test_two_managers_merging_one_duplicate_into_two_survivors_merge_it_once(
    on_postgres, partner, order, ids
):
    """Two managers each found the duplicate Dana and merge her into a different Anna. One
    merge lands; the other is told she was merged already, and changes nothing. The duplicate's
    id comes first or between the two survivors', so that the two desks lock in either order."""
    one, two = (UserFactory(username=name) for name in ("manager-one", "manager-two"))
    label = MemberLabel.objects.get_or_create(name="Parent")[0]
    if ids == "duplicate oldest":
        dupe, first, second = (
            CustomerFactory(first_name=n, last_name="Dee") for n in ("Dana", "Ann", "Anne")
        )
    else:
        first, dupe, second = (
            CustomerFactory(first_name=n, last_name="Dee") for n in ("Ann", "Dana", "Anne")
        )
    ben = CustomerFactory(first_name="Ben", last_name="Dee")
    group_services.create_group(actor=one, owner_id=dupe.pk, owner_label_id=label.pk)
    link_services.link_customers(actor=one, agent_id=dupe.pk, principal_id=ben.pk, type_id=partner.pk)
    lines = Activity.objects.count()
    dupe_lines = set(Activity.objects.filter(customer=dupe).values_list("pk", flat=True))

    outcomes = race(*in_order(order, merging(one, first, dupe), merging(two, second, dupe)))

    refused = refusals(outcomes)
    merges = [o for o in outcomes if isinstance(o, Merge)]
    assert len(merges) == 1 and len(refused) == 1, outcomes
    assert "Dana Dee was already merged into another account." in refused[0].message, refused[0].message
    winner = merges[0].survivor
    loser = second if winner.pk == first.pk else first
    if order != "at once":
        assert winner.pk == (first.pk if order == "first ahead" else second.pk)
    dupe.refresh_from_db()
    assert dupe.merged_into_id == winner.pk
    assert list(Merge.objects.values_list("survivor_id", "absorbed_id")) == [(winner.pk, dupe.pk)]
    # Everything of Dana's is at the winner, once; nothing at the loser, who is as before.
    assert dupe_lines <= set(Activity.objects.filter(customer=winner).values_list("pk", flat=True))
    assert Activity.objects.count() == lines + 2
    assert kinds(loser) == [] and Customer.objects.get(pk=loser.pk).version == 1
    assert list(GroupMember.objects.values_list("customer_id", "role")) == [(winner.pk, Role.OWNER)]
    assert set(link_rows()) == {(winner.pk, ben.pk), (ben.pk, winner.pk)}
    assert_no_row_points_at_a_tombstone()


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("survivor_linked", [False, True], ids=["only the link", "a link to fold"])
@pytest.mark.parametrize("third", ["lowest id", "highest id"])
def test_a_merge_racing_a_new_link_of_the_duplicate_leaves_no_link_to_a_tombstone(
    on_postgres, desks, partner, order, survivor_linked, third
):
    """A desk links the duplicate to Ben while the manager merges her. Either the link lands
    first and moves (or folds) to the survivor with the rest, or the desk is told she was
    merged. The merge itself is never refused: a link changes neither customer's version."""
    manager, desk = desks
    if third == "lowest id":
        ben = CustomerFactory(first_name="Ben", last_name="Dee")
    survivor, dupe = (CustomerFactory(first_name=n, last_name="Dee") for n in ("Anna", "Dana"))
    if third == "highest id":
        ben = CustomerFactory(first_name="Ben", last_name="Dee")
    if survivor_linked:
        link_services.link_customers(
            actor=desk,
            agent_id=survivor.pk,
            principal_id=ben.pk,
            type_id=partner.pk,
            agent_may={"can_book": True},
        )

    def link():
        return link_services.link_customers(
            actor=desk,
            agent_id=dupe.pk,
            principal_id=ben.pk,
            type_id=partner.pk,
            agent_may={"receives_copies": True},
            principal_may={"can_use_packages": True},
        )

    merged, linked = race(*in_order(order, merging(manager, survivor, dupe), link))

    refused = refusals([merged, linked])
    assert isinstance(merged, Merge), merged
    dupe.refresh_from_db()
    assert dupe.merged_into_id == survivor.pk
    assert_no_row_points_at_a_tombstone()
    own = {"can_book"} if survivor_linked else set()
    if refused:
        assert order != "second ahead", "the link went first, so it was there to move"
        assert refused == [linked] and "Dana Dee was merged into another account" in linked.message
        expected = {(survivor.pk, ben.pk): ("Partner", own), (ben.pk, survivor.pk): ("Partner", set())}
        assert link_rows() == (expected if survivor_linked else {})
    else:
        assert order != "first ahead", "the merge went first, so the duplicate could not be linked"
        # The survivor's own link stays, with the wider permissions of the two (a fold), or
        # the duplicate's link is now the survivor's.
        assert link_rows() == {
            (survivor.pk, ben.pk): ("Partner", own | {"receives_copies"}),
            (ben.pk, survivor.pk): ("Partner", {"can_use_packages"}),
        }
    # Each link made is told on both sides; the duplicate's lines moved to the survivor with her.
    made = (0 if refused else 1) + survivor_linked
    assert kinds(ben).count("link.created") == kinds(survivor).count("link.created") == made
    assert kinds(dupe) == ["customer.merged"]
