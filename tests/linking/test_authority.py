"""Who may act for whom, as a table: `linking.authority` against the two rules and the switch.

The rules, and nothing else: the agent may do P for the principal when (1) a link row with
that agent and principal has P ticked, or (2) the agent is the Owner or an Admin of a group
in which the principal is a Dependent; and nobody acts for anybody while `account_linking`
is off. Every case of the table also checks the reverse direction and that `principals_for`
and `agents_for` say the same as `may_act_for`, so the three answers cannot drift apart.
"""

from collections import namedtuple
from itertools import product

import pytest
from django.utils import timezone
from waffle.testutils import override_switch

from customers.models import Customer
from groups import services as group_services
from groups.models import GroupMember, Role
from linking import services
from linking.authority import (
    agents_for,
    agents_of_each,
    may_act_for,
    principals_for,
    principals_of_each,
    stored_principal_ids,
)
from linking.features import ACCOUNT_LINKING, account_linking_on
from linking.models import PERMISSION_FIELDS, Link, Permission, RelationshipType
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ALL = dict.fromkeys(PERMISSION_FIELDS, True)
DOING = {
    "can_book": "book",
    "can_complete_forms": "complete forms",
    "receives_copies": "receive copies",
    "can_use_packages": "use packages",
}

# Where the agent and the principal stand. "Elsewhere" is the place that would give
# authority were it in the same group: an Admin of another family acting, a Dependent of
# a third family acted for; the two other families are different ones.
OWNER, ADMIN, DEPENDENT, NO_GROUP, ELSEWHERE = "owner", "admin", "dependent", "no group", "elsewhere"
ROLES = (OWNER, ADMIN, DEPENDENT, NO_GROUP, ELSEWHERE)
AGENT_WORDS = {
    OWNER: "the Owner",
    ADMIN: "an Admin",
    DEPENDENT: "a Dependent",
    NO_GROUP: "someone in no group",
    ELSEWHERE: "an Admin of another family",
}
PRINCIPAL_WORDS = {**AGENT_WORDS, ELSEWHERE: "a Dependent of another family"}

# How the two are linked, seen from the permission P under test.
NOT_LINKED, TICKED, OTHER_WAY, OTHERS_ONLY = "none", "ticked", "other way", "others only"
LINK_WORDS = {
    NOT_LINKED: "not linked",
    TICKED: "linked with it ticked",
    OTHER_WAY: "linked with it ticked only the other way",
    OTHERS_ONLY: "linked with every other permission ticked but not it",
}


def manages(role):
    return role in (OWNER, ADMIN)


def tick(link, permission):
    """(agent_may, principal_may) for link_customers."""
    if link == TICKED:
        return {permission: True}, {}
    if link == OTHER_WAY:
        return {}, ALL
    if link == OTHERS_ONLY:
        return {**ALL, permission: False}, {}
    raise AssertionError(link)


Case = namedtuple("Case", "permission link agent_role principal_role")


def expected(case):
    """The rule as the module docstring states it, for the agent acting for the principal."""
    return case.link == TICKED or (manages(case.agent_role) and case.principal_role == DEPENDENT)


def expected_back(case):
    """The same rule for the principal acting for the agent (only the roles' own group counts)."""
    return case.link == OTHER_WAY or (manages(case.principal_role) and case.agent_role == DEPENDENT)


def sentence(case):
    may = "may" if expected(case) else "may not"
    return (
        f"{AGENT_WORDS[case.agent_role]} {may} {DOING[case.permission]} for "
        f"{PRINCIPAL_WORDS[case.principal_role]}, {LINK_WORDS[case.link]}"
    )


TABLE = [
    pytest.param(case, id=sentence(case))
    for case in (Case(*values) for values in product(PERMISSION_FIELDS, LINK_WORDS, ROLES, ROLES))
    # A group has one Owner, and a customer is in one group: two Owners cannot share one.
    if not (case.agent_role == OWNER and case.principal_role == OWNER)
]


def make_group(actor, labels, owner, *members, name=""):
    """A group owned by `owner` with `members`, (customer, role) pairs."""
    group = group_services.create_group(
        actor=actor, owner_id=owner.pk, owner_label_id=labels["Parent"].pk, name=name
    )
    for customer, role in members:
        label = labels["Child"] if role == Role.DEPENDENT else labels["Nanny"]
        group_services.add_member(
            actor=actor, group_id=group.pk, customer_id=customer.pk, role=role, label_id=label.pk
        )
    return group


