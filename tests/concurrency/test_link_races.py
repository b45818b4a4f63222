"""Two desks changing the same link at the same moment, on PostgreSQL.

SQLite serialises every writer, so a race cannot happen there; these run on PostgreSQL only.
The desks race as in test_group_races: each in its own thread and connection, released by one
barrier, each transaction lingering after its service returned, so that the locks (the two
customers, in id order, then the link rows) and the constraints decide, not luck.
"""

import pytest

from core.errors import KinshipError, StaleEdit
from customers.models import Activity
from linking import services
from linking.models import PERMISSION_FIELDS, Link, RelationshipType
from tests.concurrency.test_group_races import race, refusals
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ALL = dict.fromkeys(PERMISSION_FIELDS, True)


@pytest.fixture
def actors():
    return UserFactory(username="desk-one"), UserFactory(username="desk-two")


@pytest.fixture
def kinds():
    """Transactional tests flush the tables, the data migration's types with them: make the
    few these tests use, each pair pointing at its reverse, Partner its own."""
    made = {name: RelationshipType.objects.get_or_create(name=name)[0] for name in ("Partner", "Other")}
    for name, reverse in (("Parent", "Child"), ("Guardian", "Ward")):
        one = RelationshipType.objects.get_or_create(name=name)[0]
        other = RelationshipType.objects.get_or_create(name=reverse)[0]
        for kind, its_reverse in ((one, other), (other, one)):
            if kind.reverse_id is None:
                kind.reverse = its_reverse
                kind.save(update_fields=["reverse"])
        made[name], made[reverse] = one, other
    return made


@pytest.fixture
def smiths():
    return CustomerFactory(first_name="Anna", last_name="Smith"), CustomerFactory(
        first_name="Ben", last_name="Smith"
    )


def rows():
    """Every link row as (agent, principal, type, what the agent may do, version)."""
    return {
        (link.agent_id, link.principal_id): (
            link.type.name,
            {field for field in PERMISSION_FIELDS if getattr(link, field)},
            link.version,
        )
        for link in Link.objects.select_related("type")
    }


def history(customer):
    """(kind, desk, message) of each line on the customer, oldest first."""
    return list(
        Activity.objects.filter(customer=customer)
        .order_by("id")
        .values_list("kind", "actor__username", "message")
    )


@pytest.mark.parametrize("way", ["opposite ways round", "the same way round"])
def test_two_desks_linking_the_same_pair_at_once_make_one_pair(on_postgres, actors, kinds, smiths, way):
    """Desk one links Anna as Ben's Parent; desk two Ben as Anna's Child (or, the same way round,
    Anna as Ben's Parent again). Each ticks something different, so the rows tell who won."""
    one, two = actors
    anna, ben = smiths

    def first():
        return services.link_customers(
            actor=one,
            agent_id=anna.pk,
            principal_id=ben.pk,
            type_id=kinds["Parent"].pk,
            agent_may={"can_book": True},
        )

    def second():
        if way == "the same way round":
            return services.link_customers(
                actor=two,
                agent_id=anna.pk,
                principal_id=ben.pk,
                type_id=kinds["Parent"].pk,
                agent_may={"receives_copies": True},
            )
        return services.link_customers(
            actor=two,
            agent_id=ben.pk,
            principal_id=anna.pk,
            type_id=kinds["Child"].pk,
            principal_may={"receives_copies": True},
        )

    outcomes = race(first, second)

    refused = refusals(outcomes)
    made = [o for o in outcomes if isinstance(o, Link)]
    assert len(made) == 1 and len(refused) == 1, outcomes
    assert not isinstance(refused[0], StaleEdit)
    assert "are already linked; change that link instead." in refused[0].message or (
        "were linked at another desk just now" in refused[0].message
    ), refused[0].message
    winner, anna_may = (one, {"can_book"}) if outcomes[0] is made[0] else (two, {"receives_copies"})
    # One pair, both halves, exactly as the winning desk asked: nothing of the loser's.
    assert rows() == {
        (anna.pk, ben.pk): ("Parent", anna_may, 1),
        (ben.pk, anna.pk): ("Child", set(), 1),
    }
    # History tells of the one link that was made, by the desk that made it, on both.
    for customer in (anna, ben):
        assert [(kind, desk) for kind, desk, _ in history(customer)] == [("link.created", winner.username)]


