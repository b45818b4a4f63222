"""The money rules hold after any sequence of desk and Manager actions (a hypothesis state machine).

Desks post charges, payments and store credit (some amounts too large, some more than there
is), Managers adjust, reverse entries and set credit limits, partners link (now and then from a
confirmation shown before something changed), unlink with and without a split and swap the
primary, and duplicates are merged, over five customers (one archived) so that they keep
running into each other. After every step the machine checks against the database itself
(DESIGN.md, rules 4, 5, 6 and 8) that:

- every account's balances equal the sums of its entries' changes and its last entry's
  balances after; neither is below zero; an account nobody holds holds nothing;
- a customer holds at most one account; an account with holders has exactly one primary and at
  most one partner; no merged customer holds one;
- entries never change: every entry ever seen is still there, field for field;
- money is conserved: the balances add up to what was charged, paid, issued, redeemed, adjusted
  and reversed (the model's own sums, and again the ledger's by kind); transfers add up to
  nothing and come in pairs, one on each account;
- a refused action raised `KinshipError` (a stale one `StaleEdit`) and changed nothing, not
  even the history; a change wrote History on each customer it touched.

Besides the rules, a small model says which actions must be refused and what each one that is
done does to the balances and holders.

Reversals are drawn from accounts someone holds; reversing an entry on an account left
behind by a merge or a partner link is refused, which tests/billing/test_ledger.py checks.

Each example runs in its own transaction, rolled back by `teardown`, so examples start from the
same empty database.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
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

from billing import services
from billing.models import Account, AccountHolder, Entry, Kind
from billing.services import CREDIT, HOUSE, MAX_AMOUNT
from core.errors import KinshipError, StaleEdit
from customers.models import Activity, Customer
from customers.queries import merge_preview
from customers.services import merge_customers
from tests import rules
from tests.factories import CustomerFactory, UserFactory

NAMES = ("Ash", "Birch", "Cedar", "Dogwood", "Elm")
ARCHIVED = 4  # Elm: may keep an account, but may not open one or link
EVERYDAY = (Kind.CHARGE, Kind.PAYMENT, Kind.CREDIT_ISSUED, Kind.CREDIT_REDEEMED)
EFFECT = {
    Kind.CHARGE: (1, 0),
    Kind.PAYMENT: (-1, 0),
    Kind.CREDIT_ISSUED: (0, 1),
    Kind.CREDIT_REDEEMED: (0, -1),
}

# Picks by position, so that a failing sequence prints as plain numbers.
a_pick = st.integers(0, 60)
now_and_then = st.sampled_from([False] * 5 + [True])
# A customer: mostly one still live (merges make tombstones fast); now and then (True) anyone.
a_customer = st.tuples(a_pick, now_and_then)
# An amount: mostly an everyday one; now and then all there is, one more than there is, or
# more than one entry may move.
an_amount = st.one_of(st.integers(1, 3000), st.sampled_from(["all", "all", "over", "too large"]))
a_split = st.sampled_from(["none", "none", "some", "all", "over"])
# A credit limit: often just what is owed or a little above, so that charges meet it.
a_limit = st.sampled_from([None, 0, 4000, "owed", "owed", "above owed", "above owed", "below owed"])


def rows_by_pk(queryset):
    return {row["id"]: row for row in queryset.order_by("pk").values()}


class Books:
    """Every account, holder and entry as rows, the customers' merge and archive state, and
    how many history lines each customer has."""

    def __init__(self):
        self.accounts = rows_by_pk(Account.objects.all())
        self.holder_rows = list(AccountHolder.objects.order_by("pk").values())
        self.holders = {row["customer_id"]: row for row in self.holder_rows}
        self.entries = rows_by_pk(Entry.objects.all())
        self.customers = {
            row["id"]: row
            for row in Customer.objects.order_by("pk").values(
                "id", "version", "merged_into_id", "archived_at"
            )
        }
        self.history = Counter(Activity.objects.values_list("customer_id", flat=True))

    def same_rows(self, other):
        return all(
            getattr(self, name) == getattr(other, name)
            for name in ("accounts", "holder_rows", "entries", "customers", "history")
        )

    def is_merged(self, customer_id):
        return self.customers[customer_id]["merged_into_id"] is not None

    def is_archived(self, customer_id):
        return self.customers[customer_id]["archived_at"] is not None

    def account_of(self, customer_id):
        holder = self.holders.get(customer_id)
        return self.accounts[holder["account_id"]] if holder else None

    def holders_of(self, account_id):
        return [row for row in self.holder_rows if row["account_id"] == account_id]

    def partner_of(self, customer_id):
        holder = self.holders.get(customer_id)
        if holder is None:
            return None
        return next(
            (h for h in self.holders_of(holder["account_id"]) if h["customer_id"] != customer_id), None
        )

    def balances(self, account_id):
        account = self.accounts[account_id]
        return account["house_balance"], account["credit_balance"]

    def view(self, customer_id):
        """What a partner confirmation is made from, for one customer: (account, version)."""
        account = self.account_of(customer_id)
        return (account["id"], account["version"]) if account else None

    def reversed_ids(self):
        return {row["reverses_id"] for row in self.entries.values() if row["reverses_id"]}


@dataclass
class Shown:
    """A partner confirmation shown at some step: its token and what it was made from."""

    token: str
    views: tuple


def first(reasons):
    return next((reason for reason in reasons if reason), "")


class MoneyRules(RuleBasedStateMachine):
    """Desks and Managers posting, correcting, sharing accounts and merging duplicates."""

    def __init__(self):
        super().__init__()
        self.example = transaction.atomic()
        self.example.__enter__()
        self.actor = UserFactory(username="money-rules-desk")
        customers = [CustomerFactory(first_name="Pat", last_name=last) for last in NAMES]
        self.ids = [customer.pk for customer in customers]
        # The model's own sums of what every posting that was done should have moved.
        self.house_total = self.credit_total = 0
        self.shown = {}  # (customer, partner): the confirmation a desk has open
        self.seen_entries = {}  # every entry ever seen, as it was first seen
        self.unchanged_because = None
        self.state = Books()

    def teardown(self):
        transaction.set_rollback(True)
        self.example.__exit__(None, None, None)

    # Helpers -----------------------------------------------------------------------------

    def attempt(self, action, *, refuse_because, stale=False):
        """Run one action; it must be refused exactly when the model has a reason to, and as
        `StaleEdit` when the reason is a stale form (`stale`: the first reason is that)."""
        try:
            action()
        except KinshipError as error:
            refused = error
        else:
            refused = None
        if refused is None:
            assert not refuse_because, f"done, but it should have been refused: {refuse_because}"
        else:
            assert refused.message.strip(), "a refusal must say why"
            assert refuse_because, f"refused, but no rule says so: {refused.message}"
            if stale:
                assert isinstance(refused, StaleEdit), f"stale, yet refused as {refused.message}"
            else:
                assert not isinstance(refused, StaleEdit), f"not stale, yet {refused.message}"
        self.unchanged_because = refused and f"refused ({refused.message})"
        return refused is None

    def live(self, *but):
        return [pk for pk in self.ids if not self.state.is_merged(pk) and pk not in but]

    def customer(self, chosen, wanted):
        which, anyone = chosen
        choices = self.ids if anyone or not wanted else wanted
        return choices[which % len(choices)]

    def why_no_account(self, customer_id):
        """Why a first posting cannot open an account for the customer ("" if it can)."""
        if self.state.account_of(customer_id) is not None:
            return ""
        if self.state.is_merged(customer_id):
            return "merged, with no account"
        if self.state.is_archived(customer_id):
            return "archived, with no account"
        return ""

    def why_not_posted(self, customer_id):
        """Why a posting or an adjustment for the customer is refused ("" if it is not): an
        archived customer's account takes none, whether or not it exists."""
        if self.state.account_of(customer_id) is not None and self.state.is_archived(customer_id):
            return "archived"
        return self.why_no_account(customer_id)

    def balances_of(self, customer_id):
        account = self.state.account_of(customer_id)
        if account is None:
            return 0, 0, None
        return account["house_balance"], account["credit_balance"], account["credit_limit"]

    @staticmethod
    def sized(amount, room):
        """An amount drawn as `an_amount`, sized against `room` (what there is to take, or None)."""
        if amount == "too large":
            return MAX_AMOUNT + 1
        if room is None:
            return MAX_AMOUNT + 1 if amount == "over" else 100 if amount == "all" else amount
        room = max(room, 0)  # transfers may have taken an account past its limit
        if amount == "all":
            return room or 100
        if amount == "over":
            return room + 1
        return amount

    def newest(self, since):
        """The entries added since the Books `since`, oldest first."""
        return [row for pk, row in sorted(Books().entries.items()) if pk not in since.entries]

    def check_history(self, before, after, touched):
        """Each touched customer got exactly one new line; nobody else got one."""
        for customer_id in self.ids:
            grew = after.history[customer_id] - before.history[customer_id]
            assert grew == (1 if customer_id in touched else 0), (customer_id, touched, grew)

    # Postings ----------------------------------------------------------------------------

    @rule(chosen=a_customer, kind=st.sampled_from(EVERYDAY), amount=an_amount)
    def post(self, chosen, kind, amount):
        customer_id = self.customer(chosen, self.live())
        house, credit, limit = self.balances_of(customer_id)
        room = {
            Kind.PAYMENT: house,
            Kind.CREDIT_REDEEMED: credit,
            Kind.CHARGE: None if limit is None else limit - house,
            Kind.CREDIT_ISSUED: None,
        }[kind]
        amount = self.sized(amount, room)
        reasons = [
            amount > MAX_AMOUNT and "too large",
            self.why_not_posted(customer_id),
            kind == Kind.PAYMENT and amount > house and "a payment of more than is owed",
            kind == Kind.CREDIT_REDEEMED and amount > credit and "more credit than there is",
            kind == Kind.CHARGE and limit is not None and house + amount > limit and "over the limit",
        ]
        before = self.state
        done = self.attempt(
            lambda: services.post(actor=self.actor, customer_id=customer_id, kind=kind, amount=amount),
            refuse_because=first(reasons),
        )
        if done:
            house_change, credit_change = (amount * unit for unit in EFFECT[kind])
            self.check_posted(before, customer_id, kind, amount, house_change, credit_change)

    @rule(
        chosen=a_customer,
        balance=st.sampled_from([HOUSE, CREDIT]),
        down=st.booleans(),
        amount=an_amount,
        no_reason=now_and_then,
    )
    def adjust(self, chosen, balance, down, amount, no_reason):
        customer_id = self.customer(chosen, self.live())
        house, credit, _ = self.balances_of(customer_id)
        there = house if balance == HOUSE else credit
        size = self.sized(amount, there if down else None)
        signed = -size if down else size
        reasons = [
            no_reason and "no reason given",
            size > MAX_AMOUNT and "too large",
            self.why_not_posted(customer_id),
            down and size > there and "below nothing",
        ]
        before = self.state
        done = self.attempt(
            lambda: services.adjust(
                actor=self.actor,
                customer_id=customer_id,
                balance=balance,
                amount=signed,
                memo="" if no_reason else "Goodwill",
            ),
            refuse_because=first(reasons),
        )
        if done:
            change = (signed, 0) if balance == HOUSE else (0, signed)
            self.check_posted(before, customer_id, Kind.ADJUSTMENT, size, *change)

    def check_posted(self, before, customer_id, kind, amount, house_change, credit_change):
        after = Books()
        [entry] = self.newest(before)
        account = after.account_of(customer_id)
        assert entry["account_id"] == account["id"] and entry["customer_id"] == customer_id
        assert (entry["kind"], entry["amount"]) == (kind, amount)
        assert (entry["house_change"], entry["credit_change"]) == (house_change, credit_change)
        was = before.account_of(customer_id)
        if was is None:  # the first posting opens the account, the customer its primary
            assert [(h["customer_id"], h["is_primary"]) for h in after.holders_of(account["id"])] == [
                (customer_id, True)
            ]
            was = {"house_balance": 0, "credit_balance": 0}
        assert after.balances(account["id"]) == (
            was["house_balance"] + house_change,
            was["credit_balance"] + credit_change,
        )
        assert (entry["house_after"], entry["credit_after"]) == after.balances(account["id"])
        self.house_total += house_change
        self.credit_total += credit_change
        touched = {h["customer_id"] for h in after.holders_of(account["id"])}
        self.check_history(before, after, touched)

    def reversible(self):
        """Entries on accounts someone holds (see the module's docstring), by id."""
        held = {h["account_id"] for h in self.state.holder_rows}
        return sorted(pk for pk, row in self.state.entries.items() if row["account_id"] in held)

    def open_entries(self):
        """Of those, the ones a Manager would think of reversing: not yet reversed, not a
        reversal or a transfer."""
        done = self.state.reversed_ids()
        return [
            pk
            for pk in self.reversible()
            if pk not in done and self.state.entries[pk]["kind"] not in (Kind.TRANSFER, Kind.REVERSAL)
        ]

    @precondition(lambda self: self.reversible())
    @rule(chosen=a_customer)
    def reverse(self, chosen):
        which, anyone = chosen
        choices = (not anyone and self.open_entries()) or self.reversible()
        entry_id = choices[which % len(choices)]
        original = self.state.entries[entry_id]
        house, credit = self.state.balances(original["account_id"])
        reasons = [
            original["kind"] in (Kind.TRANSFER, Kind.REVERSAL) and f"a {original['kind']} is not reversed",
            entry_id in self.state.reversed_ids() and "reversed already",
            house - original["house_change"] < 0 and "owed would go below nothing",
            credit - original["credit_change"] < 0 and "credit would go below nothing",
        ]
        before = self.state
        done = self.attempt(
            lambda: services.reverse(actor=self.actor, entry_id=entry_id, memo="Keyed wrong"),
            refuse_because=first(reasons),
        )
        if done:
            after = Books()
            [entry] = self.newest(before)
            assert (entry["kind"], entry["reverses_id"], entry["amount"]) == (
                Kind.REVERSAL,
                entry_id,
                original["amount"],
            )
            assert (entry["account_id"], entry["customer_id"]) == (
                original["account_id"],
                original["customer_id"],
            )
            assert (entry["house_change"], entry["credit_change"]) == (
                -original["house_change"],
                -original["credit_change"],
            )
            assert after.balances(original["account_id"]) == (
                house - original["house_change"],
                credit - original["credit_change"],
            )
            self.house_total -= original["house_change"]
            self.credit_total -= original["credit_change"]
            touched = {h["customer_id"] for h in after.holders_of(original["account_id"])}
            self.check_history(before, after, touched)

    @rule(chosen=a_customer, limit=a_limit, stale=now_and_then)
    def set_credit_limit(self, chosen, limit, stale):
        customer_id = self.customer(chosen, self.live())
        account = self.state.account_of(customer_id)
        house = account["house_balance"] if account else 0
        limit = {"owed": house, "above owed": house + 300, "below owed": house - 1}.get(limit, limit)
        version = account["version"] if account else 1  # an account opened now starts at 1
        reasons = [
            limit is not None and limit < 0 and "a limit below zero",
            self.why_no_account(customer_id),
            stale and "stale form",
            limit is not None and limit < house and "below what is owed",
        ]
        before = self.state
        done = self.attempt(
            lambda: services.set_credit_limit(
                actor=self.actor, customer_id=customer_id, limit=limit, version=version + (1 if stale else 0)
            ),
            refuse_because=first(reasons),
            stale=first(reasons) == "stale form",
        )
        if done:
            after = Books()
            assert after.account_of(customer_id)["credit_limit"] == limit
            touched = {h["customer_id"] for h in after.holders_of(after.account_of(customer_id)["id"])}
            self.check_history(before, after, touched)

    # Partners ----------------------------------------------------------------------------

    def linkable(self, *but):
        return [
            pk for pk in self.live(*but) if not self.state.is_archived(pk) and not self.state.partner_of(pk)
        ]

    @rule(one=a_customer, other=a_customer)
    def show_link_confirmation(self, one, other):
        """A desk opens the confirmation of a partner link, and may confirm it steps later."""
        customer_id = self.customer(one, self.linkable())
        partner_id = self.customer(other, self.linkable(customer_id))
        views = (self.state.view(customer_id), self.state.view(partner_id))
        self.shown[(customer_id, partner_id)] = Shown(services.holders_token(customer_id, partner_id), views)
        self.unchanged_because = "only looked"

    @rule(
        one=a_customer,
        other=a_customer,
        customer_is_primary=st.booleans(),
        shown_before=st.sampled_from([False, False, True]),
    )
    def link_partner(self, one, other, customer_is_primary, shown_before):
        """Confirm a link: one shown just now, or (`shown_before`) one a desk opened steps ago."""
        if shown_before and self.shown:
            customer_id, partner_id = sorted(self.shown)[one[0] % len(self.shown)]
            shown = self.shown[customer_id, partner_id]
        else:
            customer_id = self.customer(one, self.linkable())
            partner_id = self.customer(other, self.linkable(customer_id))
            shown = None
        now = self.state
        views = (now.view(customer_id), now.view(partner_id))
        token = shown.token if shown else services.holders_token(customer_id, partner_id)
        primary_id, other_id = (customer_id, partner_id) if customer_is_primary else (partner_id, customer_id)
        reasons = [
            customer_id == partner_id and "the same customer",
            *(now.is_merged(pk) and "merged" for pk in (customer_id, partner_id)),
            *(now.is_archived(pk) and "archived" for pk in (customer_id, partner_id)),
            shown is not None and shown.views != views and "stale confirmation",
            *(now.partner_of(pk) and "has a partner already" for pk in (customer_id, partner_id)),
        ]
        done = self.attempt(
            lambda: services.link_partner(
                actor=self.actor,
                customer_id=customer_id,
                partner_id=partner_id,
                primary_id=primary_id,
                token=token,
            ),
            refuse_because=first(reasons),
            stale=first(reasons) == "stale confirmation",
        )
        if done:
            after = Books()
            kept, left = now.account_of(primary_id), now.account_of(other_id)
            shared = after.account_of(primary_id)
            if kept is not None:
                assert shared["id"] == kept["id"], "the primary's own account is the one shared"
            assert {(h["customer_id"], h["is_primary"]) for h in after.holders_of(shared["id"])} == {
                (primary_id, True),
                (other_id, False),
            }
            own = now.balances(kept["id"]) if kept else (0, 0)
            theirs = now.balances(left["id"]) if left else (0, 0)
            assert after.balances(shared["id"]) == (own[0] + theirs[0], own[1] + theirs[1])
            made = self.newest(now)
            assert all(row["kind"] == Kind.TRANSFER for row in made)
            assert len(made) == 2 * sum(1 for value in theirs if value)
            if left is not None:
                assert after.balances(left["id"]) == (0, 0) and not after.holders_of(left["id"])
            self.check_history(now, after, {primary_id, other_id})
            # Another desk had the same confirmation open: confirming it later must be refused.
            self.shown[customer_id, partner_id] = Shown(token, views)

    @precondition(lambda self: any(self.state.partner_of(pk) for pk in self.ids))
    @rule(chosen=a_customer, house=a_split, credit=a_split, stale=now_and_then)
    def unlink_partner(self, chosen, house, credit, stale):
        sharing = [pk for pk in self.live() if self.state.partner_of(pk)]
        customer_id = self.customer(chosen, sharing)
        now = self.state
        account = now.account_of(customer_id)
        owed, there = now.balances(account["id"]) if account else (0, 0)
        split = (
            {"none": 0, "some": owed // 2, "all": owed, "over": owed + 1}[house],
            {
                "none": 0,
                "some": there // 3,
                "all": there,
                "over": there + 1,
            }[credit],
        )
        reasons = [
            not now.partner_of(customer_id) and "shares with nobody",
            stale and "stale form",
            split[0] > owed and "more owed split than there is",
            split[1] > there and "more credit split than there is",
        ]
        version = account["version"] + (1 if stale else 0) if account else 1
        done = self.attempt(
            lambda: services.unlink_partner(
                actor=self.actor, customer_id=customer_id, house=split[0], credit=split[1], version=version
            ),
            refuse_because=first(reasons),
            stale=first(reasons) == "stale form",
        )
        if done:
            after = Books()
            primary, leaving = sorted(now.holders_of(account["id"]), key=lambda h: not h["is_primary"])
            assert [h["customer_id"] for h in after.holders_of(account["id"])] == [primary["customer_id"]]
            assert after.balances(account["id"]) == (owed - split[0], there - split[1])
            own = after.account_of(leaving["customer_id"])
            if split == (0, 0):
                assert own is None, "a partner who takes nothing leaves with no account"
            else:
                assert own["id"] != account["id"]
                assert [h["is_primary"] for h in after.holders_of(own["id"])] == [True]
                assert after.balances(own["id"]) == split
            self.check_history(now, after, {primary["customer_id"], leaving["customer_id"]})

    @precondition(lambda self: any(self.state.partner_of(pk) for pk in self.ids))
    @rule(chosen=a_customer, stale=now_and_then)
    def set_primary(self, chosen, stale):
        partners = [
            pk for pk in self.live() if self.state.partner_of(pk) and not self.state.holders[pk]["is_primary"]
        ]
        customer_id = self.customer(chosen, partners)
        now = self.state
        account = now.account_of(customer_id)
        reasons = [
            not now.partner_of(customer_id) and "shares with nobody",
            stale and "stale form",
            account and now.holders[customer_id]["is_primary"] and "the primary already",
        ]
        done = self.attempt(
            lambda: services.set_primary(
                actor=self.actor,
                customer_id=customer_id,
                version=(account["version"] + (1 if stale else 0)) if account else 1,
            ),
            refuse_because=first(reasons),
            stale=first(reasons) == "stale form",
        )
        if done:
            after = Books()
            partner_id = now.partner_of(customer_id)["customer_id"]
            assert after.holders[customer_id]["is_primary"] and not after.holders[partner_id]["is_primary"]
            assert after.balances(account["id"]) == now.balances(account["id"])
            self.check_history(now, after, {customer_id, partner_id})

    # Merges ------------------------------------------------------------------------------

    @rule(survivor=a_customer, absorbed=a_customer)
    def merge(self, survivor, absorbed):
        survivor_id = self.customer(survivor, self.live())
        absorbed_id = self.customer(absorbed, self.live(survivor_id))
        now = self.state
        mine, theirs = now.holders.get(survivor_id), now.holders.get(absorbed_id)
        blocked = (
            mine is not None
            and theirs is not None
            and mine["account_id"] != theirs["account_id"]
            and now.partner_of(absorbed_id) is not None
        )
        reasons = [
            survivor_id == absorbed_id and "the same customer",
            now.is_merged(absorbed_id) and "already merged",
            now.is_merged(survivor_id) and "the survivor was merged",
            blocked and "the duplicate shares an account with someone else",
        ]
        one, other = Customer.objects.get(pk=survivor_id), Customer.objects.get(pk=absorbed_id)
        token = merge_preview(one, other)["token"]
        done = self.attempt(
            lambda: merge_customers(
                actor=self.actor, survivor_id=survivor_id, absorbed_id=absorbed_id, token=token
            ),
            refuse_because=first(reasons),
        )
        if done:
            self.check_merged(now, Books(), survivor_id, absorbed_id)

    def check_merged(self, now, after, s, a):
        mine, theirs = now.holders.get(s), now.holders.get(a)
        assert a not in after.holders, "a merged customer keeps no account"
        made = self.newest(now)
        if theirs is None:
            assert after.holders.get(s) == mine and not made
        elif mine is None:  # the duplicate's place, as it was, is the survivor's
            moved = after.holders[s]
            assert (moved["account_id"], moved["is_primary"]) == (theirs["account_id"], theirs["is_primary"])
            assert not made
        elif mine["account_id"] == theirs["account_id"]:  # partners: one holder left, the primary
            assert [(h["customer_id"], h["is_primary"]) for h in after.holders_of(mine["account_id"])] == [
                (s, True)
            ]
            assert not made
        else:
            kept, left = mine["account_id"], theirs["account_id"]
            own, moved = now.balances(kept), now.balances(left)
            assert after.balances(kept) == (own[0] + moved[0], own[1] + moved[1])
            assert after.balances(left) == (0, 0) and not after.holders_of(left)
            assert len(made) == 2 * sum(1 for value in moved if value)
            for row in made:
                assert row["kind"] == Kind.TRANSFER
                assert row["customer_id"] == (a if row["account_id"] == left else s)
        # The two merge lines (the absorbed customer's history moves to the survivor).
        assert sum(after.history.values()) == sum(now.history.values()) + 2

    @initialize()
    def start(self):
        """Ash owes, close to her credit limit; Birch has credit and owes a little; Cedar and
        Dogwood share Cedar's account; archived Elm kept an account from before: the first steps
        already meet each rule."""
        ash, birch, cedar, dogwood, elm = self.ids
        opening = [
            (ash, Kind.CHARGE, 3000),
            (birch, Kind.CREDIT_ISSUED, 2000),
            (birch, Kind.CHARGE, 500),
            (cedar, Kind.CHARGE, 1200),
            (dogwood, Kind.CHARGE, 800),
            (dogwood, Kind.CREDIT_ISSUED, 300),
        ]
        opening.append((elm, Kind.CHARGE, 600))
        for customer_id, kind, amount in opening:
            services.post(actor=self.actor, customer_id=customer_id, kind=kind, amount=amount)
            house, credit = (amount * unit for unit in EFFECT[kind])
            self.house_total += house
            self.credit_total += credit
        Customer.objects.filter(pk=elm).update(archived_at=timezone.now())  # after her account opened
        ash_account = Account.objects.get(holders__customer_id=ash)
        services.set_credit_limit(actor=self.actor, customer_id=ash, limit=3500, version=ash_account.version)
        services.link_partner(
            actor=self.actor,
            customer_id=cedar,
            partner_id=dogwood,
            primary_id=cedar,
            token=services.holders_token(cedar, dogwood),
        )
        self.unchanged_because = None
        self.state = Books()

    # The rules ---------------------------------------------------------------------------

    @invariant()
    def the_rules_hold(self):
        before, now = self.state, Books()
        if self.unchanged_because is not None:
            assert now.same_rows(before), f"{self.unchanged_because}, yet a row changed"
        # Rule 5: entries never change; every entry ever seen is still there, as it was.
        for pk, row in self.seen_entries.items():
            assert now.entries.get(pk) == row, f"entry {pk} changed or went"
        for pk, row in now.entries.items():
            self.seen_entries.setdefault(pk, row)
        # Rule 5: the balances are the sums of the entries, and the last entry's; never below zero.
        rules.assert_ledger_adds_up()
        for row in now.entries.values():
            assert row["amount"] > 0
        for pk in now.accounts:
            if not now.holders_of(pk):
                balances = now.balances(pk)
                assert balances == (0, 0), f"account {pk} holds {balances} and nobody holds it"
        # Rule 6: one account per customer; one primary and at most one partner per account.
        # Rule 4: a merged customer holds no account.
        rules.assert_one_account_each()
        rules.assert_tombstones_hold_nothing()
        # Money is conserved: the model's sums, and the ledger's by kind; transfers net nothing.
        total = (
            sum(a["house_balance"] for a in now.accounts.values()),
            sum(a["credit_balance"] for a in now.accounts.values()),
        )
        assert total == (self.house_total, self.credit_total), (total, self.house_total, self.credit_total)
        by_kind = Counter()
        for row in now.entries.values():
            by_kind[row["kind"], HOUSE] += row["house_change"]
            by_kind[row["kind"], CREDIT] += row["credit_change"]
        charged = sum(r["amount"] for r in now.entries.values() if r["kind"] == Kind.CHARGE)
        paid = sum(r["amount"] for r in now.entries.values() if r["kind"] == Kind.PAYMENT)
        issued = sum(r["amount"] for r in now.entries.values() if r["kind"] == Kind.CREDIT_ISSUED)
        redeemed = sum(r["amount"] for r in now.entries.values() if r["kind"] == Kind.CREDIT_REDEEMED)
        corrections = [Kind.ADJUSTMENT, Kind.REVERSAL]
        assert total == (
            charged - paid + sum(by_kind[kind, HOUSE] for kind in corrections),
            issued - redeemed + sum(by_kind[kind, CREDIT] for kind in corrections),
        )
        assert by_kind[Kind.TRANSFER, HOUSE] == by_kind[Kind.TRANSFER, CREDIT] == 0
        # Transfers come in pairs, one on each account: the incoming half names the outgoing.
        transfers = {pk: row for pk, row in now.entries.items() if row["kind"] == Kind.TRANSFER}
        named = Counter(row["counterpart_id"] for row in transfers.values() if row["counterpart_id"])
        for pk, row in transfers.items():
            if row["counterpart_id"] is None:
                assert named[pk] == 1, f"transfer {pk} is in no pair"
                continue
            out = transfers[row["counterpart_id"]]
            assert out["counterpart_id"] is None, f"transfer {pk} names a transfer that names another"
            assert out["account_id"] != row["account_id"] and out["amount"] == row["amount"]
            assert (out["house_change"], out["credit_change"]) == (
                -row["house_change"],
                -row["credit_change"],
            )
            assert row["house_change"] >= 0 and row["credit_change"] >= 0, (
                "the named half is the incoming one"
            )
        self.unchanged_because = None
        self.state = now


class MoneyRulesTest(TestCase):
    def test_the_money_rules_hold_after_any_sequence(self):
        # The loaded profile ("ci": 25 fixed examples), with sequences long enough for postings,
        # a link, a split and a merge to meet.
        run_state_machine_as_test(MoneyRules, settings=settings(stateful_step_count=30))