def place(actor, labels, agent, agent_role, principal, principal_role):
    """Put the agent and the principal where the case says, in "our" group or elsewhere."""
    roles = {agent: agent_role, principal: principal_role}
    owners = [customer for customer, role in roles.items() if role == OWNER]
    owner = owners[0] if owners else CustomerFactory(first_name="Olga", last_name="Owner")
    ours = [
        (customer, Role.ADMIN if role == ADMIN else Role.DEPENDENT)
        for customer, role in roles.items()
        if role in (ADMIN, DEPENDENT)
    ]
    make_group(actor, labels, owner, *ours, name="Ours")
    if agent_role == ELSEWHERE:
        make_group(actor, labels, CustomerFactory(last_name="Jones"), (agent, Role.ADMIN), name="Joneses")
    if principal_role == ELSEWHERE:
        make_group(
            actor, labels, CustomerFactory(last_name="Brown"), (principal, Role.DEPENDENT), name="Browns"
        )


def link(actor, agent, principal, agent_may=None, principal_may=None, kind="Parent"):
    """Link them as `kind`; the type's defaults give nothing, only what is ticked here does."""
    return services.link_customers(
        actor=actor,
        agent_id=agent.pk,
        principal_id=principal.pk,
        type_id=RelationshipType.objects.get(name=kind).pk,
        agent_may=agent_may,
        principal_may=principal_may,
    )


def answers(agent, principal, permission):
    """What each of the three functions says about `agent` acting for `principal`."""
    return (
        may_act_for(agent, principal, permission),
        principals_for(agent, permission).filter(pk=principal.pk).exists(),
        agents_for(principal, permission).filter(pk=agent.pk).exists(),
    )


@pytest.mark.parametrize("case", TABLE)
def test_who_may_act_for_whom(case, actor, labels, linking_on):
    """One row of the table; the reverse direction is checked too (its rule is the mirror)."""
    agent = CustomerFactory(first_name="Agnes", last_name="Agent")
    principal = CustomerFactory(first_name="Paul", last_name="Principal")
    place(actor, labels, agent, case.agent_role, principal, case.principal_role)
    if case.link != NOT_LINKED:
        link(actor, agent, principal, *tick(case.link, case.permission))

    assert answers(agent, principal, case.permission) == (expected(case),) * 3
    assert answers(principal, agent, case.permission) == (expected_back(case),) * 3


# Link removed: the authority that came from a source lasts exactly as long as the source.
# "link": Admin and Admin (who do not act for each other), linked with P ticked.
# "group": Admin and Dependent, linked with nothing ticked (so that there is a link to remove).
# "both": Admin and Dependent, linked with P ticked.
SOURCES = {"link": (Role.ADMIN, True), "group": (Role.DEPENDENT, False), "both": (Role.DEPENDENT, True)}
SOURCE_WORDS = {
    "link": "a ticked link",
    "group": "the group rule",
    "both": "both a ticked link and the group rule",
}
REMOVALS = {
    "unlinked": "after the desk unlinks them",
    "agent removed": "after the agent is removed from the group",
    "principal removed": "after the principal is removed from the group",
    "agent demoted": "after the agent is made a Dependent",
}


def still(source, removal):
    by_link = source in ("link", "both") and removal != "unlinked"
    by_group = source in ("group", "both") and removal == "unlinked"
    return by_link or by_group


REMOVAL_TABLE = [
    pytest.param(
        permission,
        source,
        removal,
        id=f"with {SOURCE_WORDS[source]}, the agent {'still' if still(source, removal) else 'no longer'} "
        f"may {DOING[permission]} {REMOVALS[removal]}",
    )
    for permission, source, removal in product(PERMISSION_FIELDS, SOURCES, REMOVALS)
]


@pytest.mark.parametrize(("permission", "source", "removal"), REMOVAL_TABLE)
def test_authority_ends_with_its_source(permission, source, removal, actor, labels, linking_on):
    principal_role, ticked = SOURCES[source]
    owner = CustomerFactory(first_name="Olga", last_name="Owner")
    agent = CustomerFactory(first_name="Agnes", last_name="Agent")
    principal = CustomerFactory(first_name="Paul", last_name="Principal")
    make_group(actor, labels, owner, (agent, Role.ADMIN), (principal, principal_role))
    pair = link(actor, agent, principal, {permission: True} if ticked else {})
    assert answers(agent, principal, permission) == (True,) * 3

    if removal == "unlinked":
        services.unlink(actor=actor, link_id=pair.pk)
    elif removal == "agent demoted":
        member = GroupMember.objects.get(customer=agent)
        group_services.change_member(
            actor=actor, member_id=member.pk, role=Role.DEPENDENT, label_id=member.label_id, version=1
        )
    else:
        gone = agent if removal == "agent removed" else principal
        group_services.remove_member(actor=actor, member_id=GroupMember.objects.get(customer=gone).pk)

    assert answers(agent, principal, permission) == (still(source, removal),) * 3


