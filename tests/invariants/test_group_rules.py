"""The group rules hold after any sequence of front-desk actions (a hypothesis state machine).

Random desks create groups, add, change, hand over and remove members, rename groups, retire
a label and flip the `admins_in_several_groups` switch, over a small pool of customers so
that they keep running into each other. After every step the machine checks the rules of
DESIGN.md ("Rules that always hold", 1, 2 and 8) against the database itself, and that a
refused action raised `KinshipError` and changed nothing, not even the history.

Besides the rules, a small model says which actions must be refused and why; an action the
services refuse without such a reason (or do despite one) fails the test too.

Each example runs in its own transaction, rolled back by `teardown`, so examples start
from the same empty database.
"""

from collections import Counter, namedtuple

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from waffle.testutils import override_switch

from core.errors import KinshipError
from customers.models import Activity
from groups import services
from groups.features import ADMINS_IN_SEVERAL_GROUPS
from groups.models import CustomerGroup, GroupMember, MemberLabel, Role
from tests import rules
from tests.factories import CustomerFactory, UserFactory

# Five customers who may join groups and one archived customer, who may not (picked less often).
LIVE = ("Ash", "Birch", "Cedar", "Dogwood", "Elm")
ARCHIVED = len(LIVE)
a_customer = st.sampled_from((*range(len(LIVE)), *range(len(LIVE)), ARCHIVED))
# The default labels, a label retired from the start, and "Carer", which a rule retires and offers again.
LABELS = ("Parent", "Nanny", "Child", "Carer", "Godparent")
a_label = st.sampled_from(("Parent", "Nanny", "Child", "Carer") * 2 + ("Godparent",))
# A change of place may keep the member's label, even a retired one.
KEPT = "(kept)"
a_new_label = st.sampled_from((KEPT, KEPT, *LABELS))
a_role = st.sampled_from(Role.values)
# Blank names are refused on rename (and mean "the family's name" on create); long ones are cut.
a_name = st.sampled_from(["", "   ", "Care of Dad", "  The Ashes  ", "x" * 130])
# Picks one of the current groups or places by position, so that a failing sequence prints
# as plain numbers; now and then one that is gone (removed, or deleted with its last member).
a_pick = st.integers(0, 40)
now_and_then = st.sampled_from([False] * 5 + [True])

Place = namedtuple("Place", "pk group customer role label several version")


class Snapshot:
    """Every group, every membership and how many history lines each customer has."""

    def __init__(self):
        self.groups = list(
            CustomerGroup.objects.order_by("pk").values_list("pk", "name", "version", "updated_at")
        )
        self.places = [
            Place(*row)
            for row in GroupMember.objects.order_by("pk").values_list(
                "pk", "group_id", "customer_id", "role", "label_id", "in_several_groups", "version"
            )
        ]
        self.history = Counter(
            dict(
                Activity.objects.order_by()
                .values("customer_id")
                .annotate(n=Count("pk"))
                .values_list("customer_id", "n")
            )
        )

    def places_of(self, customer_id):
        return [place for place in self.places if place.customer == customer_id]

    def members_of(self, group_id):
        return [place for place in self.places if place.group == group_id]

    def owner_of(self, group_id):
        return next(place for place in self.members_of(group_id) if place.role == Role.OWNER)

    def same_rows(self, other):
        return self.groups == other.groups and self.places == other.places


