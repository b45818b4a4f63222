"""Links, groups, merges and undone merges keep their rules after any sequence (a hypothesis state machine).

Random desks link and unlink customers, change links (now and then from a stale form), start
groups, add and remove members, and managers merge duplicates and undo earlier merges, over a
pool of six customers so that merges keep running into links and group places. After every
step the machine checks against the database itself that:

- every link row has its twin, with the other side's type, and two customers share one pair;
- no link or group place points at a tombstone, and every tombstone points straight at a live
  customer (never a chain);
- every group has members and exactly one Owner;
- nothing is lost: history lines and merge records are never fewer, and the deferred
  constraints (a place's group, a link's twin on PostgreSQL) would let the transaction commit;
- a refused action raised `KinshipError` and changed nothing, not even the history.

Besides the rules, a small model says which actions must be refused and what a merge makes of
the two customers' links and places; an undo is judged against the rows just before and just
after its merge, not against the merge's own journal, so that the two are independent. When
nothing else succeeded between a merge and its undo, the undo must give back exactly the rows
from before the merge ("merge then undo is the identity").

Each example runs in its own transaction, rolled back by `teardown`, so examples start from the
same empty database.
"""

from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
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
from customers.merging import merge_token
from customers.models import Activity, Customer, Merge
from customers.services import merge_customers, undo_merge
from groups import services as group_services
from groups.features import ADMINS_IN_SEVERAL_GROUPS
from groups.merging import STRENGTH
from groups.models import CustomerGroup, GroupMember, MemberLabel, Role
from linking import services as link_services
from linking.models import PERMISSION_FIELDS, Link, RelationshipType
from tests import rules
from tests.factories import CustomerFactory, UserFactory

NAMES = ("Ash", "Birch", "Cedar", "Dogwood", "Elm", "Fir")
# Two pairs of reverse types and two symmetric ones (their own other side).
REVERSES = (("Parent", "Child"), ("Guardian", "Ward"))
SYMMETRIC = ("Partner", "Sibling")
a_type = st.sampled_from([name for pair in REVERSES for name in pair] + list(SYMMETRIC))
a_permission_set = st.sets(st.sampled_from(PERMISSION_FIELDS))
a_role = st.sampled_from(Role.values)
# Picks one of the current links, places, groups or merges by position, so that a failing
# sequence prints as plain numbers; now and then one that is gone.
a_pick = st.integers(0, 40)
now_and_then = st.sampled_from([False] * 5 + [True])
# A customer: mostly one the action can be done for (live, free to join a group, not yet
# linked), so that sequences get somewhere; now and then (True) anyone of the six.
a_customer = st.tuples(a_pick, now_and_then)
# A merge to undo: mostly one not undone yet, often the newest (-1); now and then (True) any.
a_merge_pick = st.tuples(st.one_of(st.just(-1), a_pick), now_and_then)

#: Fields that a merge and its undo raise or stamp but that say nothing about what a row is.
BOOKKEEPING = ("version", "updated_at")


def rows_by_pk(queryset):
    return {row["id"]: row for row in queryset.order_by("pk").values()}


def without_bookkeeping(rows):
    return {pk: {k: v for k, v in row.items() if k not in BOOKKEEPING} for pk, row in rows.items()}


def permissions(row):
    return tuple(row[field] for field in PERMISSION_FIELDS)