SWITCH_TABLE = [
    pytest.param(
        permission, source, id=f"switched off, {SOURCE_WORDS[source]} lets nobody {DOING[permission]}"
    )
    for permission, source in product(PERMISSION_FIELDS, SOURCES)
]


@pytest.mark.parametrize(("permission", "source"), SWITCH_TABLE)
def test_switched_off_nobody_acts_for_anybody(permission, source, actor, labels, linking_on):
    principal_role, ticked = SOURCES[source]
    agent = CustomerFactory(first_name="Agnes", last_name="Agent")
    principal = CustomerFactory(first_name="Paul", last_name="Principal")
    make_group(actor, labels, CustomerFactory(), (agent, Role.ADMIN), (principal, principal_role))
    link(actor, agent, principal, {permission: True} if ticked else {}, ALL)
    assert answers(agent, principal, permission) == (True,) * 3  # so the switch is all that differs

    with override_switch(ACCOUNT_LINKING, active=False):
        assert answers(agent, principal, permission) == (False,) * 3
        assert answers(principal, agent, permission) == (False,) * 3
        assert not principals_for(agent, permission).exists()
        assert not agents_for(principal, permission).exists()
    # The links and places are kept; switched on again, the authority is back.
    assert answers(agent, principal, permission) == (True,) * 3


# A small world with every kind of pair in it, for the consistency property.


@pytest.fixture
def world(actor, labels, family, several_groups_on):
    """The Smiths (Anna Owner, Cara Admin, Ben and Dan Dependents), the Joneses (Jo Owner, Kit
    Dependent; Cara is their Admin too), Olly in no group, and links every way round."""
    smiths = family["group"]
    dan = CustomerFactory(first_name="Dan", last_name="Smith")
    group_services.add_member(
        actor=actor, group_id=smiths.pk, customer_id=dan.pk, role=Role.DEPENDENT, label_id=labels["Child"].pk
    )
    jo = CustomerFactory(first_name="Jo", last_name="Jones")
    kit = CustomerFactory(first_name="Kit", last_name="Jones")
    joneses = make_group(actor, labels, jo, (kit, Role.DEPENDENT), (family["cara"], Role.ADMIN))
    olly = CustomerFactory(first_name="Olly", last_name="Out")
    people = {
        **{k: family[k] for k in ("anna", "ben", "cara")},
        "dan": dan,
        "jo": jo,
        "kit": kit,
        "olly": olly,
    }
    # Anna both manages Ben and is linked to him: she must be counted once.
    link(actor, people["anna"], people["ben"], ALL, {"receives_copies": True})
    link(actor, people["anna"], kit, {"can_book": True, "receives_copies": True})
    link(actor, people["ben"], people["cara"], {"can_complete_forms": True}, kind="Other")
    link(actor, olly, jo, {"can_book": True, "can_use_packages": True}, {"can_book": True}, kind="Partner")
    link(actor, dan, olly, kind="Other")
    return {"people": people, "groups": (smiths, joneses)}


def rule(agent, principal, permission):
    """The two rules straight from the rows, written independently of linking.authority."""
    by_link = Link.objects.filter(agent=agent, principal=principal, **{permission: True}).exists()
    managed = GroupMember.objects.filter(customer=agent, role__in=[Role.OWNER, Role.ADMIN]).values("group")
    by_group = GroupMember.objects.filter(customer=principal, role=Role.DEPENDENT, group__in=managed).exists()
    return by_link or by_group


