"""Two desks changing the same groups at the same moment, on PostgreSQL.

SQLite serialises every writer, so a race cannot happen there; these run on PostgreSQL only.

Each desk runs in its own thread and connection. Its transaction lingers a moment after the
service returns, still holding its locks, so that the other desk, released by the same
barrier, surely arrives while the first has not yet committed: the locks and the database
constraints, not luck, decide the outcome.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from waffle.testutils import override_switch

from core.errors import KinshipError
from customers.models import Activity
from groups import services
from groups.features import ADMINS_IN_SEVERAL_GROUPS
from groups.models import CustomerGroup, GroupMember, MemberLabel, Role
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

#: How long a desk's transaction stays open after its service returned.
LINGER = 0.3


def race(*actions):
    """Run each action in its own thread and connection, released together; return outcomes.

    An outcome is what the action returned, or the exception it raised.
    """
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            with transaction.atomic():
                outcomes[index] = action()
                time.sleep(LINGER)
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a desk is still waiting: a deadlock?"
    return outcomes


def refusals(outcomes):
    """The refusals among the outcomes; any other exception fails the test at once."""
    unexpected = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, KinshipError)]
    assert not unexpected, unexpected
    return [o for o in outcomes if isinstance(o, KinshipError)]


def history(customer):
    return [(line.kind, line.sentence) for line in Activity.objects.filter(customer=customer).order_by("id")]


@pytest.fixture
def actors():
    return UserFactory(username="desk-one"), UserFactory(username="desk-two")


@pytest.fixture
def labels():
    """Transactional tests flush the tables, the data migration's labels with them."""
    return {name: MemberLabel.objects.get_or_create(name=name)[0].pk for name in ("Parent", "Nanny", "Child")}


def family(actor, labels, last_name, *members):
    """A group owned by a new customer called `last_name`; `members` are (customer, role) pairs."""
    owner = CustomerFactory(first_name="Owner", last_name=last_name)
    group = services.create_group(actor=actor, owner_id=owner.pk, owner_label_id=labels["Parent"])
    for customer, role in members:
        services.add_member(
            actor=actor, group_id=group.pk, customer_id=customer.pk, role=role, label_id=labels["Child"]
        )
    return group, owner


def test_adding_one_customer_to_two_groups_at_once_adds_them_once(on_postgres, actors, labels):
    one, two = actors
    (ashes, ash), (birches, birch) = family(one, labels, "Ash"), family(one, labels, "Birch")
    kid = CustomerFactory(first_name="Kim", last_name="Kay")

    outcomes = race(
        lambda: services.add_member(
            actor=one, group_id=ashes.pk, customer_id=kid.pk, role=Role.DEPENDENT, label_id=labels["Child"]
        ),
        lambda: services.add_member(
            actor=two, group_id=birches.pk, customer_id=kid.pk, role=Role.DEPENDENT, label_id=labels["Child"]
        ),
    )

    refused = refusals(outcomes)
    added = [o for o in outcomes if isinstance(o, GroupMember)]
    assert len(added) == 1 and len(refused) == 1, outcomes
    winner, loser = (ashes, birches) if added[0].group_id == ashes.pk else (birches, ashes)
    # The receptionist who lost reads why: Kim is in a group now (the locks make the desk
    # wait and then say which one; the database constraint is the net beneath them).
    assert refused[0].message in (
        f"Kim Kay is already in a group ({winner.name}).",
        "Kim Kay was added to a group at another desk just now. Reload to see where they are.",
    ), refused[0].message
    assert list(GroupMember.objects.filter(customer=kid).values_list("group_id", flat=True)) == [winner.pk]
    # History tells only of the add that happened: on Kim, and on the winning group's owner.
    assert history(kid) == [("group.member_added", f"Added to “{winner.name}” as Dependent (Child).")]
    loser_owner = ash if loser == ashes else birch
    assert [kind for kind, _ in history(loser_owner)] == ["group.created"]
    assert GroupMember.objects.filter(group=loser).count() == 1


def test_two_desks_starting_groups_with_the_same_member_leave_one_group(on_postgres, actors, labels):
    one, two = actors
    ash = CustomerFactory(first_name="Ann", last_name="Ash")
    birch = CustomerFactory(first_name="Bo", last_name="Birch")
    kid = CustomerFactory(first_name="Kim", last_name="Kay")

    def start(actor, owner):
        return lambda: services.create_group(
            actor=actor,
            owner_id=owner.pk,
            owner_label_id=labels["Parent"],
            member_id=kid.pk,
            member_role=Role.DEPENDENT,
            member_label_id=labels["Child"],
        )

    outcomes = race(start(one, ash), start(two, birch))

    refused = refusals(outcomes)
    made = [o for o in outcomes if isinstance(o, CustomerGroup)]
    assert len(made) == 1 and len(refused) == 1, outcomes
    assert refused[0].message.startswith("Kim Kay "), refused[0].message
    assert "already in a group" in refused[0].message or "at another desk" in refused[0].message
    # No half-done group: the refused create left neither a group nor its owner's place.
    assert list(CustomerGroup.objects.values_list("pk", flat=True)) == [made[0].pk]
    winner, loser = (ash, birch) if outcomes[0] is made[0] else (birch, ash)
    assert set(GroupMember.objects.values_list("customer_id", "role")) == {
        (winner.pk, Role.OWNER),
        (kid.pk, Role.DEPENDENT),
    }
    assert history(loser) == []
    assert [kind for kind, _ in history(kid)] == ["group.member_added"]