@pytest.mark.parametrize("side", ["the same side", "the other side"])
def test_two_desks_changing_one_link_from_the_same_version_lose_no_write(
    on_postgres, actors, kinds, smiths, side
):
    """Both desks loaded the link at version 1; the second to commit is told it is stale, and
    the link is exactly as the first left it, not a mix of the two (the other desk may have
    opened the link from Ben's side)."""
    one, two = actors
    anna, ben = smiths
    link = services.link_customers(
        actor=one, agent_id=anna.pk, principal_id=ben.pk, type_id=kinds["Parent"].pk, agent_may=ALL
    )
    twin = Link.objects.get(agent=ben, principal=anna)

    def make_guardian():
        return services.change_link(
            actor=one,
            link_id=link.pk,
            version=link.version,
            type_id=kinds["Guardian"].pk,
            agent_may={"can_book": True},
            principal_may={},
        )

    def make_partners():
        """Anna may use packages for Ben, Ben receive copies for Anna: said from either side."""
        if side == "the same side":
            return services.change_link(
                actor=two,
                link_id=link.pk,
                version=link.version,
                type_id=kinds["Partner"].pk,
                agent_may={"can_use_packages": True},
                principal_may={"receives_copies": True},
            )
        return services.change_link(
            actor=two,
            link_id=twin.pk,
            version=twin.version,
            type_id=kinds["Partner"].pk,
            agent_may={"receives_copies": True},
            principal_may={"can_use_packages": True},
        )

    outcomes = race(make_guardian, make_partners)

    refused = refusals(outcomes)
    assert len(refused) == 1 and isinstance(refused[0], StaleEdit), outcomes
    guardian_won = refused[0] is outcomes[1]
    # The refusal names the pair from the side the losing desk had open.
    names = ("Anna Smith", "Ben Smith")
    if guardian_won and side == "the other side":
        names = names[::-1]
    assert refused[0].message == (
        f"The link between {names[0]} and {names[1]} was changed at another desk. "
        "Reload to see the change, then try again."
    )
    winner = one if guardian_won else two
    expected = {
        (anna.pk, ben.pk): ("Guardian", {"can_book"}, 2),
        (ben.pk, anna.pk): ("Ward", set(), 2),
    }
    if not guardian_won:
        expected = {
            (anna.pk, ben.pk): ("Partner", {"can_use_packages"}, 2),
            (ben.pk, anna.pk): ("Partner", {"receives_copies"}, 2),
        }
    assert rows() == expected
    for customer in (anna, ben):
        assert [(kind, desk) for kind, desk, _ in history(customer)] == [
            ("link.created", one.username),
            ("link.changed", winner.username),
        ]


@pytest.mark.parametrize("side", ["the same side", "the other side"])
def test_unlinking_while_another_desk_changes_the_link(on_postgres, actors, kinds, smiths, side):
    """Either the change lands and the unlink removes the changed pair, or the change finds the
    link gone. Nothing else: no half pair, no stale-edit message, no other error."""
    one, two = actors
    anna, ben = smiths
    link = services.link_customers(
        actor=one, agent_id=anna.pk, principal_id=ben.pk, type_id=kinds["Parent"].pk, agent_may=ALL
    )
    changed = link if side == "the same side" else Link.objects.get(agent=ben, principal=anna)

    outcomes = race(
        lambda: services.unlink(actor=one, link_id=link.pk),
        lambda: services.change_link(
            actor=two,
            link_id=changed.pk,
            version=changed.version,
            type_id=kinds["Partner"].pk,
            agent_may={"receives_copies": True},
            principal_may={},
        ),
    )

    refused = refusals(outcomes)
    unlinked, change = outcomes
    assert unlinked == (anna, ben), outcomes
    assert not Link.objects.exists()
    if refused:
        assert refused == [change]
        assert type(change) is KinshipError and change.message == "That link no longer exists."
        kinds_seen, was = ["link.created", "link.removed"], ("Parent", "Child")
    else:
        assert isinstance(change, Link) and change.type.name == "Partner"
        kinds_seen, was = ["link.created", "link.changed", "link.removed"], ("Partner", "Partner")
    assert [kind for kind, _, _ in history(anna)] == kinds_seen
    assert [kind for kind, _, _ in history(ben)] == kinds_seen
    # The History line of the unlink names the type the link had when it went.
    assert history(anna)[-1][2] == f"Unlinked from Ben Smith (was their {was[0]})."
    assert history(ben)[-1][2] == f"Unlinked from Anna Smith (was their {was[1]})."


def test_two_desks_unlinking_at_once_unlink_once(on_postgres, actors, kinds, smiths):
    one, two = actors
    anna, ben = smiths
    link = services.link_customers(
        actor=one, agent_id=anna.pk, principal_id=ben.pk, type_id=kinds["Parent"].pk
    )
    twin = Link.objects.get(agent=ben)

    outcomes = race(
        lambda: services.unlink(actor=one, link_id=link.pk),
        lambda: services.unlink(actor=two, link_id=twin.pk),
    )

    refused = refusals(outcomes)
    assert len(refused) == 1 and refused[0].message == "That link no longer exists.", outcomes
    assert not Link.objects.exists()
    for customer in (anna, ben):
        assert [kind for kind, _, _ in history(customer)] == ["link.created", "link.removed"]


def test_three_desks_linking_a_triangle_at_once_all_succeed(on_postgres, actors, kinds):
    """Each desk locks two of the three customers; in id order, so no two wait on each other
    in a circle (a deadlock would surface as a non-KinshipError or a hung desk)."""
    one, two = actors
    a, b, c = (CustomerFactory(first_name=name, last_name="Tri") for name in ("Ava", "Bo", "Cy"))

    def link(actor, agent, principal):
        return lambda: services.link_customers(
            actor=actor, agent_id=agent.pk, principal_id=principal.pk, type_id=kinds["Partner"].pk
        )

    outcomes = race(link(one, a, b), link(two, b, c), link(one, c, a))

    assert not refusals(outcomes), outcomes
    assert set(rows()) == {(a.pk, b.pk), (b.pk, a.pk), (b.pk, c.pk), (c.pk, b.pk), (c.pk, a.pk), (a.pk, c.pk)}