@pytest.mark.parametrize("permission", PERMISSION_FIELDS)
def test_the_lists_agree_with_may_act_for_for_every_pair(world, permission, linking_on):
    people = list(world["people"].values())
    for agent in people:
        principals = list(principals_for(agent, permission))
        assert len(principals) == len(set(principals)), f"{agent} is counted twice somewhere"
        assert principals == sorted(principals, key=lambda c: (c.last_name, c.first_name, c.pk))
        for principal in people:
            if principal == agent:
                continue
            may = may_act_for(agent, principal, permission)
            assert may == rule(agent, principal, permission), (agent, principal)
            assert (principal in principals) == may, (agent, principal)
            assert (agent in agents_for(principal, permission)) == may, (agent, principal)
    for principal in people:
        agents = list(agents_for(principal, permission))
        assert len(agents) == len(set(agents))
        assert agents == sorted(agents, key=lambda c: (c.last_name, c.first_name, c.pk))


def test_the_world_has_the_pairs_it_claims(world, linking_on):
    """A guard on the world itself, so the consistency test is not vacuously true."""
    p = world["people"]
    assert list(principals_for(p["anna"], "can_book")) == [p["kit"], p["ben"], p["dan"]]
    assert list(principals_for(p["cara"], "can_use_packages")) == [p["kit"], p["ben"], p["dan"]]
    assert list(agents_for(p["ben"], "receives_copies")) == [p["cara"], p["anna"]]
    assert list(agents_for(p["cara"], "can_complete_forms")) == [p["ben"]]
    assert list(principals_for(p["jo"], "can_book")) == [p["kit"], p["olly"]]
    assert list(principals_for(p["dan"], "can_book")) == []
    assert list(principals_for(p["ben"], "receives_copies")) == [p["anna"]]


@pytest.mark.parametrize("permission", PERMISSION_FIELDS)
def test_nobody_acts_for_themselves(world, permission, linking_on):
    for customer in world["people"].values():
        assert may_act_for(customer, customer, permission) is False
        assert customer not in principals_for(customer, permission)
        assert customer not in agents_for(customer, permission)


def test_nobody_acts_for_or_as_no_one(world, linking_on):
    anna = world["people"]["anna"]
    for permission in PERMISSION_FIELDS:
        assert may_act_for(None, anna, permission) is False
        assert may_act_for(anna, None, permission) is False
        assert list(principals_for(None, permission)) == []
        assert list(agents_for(None, permission)) == []


@pytest.mark.parametrize("switch", [True, False], ids=["switched on", "switched off"])
@pytest.mark.parametrize("permission", ["can_fly", "CAN_BOOK", "", None, "id", "agent", "version"])
@pytest.mark.parametrize("ask", [may_act_for, principals_for, agents_for], ids=lambda f: f.__name__)
def test_an_unknown_permission_is_a_programming_error(family, ask, permission, switch):
    """Refused whether the switch is on or off: a typo must not pass as "nobody may"."""
    args = (family["anna"], family["ben"]) if ask is may_act_for else (family["anna"],)
    with (
        override_switch(ACCOUNT_LINKING, active=switch),
        pytest.raises(ValueError, match="Unknown permission"),
    ):
        ask(*args, permission)


# Tombstones: a customer merged into another keeps their rows; the lists never name them.


@pytest.fixture
def tombstones(actor, labels, family):
    """Tom (a Dependent of the Smiths) and Tess (their Admin), both linked to Olly, then merged."""
    olly = CustomerFactory(first_name="Olly", last_name="Out")
    tom = CustomerFactory(first_name="Tom", last_name="Smith")
    tess = CustomerFactory(first_name="Tess", last_name="Smith")
    for customer, role in ((tom, Role.DEPENDENT), (tess, Role.ADMIN)):
        group_services.add_member(
            actor=actor,
            group_id=family["group"].pk,
            customer_id=customer.pk,
            role=role,
            label_id=labels["Child" if role == Role.DEPENDENT else "Nanny"].pk,
        )
        link(actor, olly, customer, ALL, ALL, kind="Partner")
    return {"olly": olly, "tom": tom, "tess": tess, **family}


def merge(*customers, into):
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(
        merged_into=into, merged_at=timezone.now()
    )


@pytest.mark.parametrize("permission", PERMISSION_FIELDS)
def test_tombstones_are_never_listed(tombstones, permission, linking_on):
    t = tombstones
    live = [t["anna"], t["ben"], t["cara"], t["olly"]]
    listed = {
        other
        for customer in live
        for other in [*principals_for(customer, permission), *agents_for(customer, permission)]
    }
    assert {t["tom"], t["tess"]} <= listed  # before the merge both were there, as agent and as principal

    merge(t["tom"], t["tess"], into=t["ben"])

    for customer in [*live, t["tom"], t["tess"]]:
        for other in [*principals_for(customer, permission), *agents_for(customer, permission)]:
            assert other.merged_into_id is None, f"{other} is a tombstone, listed for {customer}"