class Snapshot:
    """Every customer, link, group, place and merge as rows, and the history lines per customer."""

    def __init__(self):
        self.customers = rows_by_pk(Customer.objects.all())
        self.links = rows_by_pk(Link.objects.all())
        self.groups = rows_by_pk(CustomerGroup.objects.all())
        self.places = rows_by_pk(GroupMember.objects.all())
        self.merges = rows_by_pk(Merge.objects.all())
        self.history = Counter(Activity.objects.values_list("customer_id", flat=True))

    def same_rows(self, other):
        return all(
            getattr(self, name) == getattr(other, name)
            for name in ("customers", "links", "groups", "places", "merges", "history")
        )

    def is_merged(self, customer_id):
        return self.customers[customer_id]["merged_into_id"] is not None

    def link(self, agent_id, principal_id):
        return next(
            (
                r
                for r in self.links.values()
                if (r["agent_id"], r["principal_id"]) == (agent_id, principal_id)
            ),
            None,
        )

    def linked(self, one, other):
        return self.link(one, other) is not None or self.link(other, one) is not None

    def links_of(self, customer_id):
        """{the other customer: the row where `customer_id` is the agent}."""
        return {r["principal_id"]: r for r in self.links.values() if r["agent_id"] == customer_id}

    def places_of(self, customer_id):
        return [place for place in self.places.values() if place["customer_id"] == customer_id]

    def members_of(self, group_id):
        return [place for place in self.places.values() if place["group_id"] == group_id]


@dataclass
class Done:
    """A merge that succeeded: the rows just before and just after it, to judge its undo by."""

    pk: int
    survivor: int
    absorbed: int
    before: Snapshot
    after: Snapshot
    #: How many actions had succeeded once this merge had: if none since, undo is the identity.
    successes: int