class GroupRules(RuleBasedStateMachine):
    """Front desks and a superuser at work on one small pool of customers."""

    def __init__(self):
        super().__init__()
        # Everything an example writes, switches included, is rolled back in `teardown`.
        self.example = transaction.atomic()
        self.example.__enter__()
        self.switches = []  # the overrides `start` and `superuser` entered, undone in `teardown`
        self.actor = UserFactory(username="rules-desk")
        self.customers = [CustomerFactory(first_name="Pat", last_name=last) for last in LIVE]
        self.customers.append(CustomerFactory(first_name="Fay", last_name="Fir", archived_at=timezone.now()))
        self.labels = {each: MemberLabel.objects.get_or_create(name=each)[0] for each in LABELS[:4]}
        self.labels["Godparent"] = MemberLabel.objects.create(name="Godparent", is_active=False)
        self.gone_groups, self.gone_places = [], []
        self.unchanged_because = None
        self.state = Snapshot()

    def teardown(self):
        for overridden in reversed(self.switches):
            overridden.disable()
        transaction.set_rollback(True)
        self.example.__exit__(None, None, None)

    # Helpers -----------------------------------------------------------------------------

    def switch(self, active):
        overridden = override_switch(ADMINS_IN_SEVERAL_GROUPS, active=active)
        overridden.enable()
        self.switches.append(overridden)
        self.several_on = active

    def offered(self, label_name):
        return self.labels[label_name].is_active

    def attempt(self, action, *, refuse_because):
        """Run one desk action; it must be refused exactly when the model has a reason to."""
        try:
            action()
        except KinshipError as error:
            refused = error.message
        else:
            refused = None
        if refused is None:
            assert not refuse_because, f"done, but it should have been refused: {refuse_because}"
        else:
            assert refused.strip(), "a refusal must say why"
            assert refuse_because, f"refused, but no rule says so: {refused}"
        self.unchanged_because = refused and f"refused ({refused})"
        return refused is None

    def why_not_joinable(self, index, role, group_id=None):
        """The model of who may join a group in `role`: one group, or several as an Admin everywhere."""
        if index == ARCHIVED:
            return "archived"
        places = self.state.places_of(self.customers[index].pk)
        if any(place.group == group_id for place in places):
            return "already in this group"
        if not places:
            return ""
        if role == Role.ADMIN and self.several_on and all(place.role == Role.ADMIN for place in places):
            return ""
        return "already in a group"

    def admins(self):
        return [place for place in self.state.places if place.role == Role.ADMIN]

    def current_or_gone(self, current, gone, which, pick_gone):
        choices = gone if (pick_gone and gone) or not current else current
        return choices[which % len(choices)]

    def assert_owner(self, group_id, customer_id):
        owners = GroupMember.objects.filter(group_id=group_id, role=Role.OWNER).values_list(
            "customer_id", flat=True
        )
        assert list(owners) == [customer_id]

    # Rules -------------------------------------------------------------------------------

    @rule(
        owner=a_customer,
        owner_label=a_label,
        name=a_name,
        member=st.none() | a_customer,
        member_role=a_role,
        member_label=a_label,
    )
    def create_group(self, owner, owner_label, name, member, member_role, member_label):
        reasons = [
            member == owner and "the owner named twice",
            not self.offered(owner_label) and "owner label retired",
            member is not None and not self.offered(member_label) and "member label retired",
            self.why_not_joinable(owner, Role.OWNER),
            member is not None and self.why_not_joinable(member, member_role),
        ]
        done = self.attempt(
            lambda: services.create_group(
                actor=self.actor,
                owner_id=self.customers[owner].pk,
                owner_label_id=self.labels[owner_label].pk,
                name=name,
                member_id=None if member is None else self.customers[member].pk,
                member_role=member_role,
                member_label_id=self.labels[member_label].pk,
            ),
            refuse_because=next((reason for reason in reasons if reason), ""),
        )
        if done:
            owner_id = self.customers[owner].pk
            new_group = CustomerGroup.objects.latest("pk")
            if member is not None and member_role == Role.OWNER:
                # Naming the second member as Owner hands the new group to them at once.
                self.assert_owner(new_group.pk, self.customers[member].pk)
                assert GroupMember.objects.get(group=new_group, customer_id=owner_id).role == Role.ADMIN
            else:
                self.assert_owner(new_group.pk, owner_id)
            assert new_group.name.strip() and len(new_group.name) <= services.NAME_MAX

    @precondition(lambda self: self.state.groups or self.gone_groups)
    @rule(which=a_pick, gone=now_and_then, index=a_customer, role=a_role, label=a_label)
    def add_member(self, which, gone, index, role, label):
        group_id = self.current_or_gone([pk for pk, *_ in self.state.groups], self.gone_groups, which, gone)
        reasons = [
            group_id in self.gone_groups and "group gone",
            not self.offered(label) and "label retired",
            self.why_not_joinable(index, role, group_id),
        ]
        previous_owner = None if group_id in self.gone_groups else self.state.owner_of(group_id)
        done = self.attempt(
            lambda: services.add_member(
                actor=self.actor,
                group_id=group_id,
                customer_id=self.customers[index].pk,
                role=role,
                label_id=self.labels[label].pk,
            ),
            refuse_because=next((reason for reason in reasons if reason), ""),
        )
        if done and role == Role.OWNER:
            # Adding an Owner hands the group over; the Owner until now stays, as an Admin.
            self.assert_owner(group_id, self.customers[index].pk)
            assert GroupMember.objects.get(pk=previous_owner.pk).role == Role.ADMIN

    @precondition(lambda self: self.admins() and len(self.state.groups) > 1)
    @rule(which=a_pick, where=a_pick, label=a_label)
    def share_a_member(self, which, where, label):
        """A carer of one family starts caring for another: add an Admin of one group to
        another as an Admin, the case `admins_in_several_groups` is about."""
        admins = self.admins()
        place = admins[which % len(admins)]
        others = [pk for pk, *_ in self.state.groups if pk != place.group]
        group_id = others[where % len(others)]
        index = next(i for i, c in enumerate(self.customers) if c.pk == place.customer)
        reasons = [
            not self.offered(label) and "label retired",
            self.why_not_joinable(index, Role.ADMIN, group_id),
        ]
        self.attempt(
            lambda: services.add_member(
                actor=self.actor,
                group_id=group_id,
                customer_id=place.customer,
                role=Role.ADMIN,
                label_id=self.labels[label].pk,
            ),
            refuse_because=next((reason for reason in reasons if reason), ""),
        )

    @precondition(lambda self: self.state.places or self.gone_places)
    @rule(which=a_pick, gone=now_and_then, role=a_role, label=a_new_label, stale=now_and_then)
    def change_member(self, which, gone, role, label, stale):
        place = self.current_or_gone(self.state.places, self.gone_places, which, gone)
        version = place.version + (1 if stale else 0)
        label_id = place.label if label == KEPT else self.labels[label].pk
        elsewhere = len(self.state.places_of(place.customer)) > 1
        role_changes = role != place.role
        reasons = [
            place in self.gone_places and "no longer in the group",
            stale and "stale form",
            label_id != place.label and not self.offered(label) and "label retired",
            # Nothing more to refuse when nothing changes.
            (role_changes or label_id != place.label)
            and (
                (role_changes and place.role == Role.OWNER and "the Owner cannot step down")
                or (role_changes and role == Role.OWNER and elsewhere and "an Owner is in one group only")
                or (
                    role_changes
                    and role == Role.DEPENDENT
                    and elsewhere
                    and "a Dependent is in one group only"
                )
            ),
        ]
        previous_owner = None if place in self.gone_places else self.state.owner_of(place.group)
        done = self.attempt(
            lambda: services.change_member(
                actor=self.actor, member_id=place.pk, role=role, label_id=label_id, version=version
            ),
            refuse_because=next((reason for reason in reasons if reason), ""),
        )
        if done and role_changes and role == Role.OWNER:
            self.assert_owner(place.group, place.customer)
            assert GroupMember.objects.get(pk=previous_owner.pk).role == Role.ADMIN

    @precondition(lambda self: any(place.role != Role.OWNER for place in self.state.places))
    @rule(which=a_pick)
    def hand_over(self, which):
        """Make a member the Owner from a fresh form; the Owner until now becomes an Admin."""
        candidates = [place for place in self.state.places if place.role != Role.OWNER]
        place = candidates[which % len(candidates)]
        previous_owner = self.state.owner_of(place.group)
        elsewhere = len(self.state.places_of(place.customer)) > 1
        done = self.attempt(
            lambda: services.change_member(
                actor=self.actor,
                member_id=place.pk,
                role=Role.OWNER,
                label_id=place.label,
                version=place.version,
            ),
            refuse_because="an Owner is in one group only" if elsewhere else "",
        )
        if done:
            self.assert_owner(place.group, place.customer)
            assert GroupMember.objects.get(pk=previous_owner.pk).role == Role.ADMIN

    @precondition(lambda self: self.state.places or self.gone_places)
    @rule(which=a_pick, gone=now_and_then)
    def remove_member(self, which, gone):
        place = self.current_or_gone(self.state.places, self.gone_places, which, gone)
        alone = len(self.state.members_of(place.group)) == 1
        reasons = [
            place in self.gone_places and "no longer in the group",
            place.role == Role.OWNER and not alone and "the Owner leaves last",
        ]
        done = self.attempt(
            lambda: services.remove_member(actor=self.actor, member_id=place.pk),
            refuse_because=next((reason for reason in reasons if reason), ""),
        )
        if done:
            self.gone_places.append(place)
            if alone:
                # The last member left: the group went with them.
                assert not CustomerGroup.objects.filter(pk=place.group).exists()
                self.gone_groups.append(place.group)

    @precondition(lambda self: self.state.groups or self.gone_groups)
    @rule(which=a_pick, gone=now_and_then, name=a_name, stale=now_and_then)
    def rename_group(self, which, gone, name, stale):
        groups = {pk: (old, version) for pk, old, version, _ in self.state.groups}
        group_id = self.current_or_gone(list(groups), self.gone_groups, which, gone)
        old, version = groups.get(group_id, ("", 1))
        reasons = [
            group_id in self.gone_groups and "group gone",
            stale and "stale form",
            not name.strip() and "no name",
        ]
        done = self.attempt(
            lambda: services.rename_group(
                actor=self.actor, group_id=group_id, name=name, version=version + (1 if stale else 0)
            ),
            refuse_because=next((reason for reason in reasons if reason), ""),
        )
        if done and CustomerGroup.objects.get(pk=group_id).name != old:
            # A rename changes no membership, but every member's history tells of it.
            history = Snapshot().history
            for place in self.state.members_of(group_id):
                assert history[place.customer] > self.state.history[place.customer], place

    @initialize(active=st.booleans(), role=st.sampled_from([Role.ADMIN, Role.DEPENDENT, Role.OWNER]))
    def start(self, active, role):
        """Start from two families, the Ashes with Birch in some role and Cedar alone, so that
        sequences soon move people between groups; half of them with Admins allowed in several."""
        self.switch(active)
        parent = self.labels["Parent"].pk
        ash, birch, cedar = (c.pk for c in self.customers[:3])
        services.create_group(
            actor=self.actor,
            owner_id=ash,
            owner_label_id=parent,
            member_id=birch,
            member_role=role,
            member_label_id=parent,
        )
        services.create_group(actor=self.actor, owner_id=cedar, owner_label_id=parent)

    @rule(setting=st.sampled_from(["several on", "several off", "retire Carer", "offer Carer"]))
    def superuser(self, setting):
        """A superuser flips `admins_in_several_groups`, or retires "Carer" (members keep it)
        or offers it again. One rule for the four, so that desk actions make most steps."""
        if setting.startswith("several"):
            self.switch(setting == "several on")
        else:
            carer = self.labels["Carer"]
            carer.is_active = setting == "offer Carer"
            carer.save(update_fields=["is_active"])
        self.unchanged_because = f"a superuser's setting ({setting})"

    # The rules ---------------------------------------------------------------------------

    @invariant()
    def the_rules_hold(self):
        before, now = self.state, Snapshot()
        if self.unchanged_because is not None:
            # A refused action (or a superuser's setting) changes no group, place or history.
            assert now.same_rows(before), f"{self.unchanged_because}, yet a group or place changed"
            assert now.history == before.history, f"{self.unchanged_because}, yet history was written"
        # Rule 8: every change writes a history line on each customer whose place changed.
        for customer_id in {place.customer for place in set(before.places) ^ set(now.places)}:
            assert now.history[customer_id] > before.history[customer_id], (
                f"customer {customer_id}'s place changed without a history line"
            )
        # Rule 2: a group exists only with members, and has exactly one Owner. Rule 1: one
        # group per customer, unless every place they hold is a shared Admin place.
        rules.assert_one_owner_each()
        rules.assert_one_group_each()
        assert not now.places_of(self.customers[ARCHIVED].pk), "an archived customer joined a group"
        self.state = now


class GroupRulesTest(TestCase):
    def test_the_group_rules_hold_after_any_sequence_of_desk_actions(self):
        # The loaded profile ("ci": 25 fixed examples), with sequences long enough for
        # hand-overs after adds and removals after hand-overs.
        run_state_machine_as_test(GroupRules, settings=settings(stateful_step_count=30))
