"""The database-wide rules of DESIGN.md ("Rules that always hold"), checked against the rows
themselves, whatever happened before.

Each check needs no model of what should have happened: it reads every row it judges, so a
test may call `assert_the_rules_hold()` after anything (a fault, a race, a sequence of
actions) on a small database. The state machines in tests/invariants/ check more than this
(what each action must do, what must be refused), and call the checks here for the rules
that need no model.

Rule 7 (portal users' guardian grants) is not checked: no customer has a login yet.
Rule 8 (History lines for every change) needs to know who changed, so it is
`assert_history_written`, given them and the newest line from before the change.
"""

from collections import Counter

from django.db import IntegrityError, connection
from django.db.models import Count, Max, Q, Sum

from billing.models import Account, AccountHolder, Entry
from bookings.models import Appointment, Package
from client_groups.models import SegmentMember
from customers.models import Activity, Customer
from groups.models import CustomerGroup, GroupMember, Role
from linking.models import Link, RelationshipType

#: What a merged customer may no longer hold (rule 4), as (model, field pointing at Customer).
HELD = (
    (GroupMember, "customer"),
    (SegmentMember, "customer"),
    (AccountHolder, "customer"),
    (Link, "agent"),
    (Link, "principal"),
    (Appointment, "attendee"),
    (Package, "owner"),
)


def assert_one_group_each():
    """Rule 1: a customer is in at most one group, unless every place is a shared Admin's."""
    places = GroupMember.objects.values_list("customer_id", "role", "in_several_groups")
    for _customer_id, role, several in places:
        assert not several or role == Role.ADMIN, f"a shared place that is not an Admin's: {role}"
    count = Counter(customer_id for customer_id, _, _ in places)
    for customer_id, n in count.items():
        if n > 1:
            shared = [several and role == Role.ADMIN for c, role, several in places if c == customer_id]
            assert all(shared), f"customer {customer_id} is in {n} groups"


def assert_one_owner_each():
    """Rule 2: every group has members, exactly one of them its Owner."""
    groups = CustomerGroup.objects.annotate(
        size=Count("members"), owners=Count("members", filter=Q(members__role=Role.OWNER))
    ).values_list("pk", "size", "owners")
    for pk, size, owners in groups:
        assert size >= 1, f"group {pk} was left without members"
        assert owners == 1, f"group {pk} has {owners} owners"


def assert_links_in_pairs():
    """Rule 3: no link to oneself, one per ordered pair, and each has a twin of the reverse type."""
    other_side = {kind.pk: kind.other_side.pk for kind in RelationshipType.objects.select_related("reverse")}
    links = {
        (agent, principal): kind
        for agent, principal, kind in Link.objects.values_list("agent_id", "principal_id", "type_id")
    }
    assert len(links) == Link.objects.count(), "two links share an ordered pair"
    for (agent, principal), kind in links.items():
        assert agent != principal, f"customer {agent} is linked to themselves"
        twin = links.get((principal, agent))
        assert twin is not None, f"the link {agent} → {principal} has no twin"
        assert twin == other_side[kind], f"the link {agent} → {principal}'s twin has the wrong type"


def assert_tombstones_hold_nothing():
    """Rule 4: a merged customer points straight at a live survivor and holds nothing."""
    tombstones = Customer.objects.filter(merged_into__isnull=False)
    chained = tombstones.filter(merged_into__merged_into__isnull=False).values_list("pk", flat=True)
    assert not chained, f"customers {list(chained)} point at a tombstone: a chain"
    for model, field in HELD:
        held = model._base_manager.filter(**{f"{field}__merged_into__isnull": False})
        assert not held.exists(), f"a merged customer still has {model._meta.verbose_name_plural}"


def assert_ledger_adds_up():
    """Rule 5: each account's balances are its entries' sums and its last entry's; never below zero."""
    sums = {
        row["account_id"]: (row["house"], row["credit"])
        for row in Entry.objects.values("account_id").annotate(
            house=Sum("house_change"), credit=Sum("credit_change")
        )
    }
    last = {}
    for account_id, house, credit in Entry.objects.order_by("pk").values_list(
        "account_id", "house_after", "credit_after"
    ):
        last[account_id] = (house, credit)  # ids ascend: each account's last entry wins
    for pk, house, credit in Account.objects.values_list("pk", "house_balance", "credit_balance"):
        assert house >= 0 and credit >= 0, f"account {pk} is below zero: {(house, credit)}"
        assert (house, credit) == sums.get(pk, (0, 0)), (
            f"account {pk} holds {(house, credit)} but its entries add up to {sums.get(pk, (0, 0))}"
        )
        assert last.get(pk, (0, 0)) == (house, credit), f"account {pk}'s last entry says otherwise"


def assert_one_account_each():
    """Rule 6: a customer holds one account at most; an account with holders has one primary."""
    held = Counter(AccountHolder.objects.values_list("customer_id", flat=True))
    assert all(n == 1 for n in held.values()), "a customer holds two accounts"
    for pk, primaries, holders in (
        AccountHolder.objects.values("account_id")
        .annotate(primaries=Count("pk", filter=Q(is_primary=True)), holders=Count("pk"))
        .values_list("account_id", "primaries", "holders")
    ):
        assert primaries == 1 and holders <= 2, f"account {pk}: {holders} holders, {primaries} primary"


def assert_constraints_hold():
    """The deferred constraints (foreign keys, a link's twin) would let the transaction commit.

    Outside a transaction every row is committed, so they held already."""
    if not connection.in_atomic_block:
        return
    try:
        connection.check_constraints()
    except IntegrityError as error:
        raise AssertionError(f"a deferred constraint would fail: {error}") from None


def assert_the_rules_hold():
    """Every rule of DESIGN.md that the rows alone can say (1 to 6)."""
    assert_constraints_hold()
    assert_one_group_each()
    assert_one_owner_each()
    assert_links_in_pairs()
    assert_tombstones_hold_nothing()
    assert_ledger_adds_up()
    assert_one_account_each()


def history_mark():
    """The newest History line now, to give `assert_history_written` after a change."""
    return Activity.objects.aggregate(last=Max("pk"))["last"] or 0


def assert_history_written(mark, customer_ids):
    """Rule 8: each of `customer_ids` (those a change touched) has a History line newer than
    `mark`. (Not a count per customer: a merge moves the duplicate's lines to the survivor.)"""
    written = set(Activity.objects.filter(pk__gt=mark).values_list("customer_id", flat=True))
    missing = set(customer_ids) - written
    assert not missing, f"customers {sorted(missing)} changed without a History line"