class LinkMergeRules(RuleBasedStateMachine):
    """Front desks linking and grouping customers, and managers merging and unmerging them."""

    def __init__(self):
        super().__init__()
        self.example = transaction.atomic()
        self.example.__enter__()
        # One group per customer keeps the model simple; the several-groups case has its own machine.
        self.one_group = override_switch(ADMINS_IN_SEVERAL_GROUPS, active=False)
        self.one_group.enable()
        self.actor = UserFactory(username="merge-rules-desk")
        self.customers = [CustomerFactory(first_name="Pat", last_name=last) for last in NAMES]
        self.ids = [customer.pk for customer in self.customers]
        self.types = self.relationship_types()
        self.labels = {name: MemberLabel.objects.get_or_create(name=name)[0] for name in ("Parent", "Child")}
        self.done = []  # every merge that succeeded, oldest first
        self.seen_links, self.seen_places, self.seen_groups = set(), set(), set()
        self.successes = 0
        self.unchanged_because = None
        self.state = Snapshot()

    def teardown(self):
        self.one_group.disable()
        transaction.set_rollback(True)
        self.example.__exit__(None, None, None)

    @staticmethod
    def relationship_types():
        """The types, each pointing at its reverse: made here too, as a transactional test
        elsewhere may have flushed the data migration's."""
        kinds = {name: RelationshipType.objects.get_or_create(name=name)[0] for name in SYMMETRIC}
        for name, reverse in REVERSES:
            one = RelationshipType.objects.get_or_create(name=name)[0]
            other = RelationshipType.objects.get_or_create(name=reverse)[0]
            for kind, its_reverse in ((one, other), (other, one)):
                if kind.reverse_id != its_reverse.pk:
                    kind.reverse = its_reverse
                    kind.save(update_fields=["reverse"])
            kinds[name], kinds[reverse] = one, other
        return {
            name: RelationshipType.objects.select_related("reverse").get(pk=k.pk) for name, k in kinds.items()
        }

    # Helpers -----------------------------------------------------------------------------

    def attempt(self, action, *, refuse_because, may_refuse=""):
        """Run one action; it must be refused exactly when the model has a reason to.

        `may_refuse` is a refusal the model allows without requiring it: the start of the
        message the services give then.
        """
        try:
            action()
        except KinshipError as error:
            refused = error.message
        else:
            refused = None
        if refused is None:
            assert not refuse_because, f"done, but it should have been refused: {refuse_because}"
            self.successes += 1
        else:
            assert refused.strip(), "a refusal must say why"
            allowed = may_refuse and may_refuse in refused
            assert refuse_because or allowed, f"refused, but no rule says so: {refused}"
        self.unchanged_because = refused and f"refused ({refused})"
        return refused is None

    def pick(self, current, seen, which, pick_gone):
        """One of the current rows' ids, or (now and then, or when none is left) one that is gone."""
        gone = sorted(seen - set(current))
        choices = gone if (pick_gone and gone) or not current else sorted(current)
        return choices[which % len(choices)] if choices else None

    def customer(self, chosen, wanted):
        which, anyone = chosen
        choices = self.ids if anyone or not wanted else sorted(wanted)
        return choices[which % len(choices)]

    def live(self, *but):
        return [pk for pk in self.ids if not self.state.is_merged(pk) and pk not in but]

    def free(self, *but):
        return [pk for pk in self.live(*but) if not self.state.places_of(pk)]

    def groups_of(self, customer_id):
        return {place["group_id"] for place in self.state.places_of(customer_id)}

    def kin(self, customer_id):
        """Live customers who share a group, a link or a linked customer with `customer_id`,
        and are in no other group: a duplicate usually turns up in the same family, and then a
        merge folds something."""
        near, groups = set(self.state.links_of(customer_id)) | {customer_id}, self.groups_of(customer_id)
        return [
            pk
            for pk in self.live(customer_id)
            if (near & (set(self.state.links_of(pk)) | {pk}) or groups & self.groups_of(pk))
            and (not groups or not self.groups_of(pk) or groups == self.groups_of(pk))
        ]

    def open_merges(self):
        return [record for record in self.done if self.state.merges[record.pk]["undone_at"] is None]

    def why_not_joinable(self, customer_id):
        if self.state.is_merged(customer_id):
            return "merged"
        if self.state.places_of(customer_id):
            return "already in a group"
        return ""

    # Links -------------------------------------------------------------------------------

    @rule(
        agent=a_customer,
        principal=a_customer,
        kind=a_type,
        agent_may=a_permission_set,
        principal_may=a_permission_set,
    )
    def link(self, agent, principal, kind, agent_may, principal_may):
        agent_id = self.customer(agent, self.live())
        principal_id = self.customer(
            principal, [pk for pk in self.live(agent_id) if not self.state.linked(agent_id, pk)]
        )
        reasons = [
            agent_id == principal_id and "linked to themselves",
            self.state.is_merged(agent_id) and "agent merged",
            self.state.is_merged(principal_id) and "principal merged",
            self.state.linked(agent_id, principal_id) and "already linked",
        ]
        done = self.attempt(
            lambda: link_services.link_customers(
                actor=self.actor,
                agent_id=agent_id,
                principal_id=principal_id,
                type_id=self.types[kind].pk,
                agent_may=dict.fromkeys(agent_may, True),
                principal_may=dict.fromkeys(principal_may, True),
            ),
            refuse_because=next((reason for reason in reasons if reason), ""),
        )
        if done:
            made = Snapshot()
            forward, backward = made.link(agent_id, principal_id), made.link(principal_id, agent_id)
            assert forward["type_id"] == self.types[kind].pk
            assert backward["type_id"] == self.types[kind].other_side.pk
            assert {f for f in PERMISSION_FIELDS if forward[f]} == agent_may
            assert {f for f in PERMISSION_FIELDS if backward[f]} == principal_may

    @precondition(lambda self: self.state.links)
    @rule(
        which=a_pick,
        gone=now_and_then,
        kind=st.none() | a_type,
        agent_may=a_permission_set,
        principal_may=a_permission_set,
        stale=now_and_then,
    )
    def change_link(self, which, gone, kind, agent_may, principal_may, stale):
        """Change a link from either of its two rows; `kind` None keeps the type."""
        link_id = self.pick(self.state.links, self.seen_links, which, gone)
        side = self.state.links.get(link_id)
        type_id = side["type_id"] if side and kind is None else self.types[kind or "Partner"].pk
        reasons = [side is None and "link gone", stale and "stale form"]
        done = self.attempt(
            lambda: link_services.change_link(
                actor=self.actor,
                link_id=link_id,
                version=(side["version"] if side else 1) + (1 if stale else 0),
                type_id=type_id,
                agent_may=dict.fromkeys(agent_may, True),
                principal_may=dict.fromkeys(principal_may, True),
            ),
            refuse_because=next((reason for reason in reasons if reason), ""),
        )
        if done:
            now = Snapshot()
            twin = self.state.link(side["principal_id"], side["agent_id"])
            changed, changed_twin = now.links[link_id], now.links[twin["id"]]
            assert changed["type_id"] == type_id
            # A new type sets the twin's to its other side; the same type leaves the twin's be.
            kept_type = type_id == side["type_id"]
            expected_twin = (
                twin["type_id"] if kept_type else RelationshipType.objects.get(pk=type_id).other_side.pk
            )
            assert changed_twin["type_id"] == expected_twin
            assert {f for f in PERMISSION_FIELDS if changed[f]} == agent_may
            assert {f for f in PERMISSION_FIELDS if changed_twin[f]} == principal_may

    @precondition(lambda self: self.state.links)
    @rule(which=a_pick, gone=now_and_then)
    def unlink(self, which, gone):
        link_id = self.pick(self.state.links, self.seen_links, which, gone)
        side = self.state.links.get(link_id)
        done = self.attempt(
            lambda: link_services.unlink(actor=self.actor, link_id=link_id),
            refuse_because="" if side else "link gone",
        )
        if done:
            assert not Snapshot().linked(side["agent_id"], side["principal_id"])

    # Groups (one group per customer) ----------------------------------------------------

    @precondition(lambda self: self.free())
    @rule(owner=a_customer, member=st.none() | a_customer)
    def create_group(self, owner, member):
        owner_id = self.customer(owner, self.free())
        member_id = None if member is None else self.customer(member, self.free(owner_id))
        reasons = [
            member_id == owner_id and "the owner named twice",
            self.why_not_joinable(owner_id),
            member is not None and self.why_not_joinable(member_id),
        ]
        self.attempt(
            lambda: group_services.create_group(
                actor=self.actor,
                owner_id=owner_id,
                owner_label_id=self.labels["Parent"].pk,
                member_id=member_id,
                member_role=Role.DEPENDENT,
                member_label_id=self.labels["Child"].pk,
            ),
            refuse_because=next((reason for reason in reasons if reason), ""),
        )

    @precondition(lambda self: self.state.groups)
    @rule(which=a_pick, gone=now_and_then, chosen=a_customer, role=a_role)
    def add_member(self, which, gone, chosen, role):
        group_id = self.pick(self.state.groups, self.seen_groups, which, gone)
        customer_id = self.customer(chosen, self.free())
        reasons = [group_id not in self.state.groups and "group gone", self.why_not_joinable(customer_id)]
        done = self.attempt(
            lambda: group_services.add_member(
                actor=self.actor,
                group_id=group_id,
                customer_id=customer_id,
                role=role,
                label_id=self.labels["Child"].pk,
            ),
            refuse_because=next((reason for reason in reasons if reason), ""),
        )
        if done and role == Role.OWNER:
            owners = GroupMember.objects.filter(group_id=group_id, role=Role.OWNER)
            assert list(owners.values_list("customer_id", flat=True)) == [customer_id]

    @precondition(lambda self: self.state.places)
    @rule(which=a_pick, gone=now_and_then)
    def remove_member(self, which, gone):
        place_id = self.pick(self.state.places, self.seen_places, which, gone)
        place = self.state.places.get(place_id)
        reasons = [
            place is None and "no longer in the group",
            place
            and place["role"] == Role.OWNER
            and len(self.state.members_of(place["group_id"])) > 1
            and "the Owner leaves last",
        ]
        self.attempt(
            lambda: group_services.remove_member(actor=self.actor, member_id=place_id),
            refuse_because=next((reason for reason in reasons if reason), ""),
        )

    # Merges ------------------------------------------------------------------------------

    @rule(survivor=a_customer, absorbed=a_customer, stale=now_and_then)
    def merge(self, survivor, absorbed, stale):
        """A manager merges one customer into another, from a preview that may be stale."""
        survivor_id = self.customer(survivor, self.live())
        absorbed_id = self.customer(absorbed, self.kin(survivor_id) or self.live(survivor_id))
        before = self.state
        mine, theirs = before.places_of(survivor_id), before.places_of(absorbed_id)
        reasons = [
            survivor_id == absorbed_id and "the same customer",
            before.is_merged(absorbed_id) and "already merged",
            before.is_merged(survivor_id) and "the survivor was merged",
            mine
            and theirs
            and {p["group_id"] for p in mine} != {p["group_id"] for p in theirs}
            and "in two different groups",
            stale and "stale preview",
        ]
        versions = [before.customers[pk]["version"] for pk in (survivor_id, absorbed_id)]
        token = merge_token(
            Customer(pk=survivor_id, version=versions[0]),
            Customer(pk=absorbed_id, version=versions[1] + (1 if stale else 0)),
        )
        done = self.attempt(
            lambda: merge_customers(
                actor=self.actor, survivor_id=survivor_id, absorbed_id=absorbed_id, token=token
            ),
            refuse_because=next((reason for reason in reasons if reason), ""),
        )
        if done:
            after = Snapshot()
            self.check_merged(before, after, survivor_id, absorbed_id)
            record = Merge.objects.latest("pk")
            self.done.append(Done(record.pk, survivor_id, absorbed_id, before, after, self.successes))

    def check_merged(self, before, after, s, a):
        """What the model expects of a merge of `a` into `s`, beyond the rules that always hold."""
        assert after.customers[a]["merged_into_id"] == s and after.customers[a]["merged_at"] is not None
        for pk, row in before.customers.items():
            if row["merged_into_id"] == a:
                assert after.customers[pk]["merged_into_id"] == s, (
                    "an older tombstone now points at a tombstone"
                )
        # Nothing lost: the two merge lines are the only new history of the two.
        assert after.history[s] + after.history[a] == before.history[s] + before.history[a] + 2
        # Links: the survivor keeps its own (with the wider permissions of the two), takes the
        # duplicate's other ones, and the link between the two goes.
        mine, theirs = before.links_of(s), before.links_of(a)
        now = after.links_of(s)
        assert set(now) == (set(mine) | set(theirs)) - {s, a}
        assert not after.links_of(a) and not any(r["principal_id"] == a for r in after.links.values())
        for third, out in now.items():
            back = after.link(third, s)
            own, own_back = mine.get(third), before.link(third, s)
            dupe, dupe_back = theirs.get(third), before.link(third, a)
            kept, kept_back = own or dupe, own_back or dupe_back
            assert (out["type_id"], back["type_id"]) == (kept["type_id"], kept_back["type_id"])
            for row, one, other in ((out, own, dupe), (back, own_back, dupe_back)):
                wider = tuple(
                    any(permissions(r)[i] for r in (one, other) if r) for i in range(len(PERMISSION_FIELDS))
                )
                assert permissions(row) == wider, (third, row)
        # Group places: the survivor holds the places of both, with the stronger role in a shared group.
        places = {p["group_id"]: p["role"] for p in after.places_of(s)}
        expected = {}
        for place in before.places_of(a) + before.places_of(s):
            role = expected.get(place["group_id"], place["role"])
            expected[place["group_id"]] = min(role, place["role"], key=STRENGTH.__getitem__)
        assert places == expected
        assert not after.places_of(a)

    @precondition(lambda self: self.open_merges())
    @rule(chosen=a_merge_pick)
    def undo(self, chosen):
        which, anyone = chosen
        now = self.state
        choices = self.done if anyone else self.open_merges()
        record = choices[which % len(choices)]
        reasons = [
            now.merges[record.pk]["undone_at"] is not None and "already undone",
            now.is_merged(record.survivor) and "the survivor was merged since",
            now.customers[record.absorbed]["merged_into_id"] != record.survivor
            and "no longer points at them",
            *self.why_unsafe(record),
            self.why_folds_cannot_return(record),
        ]
        reason = next((reason for reason in reasons if reason), "")
        identity = record.successes == self.successes
        before = now
        done = self.attempt(lambda: undo_merge(actor=self.actor, merge_id=record.pk), refuse_because=reason)
        if done:
            after = Snapshot()
            assert after.customers[record.absorbed]["merged_into_id"] is None
            assert after.merges[record.pk]["undone_at"] is not None
            s, a = record.survivor, record.absorbed
            assert after.history[s] + after.history[a] == before.history[s] + before.history[a] + 2
            if identity:
                # Nothing else succeeded since the merge: every row is as it was just before it.
                was = record.before
                assert without_bookkeeping(after.customers) == without_bookkeeping(was.customers)
                assert without_bookkeeping(after.links) == without_bookkeeping(was.links)
                assert without_bookkeeping(after.places) == without_bookkeeping(was.places)
                assert after.groups == was.groups

    @rule(survivor=a_customer, absorbed=a_customer)
    def merge_by_mistake(self, survivor, absorbed):
        """A manager merges the wrong two and undoes it at once: then every row must be as it
        was before the merge. The rules are checked in between too."""
        self.merge(survivor, absorbed, stale=False)
        if self.unchanged_because is None:
            self.the_rules_hold()
            self.undo((-1, False))

    def why_unsafe(self, record):
        """Why putting back what the merge moved and folded would be unsafe now, judged by the
        rows before and after the merge: a moved row no longer at the survivor, a row the merge
        changed changed again or gone, or a moved row changed in place (a role handed over)."""
        before, after, now = record.before, record.after, self.state
        s, a = record.survivor, record.absorbed
        for table, fields in (("links", ("agent_id", "principal_id")), ("places", ("customer_id",))):
            was, then, current = (getattr(snapshot, table) for snapshot in (before, after, now))
            for pk, row in was.items():
                if pk not in then:
                    continue  # folded away: put back whole (see `why_folds_cannot_return`)
                for field in fields:
                    # Moved, then moved on, gone, or changed in place (a role handed over).
                    if row[field] == a and (
                        pk not in current
                        or current[pk][field] != s
                        or current[pk]["version"] != then[pk]["version"]
                    ):
                        yield f"a moved {table[:-1]} changed since"
                if row["version"] != then[pk]["version"] and (
                    pk not in current or current[pk]["version"] != then[pk]["version"]
                ):
                    yield f"a {table[:-1]} the merge combined changed since"

    def why_folds_cannot_return(self, record):
        """Rows the merge folded away that could not be put back now: their group is gone, or
        the other customer of a link has been merged into someone else since."""
        before, after, now = record.before, record.after, self.state
        for pk, place in before.places.items():
            if pk not in after.places and place["group_id"] not in now.groups:
                return "a folded group place's group is gone"
        for pk, link in before.links.items():
            others = {link["agent_id"], link["principal_id"]} - {record.survivor, record.absorbed}
            if pk not in after.links and any(now.is_merged(c) for c in others):
                return "a folded link's other customer was merged since"
        return ""

    @initialize(role=st.sampled_from([Role.ADMIN, Role.DEPENDENT]))
    def start(self, role):
        """Start from a family where Ash and Birch share a group and both are linked to Cedar, and
        Dogwood's group, so that the first merges already fold links and places or are blocked."""
        ash, birch, cedar, dogwood, elm, _ = self.ids
        group_services.create_group(
            actor=self.actor,
            owner_id=ash,
            owner_label_id=self.labels["Parent"].pk,
            member_id=birch,
            member_role=role,
            member_label_id=self.labels["Child"].pk,
        )
        group_services.create_group(
            actor=self.actor, owner_id=dogwood, owner_label_id=self.labels["Parent"].pk
        )
        for agent, principal, kind, may in (
            (ash, cedar, "Parent", {"can_book": True}),
            (birch, cedar, "Guardian", {"receives_copies": True}),
            (ash, birch, "Partner", {}),
            (dogwood, elm, "Sibling", {"can_use_packages": True}),
        ):
            link_services.link_customers(
                actor=self.actor,
                agent_id=agent,
                principal_id=principal,
                type_id=self.types[kind].pk,
                agent_may=may,
            )
        self.unchanged_because = None
        self.state = Snapshot()

    # The rules ---------------------------------------------------------------------------

    @invariant()
    def the_rules_hold(self):
        before, now = self.state, Snapshot()
        if self.unchanged_because is not None:
            assert now.same_rows(before), f"{self.unchanged_because}, yet a row changed"
        # Nothing lost: the deferred foreign keys hold (a place's group, on PostgreSQL a link's
        # twin), so the transaction could commit; history lines and merge records only grow.
        rules.assert_constraints_hold()
        assert sum(now.history.values()) >= sum(before.history.values()), "history lines were lost"
        assert set(before.merges) <= set(now.merges), "a merge record was lost"
        # Tombstones point straight at a live customer and hold no link or place; each link has
        # its twin of the other side's type, one pair per two customers; one Owner per group.
        rules.assert_tombstones_hold_nothing()
        rules.assert_links_in_pairs()
        rules.assert_one_owner_each()
        for customer_id in self.ids:  # the switch for Admins in several groups stays off here
            assert len(now.places_of(customer_id)) <= 1, "a customer is in two groups"
        self.seen_links |= set(now.links)
        self.seen_places |= set(now.places)
        self.seen_groups |= set(now.groups)
        self.unchanged_because = None
        self.state = now