@pytest.mark.parametrize("second", ["member", "newcomer"])
def test_two_hand_overs_at_once_leave_one_owner(on_postgres, actors, labels, second):
    """Two desks make two different people the Owner: one after the other, never two owners.

    The second hand-over is to another member, or (`newcomer`) by adding someone new as Owner.
    """
    one, two = actors
    ann, ben, cy = (CustomerFactory(first_name=name, last_name="Smith") for name in ("Ann", "Ben", "Cy"))
    group, owner = family(one, labels, "Smith", (ann, Role.ADMIN), (ben, Role.DEPENDENT))
    members = {m.customer_id: m for m in group.members.all()}

    def make_owner(actor, customer):
        member = members[customer.pk]
        return lambda: services.change_member(
            actor=actor,
            member_id=member.pk,
            role=Role.OWNER,
            label_id=member.label_id,
            version=member.version,
        )

    def add_owner(actor, customer):
        return lambda: services.add_member(
            actor=actor,
            group_id=group.pk,
            customer_id=customer.pk,
            role=Role.OWNER,
            label_id=labels["Parent"],
        )

    rival = cy if second == "newcomer" else ben
    outcomes = race(make_owner(one, ann), (add_owner if second == "newcomer" else make_owner)(two, rival))

    refusals(outcomes)
    owners = list(
        GroupMember.objects.filter(group=group, role=Role.OWNER).values_list("customer_id", flat=True)
    )
    assert len(owners) == 1, outcomes
    # Whoever took ownership last holds it; everyone who held it before is now an Admin.
    took_over = Activity.objects.filter(
        customer__in=[ann, rival],
        kind__in=["group.owner_changed", "group.member_added"],
        message__in=["Became the Owner of “Smith family”.", "Added to “Smith family” as Owner (Parent)."],
    ).order_by("id")
    assert owners == [took_over.last().customer_id]
    roles = dict(GroupMember.objects.filter(group=group).values_list("customer_id", "role"))
    for customer_id in [owner.pk, *took_over.values_list("customer_id", flat=True)]:
        if customer_id != owners[0]:
            assert roles[customer_id] == Role.ADMIN


def test_removing_a_member_while_another_desk_changes_them(on_postgres, actors, labels):
    """Either the change comes first and the removal follows, or the change finds them gone."""
    one, two = actors
    ben = CustomerFactory(first_name="Ben", last_name="Smith")
    group, owner = family(one, labels, "Smith", (ben, Role.DEPENDENT))
    member = GroupMember.objects.get(customer=ben)

    outcomes = race(
        lambda: services.remove_member(actor=one, member_id=member.pk),
        lambda: services.change_member(
            actor=two, member_id=member.pk, role=Role.ADMIN, label_id=labels["Nanny"], version=member.version
        ),
    )

    refused = refusals(outcomes)
    removed, changed = outcomes
    assert removed == group, outcomes
    assert not GroupMember.objects.filter(customer=ben).exists()
    assert list(GroupMember.objects.filter(group=group).values_list("customer_id", "role")) == [
        (owner.pk, Role.OWNER)
    ]
    kinds = [kind for kind, _ in history(ben)]
    if refused:
        assert refused == [changed]
        assert "no longer in the group" in changed.message
        assert kinds == ["group.member_added", "group.member_removed"]
    else:
        assert isinstance(changed, GroupMember) and changed.role == Role.ADMIN
        assert kinds == ["group.member_added", "group.member_changed", "group.member_removed"]


def test_with_the_switch_one_admin_joins_two_groups_at_once(on_postgres, actors, labels):
    """Admins may be in several groups: both adds succeed and both places are shared ones."""
    one, two = actors
    nanny = CustomerFactory(first_name="Nia", last_name="Nash")
    (ashes, _), (birches, _) = family(one, labels, "Ash"), family(one, labels, "Birch")

    def add(actor, group):
        return lambda: services.add_member(
            actor=actor, group_id=group.pk, customer_id=nanny.pk, role=Role.ADMIN, label_id=labels["Nanny"]
        )

    with override_switch(ADMINS_IN_SEVERAL_GROUPS, active=True):
        outcomes = race(add(one, ashes), add(two, birches))

    assert not refusals(outcomes), outcomes
    places = set(
        GroupMember.objects.filter(customer=nanny).values_list("group_id", "role", "in_several_groups")
    )
    assert places == {(ashes.pk, Role.ADMIN, True), (birches.pk, Role.ADMIN, True)}
    assert [kind for kind, _ in history(nanny)] == ["group.member_added"] * 2