@pytest.mark.parametrize("permission", PERMISSION_FIELDS)
def test_may_act_for_agrees_with_the_lists_about_tombstones(tombstones, permission, linking_on):
    t = tombstones
    merge(t["tom"], t["tess"], into=t["ben"])
    pairs = [(t["anna"], t["tom"]), (t["olly"], t["tom"]), (t["tess"], t["ben"]), (t["tess"], t["olly"])]
    for agent, principal in pairs:
        listed = principal in principals_for(agent, permission) and agent in agents_for(principal, permission)
        assert may_act_for(agent, principal, permission) == listed, (agent, principal)


# A fixed number of queries, however many links and members there are.

# A warm read of the switch from the shared database cache, then one query for the answer.
SWITCH, ANSWER = 1, 1


def grow(actor, labels, group, owner, count):
    """`count` more Dependents in the group, each linked both ways with the owner, all ticked."""
    for customer in CustomerFactory.create_batch(count, last_name="Smithson"):
        group_services.add_member(
            actor=actor,
            group_id=group.pk,
            customer_id=customer.pk,
            role=Role.DEPENDENT,
            label_id=labels["Child"].pk,
        )
        link(actor, owner, customer, ALL, ALL)


def test_a_fixed_number_of_queries(family, actor, labels, linking_on, django_assert_num_queries):
    anna, ben, cara = family["anna"], family["ben"], family["cara"]
    stranger = CustomerFactory()
    link(actor, cara, stranger, ALL, ALL)

    def measure():
        account_linking_on()  # fill the shared cache of switches
        for permission in PERMISSION_FIELDS:
            for agent, principal in ((anna, ben), (anna, stranger), (cara, stranger), (ben, anna)):
                with django_assert_num_queries(SWITCH + ANSWER):
                    may_act_for(agent, principal, permission)
            with django_assert_num_queries(SWITCH + ANSWER):
                principals = list(principals_for(anna, permission))
            with django_assert_num_queries(SWITCH + ANSWER):
                agents = list(agents_for(ben, permission))
            with django_assert_num_queries(SWITCH + ANSWER):
                anna_agents = list(agents_for(anna, permission))
        return len(principals), len(agents), len(anna_agents)

    assert measure() == (1, 2, 0)
    grow(actor, labels, family["group"], anna, 30)
    assert measure() == (31, 2, 30)

    with override_switch(ACCOUNT_LINKING, active=False):
        account_linking_on()
        with django_assert_num_queries(SWITCH):
            may_act_for(anna, ben, "can_book")
        with django_assert_num_queries(SWITCH):
            assert list(principals_for(anna, "can_book")) == []
        with django_assert_num_queries(SWITCH):
            assert list(agents_for(ben, "can_book")) == []


# Many at once: principals_of_each and agents_of_each answer for a whole list of customers
# (the Day View's attendees, say) what principals_for and agents_for answer for one.


def ids(customers):
    return {customer.pk for customer in customers}


@pytest.mark.parametrize("permission", PERMISSION_FIELDS)
def test_the_bulk_lookups_agree_with_may_act_for_for_every_pair(world, permission, linking_on):
    people = list(world["people"].values())
    everyone = [person.pk for person in people]
    principals = principals_of_each(everyone, permission)
    agents = agents_of_each(everyone, permission)
    assert set(principals) == set(agents) == set(everyone)
    for agent in people:
        assert principals[agent.pk] == ids(principals_for(agent, permission)), agent
        assert agents[agent.pk] == ids(agents_for(agent, permission)), agent
        for principal in people:
            may = may_act_for(agent, principal, permission)
            assert (principal.pk in principals[agent.pk]) == may == (agent.pk in agents[principal.pk])


def test_the_bulk_lookups_say_which_permission_and_which_way(world, linking_on):
    """A guard on the world for the bulk answers: a link counts for what is ticked on it and
    in its own direction; the group rule for every permission, from manager to Dependent."""
    p = world["people"]
    assert principals_of_each([p["jo"].pk], Permission.CAN_USE_PACKAGES) == {p["jo"].pk: {p["kit"].pk}}
    assert principals_of_each([p["olly"].pk], Permission.CAN_USE_PACKAGES) == {p["olly"].pk: {p["jo"].pk}}
    assert principals_of_each([p["olly"].pk, p["dan"].pk], Permission.CAN_BOOK) == {
        p["olly"].pk: {p["jo"].pk},
        p["dan"].pk: set(),
    }
    assert agents_of_each([p["ben"].pk, p["kit"].pk], Permission.RECEIVES_COPIES) == {
        p["ben"].pk: {p["anna"].pk, p["cara"].pk},
        p["kit"].pk: {p["anna"].pk, p["cara"].pk, p["jo"].pk},
    }
    assert agents_of_each([p["cara"].pk], Permission.CAN_COMPLETE_FORMS) == {p["cara"].pk: {p["ben"].pk}}