class LinkMergeRulesTest(TestCase):
    def test_the_link_group_and_merge_rules_hold_after_any_sequence(self):
        # The loaded profile ("ci": 25 fixed examples), with sequences long enough for a merge,
        # a change to what it moved, and an undo after it.
        run_state_machine_as_test(LinkMergeRules, settings=settings(stateful_step_count=30))


# The two faults the machine found in Undo Merge, kept as plain tests: both are refused now.


def _merge(actor, survivor, absorbed):
    survivor.refresh_from_db(), absorbed.refresh_from_db()
    return merge_customers(
        actor=actor, survivor_id=survivor.pk, absorbed_id=absorbed.pk, token=merge_token(survivor, absorbed)
    )


@pytest.mark.django_db
def test_undo_after_the_folded_group_is_gone_is_refused():
    actor = UserFactory(username="undo-desk")
    parent = MemberLabel.objects.get_or_create(name="Parent")[0]
    survivor, absorbed = CustomerFactory(), CustomerFactory()
    group_services.create_group(
        actor=actor,
        owner_id=survivor.pk,
        owner_label_id=parent.pk,
        member_id=absorbed.pk,
        member_label_id=parent.pk,
    )
    merge = _merge(actor, survivor, absorbed)  # the duplicate's place folds into the survivor's
    place = GroupMember.objects.get(customer=survivor)
    group_services.remove_member(actor=actor, member_id=place.pk)  # the last member: the group goes
    # Refused with a reason, not an IntegrityError at commit (a 500).
    with pytest.raises(KinshipError, match="cannot be undone safely"):
        undo_merge(actor=actor, merge_id=merge.pk)
    connection.check_constraints()  # what COMMIT would do: nothing was left half-done


@pytest.mark.django_db
def test_undo_after_the_folded_links_other_customer_was_merged_puts_back_no_link_to_a_tombstone():
    actor = UserFactory(username="undo-desk")
    partner = RelationshipType.objects.get_or_create(name="Partner")[0]
    survivor, absorbed, third, fourth = (CustomerFactory(last_name=name) for name in ("S", "A", "T", "U"))
    for agent in (survivor, absorbed):
        link_services.link_customers(
            actor=actor, agent_id=agent.pk, principal_id=third.pk, type_id=partner.pk
        )
    merge = _merge(actor, survivor, absorbed)  # A's link to T folds into S's
    _merge(actor, fourth, third)  # T is merged into U: S's link now goes to U
    with pytest.raises(KinshipError, match="merged into another account since"):
        undo_merge(actor=actor, merge_id=merge.pk)
    tombstones = Customer.objects.filter(merged_into__isnull=False)
    assert not Link.objects.filter(agent__in=tombstones).exists()
    assert not Link.objects.filter(principal__in=tombstones).exists()