def test_the_bulk_lookups_answer_for_nobody_without_asking(linking_on, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert principals_of_each([], Permission.CAN_BOOK) == {}
        assert agents_of_each(set(), Permission.CAN_BOOK) == {}


@pytest.mark.parametrize("ask", [principals_of_each, agents_of_each], ids=lambda f: f.__name__)
@pytest.mark.parametrize("permission", ["can_fly", "CAN_BOOK", "", None, "id"])
def test_the_bulk_lookups_refuse_an_unknown_permission(family, ask, permission):
    with pytest.raises(ValueError, match="Unknown permission"):
        ask([family["anna"].pk], permission)


def test_the_bulk_lookups_read_a_fixed_number_of_queries(
    family, actor, labels, linking_on, django_assert_num_queries
):
    """The switch and one query, however many customers are asked about and however many
    each may act for or be acted for by: never a query per customer (an N+1)."""
    anna, ben, cara = family["anna"], family["ben"], family["cara"]
    stranger = CustomerFactory()
    link(actor, cara, stranger, ALL, ALL)

    def measure():
        everyone = list(Customer.objects.values_list("pk", flat=True))
        account_linking_on()  # fill the shared cache of switches
        for permission in PERMISSION_FIELDS:
            with django_assert_num_queries(SWITCH + ANSWER):
                principals = principals_of_each(everyone, permission)
            with django_assert_num_queries(SWITCH + ANSWER):
                agents = agents_of_each(everyone, permission)
        return len(everyone), len(principals[anna.pk]), len(agents[ben.pk]), len(principals[cara.pk])

    assert measure() == (4, 1, 2, 2)
    grow(actor, labels, family["group"], anna, 30)
    assert measure() == (34, 31, 2, 32)

    with override_switch(ACCOUNT_LINKING, active=False):
        account_linking_on()
        with django_assert_num_queries(SWITCH):
            assert principals_of_each([anna.pk, cara.pk], Permission.CAN_BOOK) == {
                anna.pk: set(),
                cara.pk: set(),
            }
        with django_assert_num_queries(SWITCH):
            assert agents_of_each([ben.pk], Permission.CAN_BOOK) == {ben.pk: set()}


@pytest.mark.parametrize("permission", PERMISSION_FIELDS)
def test_the_bulk_lookups_leave_tombstones_out(tombstones, permission, linking_on):
    t = tombstones
    merge(t["tom"], t["tess"], into=t["ben"])
    everyone = [t[name].pk for name in ("anna", "ben", "cara", "olly", "tom", "tess")]
    principals = principals_of_each(everyone, permission)
    agents = agents_of_each(everyone, permission)
    # A tombstone acts for nobody and nobody acts for one, as may_act_for says.
    assert principals[t["tom"].pk] == principals[t["tess"].pk] == set()
    assert agents[t["tom"].pk] == agents[t["tess"].pk] == set()
    for found in (*principals.values(), *agents.values()):
        assert not found & {t["tom"].pk, t["tess"].pk}


def test_stored_principal_ids_read_the_rows_whatever_the_switch(world, linking_on):
    """For the review of access at 18: whom someone has a say over as stored, by a link with
    anything ticked or the group rule, on or off."""
    people = list(world["people"].values())

    def stored(agent=None):
        return set(
            Customer.objects.filter(pk__in=stored_principal_ids(agent=agent)).values_list("pk", flat=True)
        )

    def by_rule(agent):
        return {
            p.pk for p in people if p != agent and any(rule(agent, p, perm) for perm in PERMISSION_FIELDS)
        }

    expected = {agent.pk: by_rule(agent) for agent in people}
    assert stored() == set().union(*expected.values())
    for switch in (True, False):
        with override_switch(ACCOUNT_LINKING, active=switch):
            for agent in people:
                assert stored(agent) == expected[agent.pk], agent
