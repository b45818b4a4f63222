"""Desks posting to house accounts while others post too, or link, unlink, re-order or merge
the account's holders, on PostgreSQL.

SQLite serialises every writer, so a race cannot happen there; these run on PostgreSQL only.
Two desks race as in test_group_races and test_merge_races: each in its own thread and
connection, released by one barrier, each transaction lingering after its service returned,
one desk ahead and the other starting once it has returned but not yet committed. Where many
postings pile up, each is a transaction of its own, as it is behind a real form.

Whatever the order, the ledger must add up: every account's balances are the sums of its
entries, and each entry's balances after it are the running sums of the entries before it in
id order (entries of an account are written under its lock, so id order is posting order).
"""

import threading
import uuid

import pytest
from django.db import connection
from django.db.models import Sum

from billing import services
from billing.models import Account, AccountHolder, Entry, Kind
from core.errors import KinshipError, StaleEdit
from customers import services as customer_services
from customers.merging import merge_token
from customers.models import Activity, Customer, Merge
from tests.concurrency.test_group_races import race, refusals
from tests.concurrency.test_merge_races import ORDERS, in_order
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

#: A posting holds its account's row lock and, from its COMMIT (Django's foreign keys are
#: DEFERRABLE INITIALLY DEFERRED), wants a KEY SHARE lock on every customer its entry and
#: History lines point at. Link, unlink, Set as Primary and merge lock those customers FOR
#: UPDATE first, then the account: a posting ahead of them is the lock cycle PostgreSQL
#: breaks by aborting one of the two. Both at once is a coin toss between the two orders, so
#: those races run one way and the other, not at once.
POSTING_AHEAD = "posting ahead"


@pytest.fixture
def desks():
    return UserFactory(username="desk-one"), UserFactory(username="desk-two")


def smiths(*first_names):
    """New customers called `first_names` Smith, in id order."""
    return [CustomerFactory(first_name=name, last_name="Smith") for name in first_names]


def post(actor, customer, kind, amount, **kwargs):
    return services.post(actor=actor, customer_id=customer.pk, kind=kind, amount=amount, **kwargs)


def partners(actor, primary, partner):
    """Make `partner` share `primary`'s account, from a confirmation shown just now."""
    return services.link_partner(
        actor=actor,
        customer_id=primary.pk,
        partner_id=partner.pk,
        primary_id=primary.pk,
        token=services.holders_token(primary.pk, partner.pk),
    )


def account_id(customer):
    """The id of the account the customer holds now, or None."""
    return AccountHolder.objects.filter(customer=customer).values_list("account_id", flat=True).first()


def balances(account_id):
    return tuple(Account.objects.filter(pk=account_id).values_list("house_balance", "credit_balance").get())


def posted_lines(customer):
    return Activity.objects.filter(customer=customer, kind="billing.posted").count()


def together(*actions):
    """Run each action in its own thread and connection, released together; return outcomes.

    Unlike `race`, no transaction wraps an action: each service it calls commits on its own.
    """
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            outcomes[index] = action()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a desk is still waiting: a deadlock?"
    return outcomes


def assert_ledgers_add_up():
    """Check every account's ledger; return the totals (house, credit) of all balances."""
    for account in Account.objects.order_by("pk"):
        house = credit = 0
        entries = Entry.objects.filter(account=account).order_by("pk")
        for entry in entries.values("pk", "house_change", "credit_change", "house_after", "credit_after"):
            house += entry["house_change"]
            credit += entry["credit_change"]
            assert (entry["house_after"], entry["credit_after"]) == (house, credit), (
                f"{account}: entry #{entry['pk']} says ({entry['house_after']}, {entry['credit_after']}) "
                f"after it, the entries before it add up to ({house}, {credit}): a lost update"
            )
        # So the last entry's balances after it are the row's too.
        assert (account.house_balance, account.credit_balance) == (house, credit), account
    # Transfers only move money: their two halves cancel out.
    moved = Entry.objects.filter(kind=Kind.TRANSFER).aggregate(h=Sum("house_change"), c=Sum("credit_change"))
    assert (moved["h"] or 0, moved["c"] or 0) == (0, 0), moved
    totals = Account.objects.aggregate(h=Sum("house_balance"), c=Sum("credit_balance"))
    return totals["h"] or 0, totals["c"] or 0


def assert_holders_consistent():
    """One primary on every account someone holds, none on a tombstone, and no money left on
    an account nobody holds."""
    for account in Account.objects.prefetch_related("holders"):
        primaries = [h.is_primary for h in account.holders.all()]
        if primaries:
            assert sorted(primaries) in ([True], [False, True]), (account, primaries)
        else:
            assert (account.house_balance, account.credit_balance) == (0, 0), (
                f"{account} holds money for nobody"
            )
    assert not AccountHolder.objects.filter(customer__merged_into__isnull=False).exists()


# Many postings to one shared account.

THREADS, POSTINGS = 8, 500


def plan(desk):
    """What one desk posts, POSTINGS in all, in rounds of four: a charge and a payment of at most
    that charge, store credit issued and at most that redeemed. A desk only pays off what it
    charged itself and redeems what it issued, so nothing it posts can be refused, whatever
    the others do meanwhile."""
    for n in range(POSTINGS // 4):
        charged, issued = 100 + 7 * desk + n, 50 + desk + 3 * n
        yield Kind.CHARGE, charged
        yield Kind.PAYMENT, charged - (n % 5)
        yield Kind.CREDIT_ISSUED, issued
        yield Kind.CREDIT_REDEEMED, issued - (n % 3)


def test_eight_desks_posting_to_one_shared_account_lose_no_update(on_postgres, desks):
    """Eight desks post 500 times each to the account Anna and Ben share, half of them for
    Anna and half for Ben. Every posting lands; the balances are what was posted, and each
    entry's balances after it carry on from the entry before."""
    one, _ = desks
    anna, ben = smiths("Anna", "Ben")
    partners(one, anna, ben)
    shared = account_id(anna)
    assert account_id(ben) == shared
    version = Account.objects.get(pk=shared).version
    actors = [UserFactory(username=f"desk-{n}") for n in range(THREADS)]

    def desk(n):
        customer = anna if n % 2 else ben

        def work():
            return [post(actors[n], customer, kind, amount) for kind, amount in plan(n)]

        return work

    outcomes = together(*(desk(n) for n in range(THREADS)))

    refusals(outcomes)
    assert all(isinstance(posted, list) and len(posted) == POSTINGS for posted in outcomes), outcomes
    house, credit = (
        sum(amount * services.EFFECTS[kind][which] for n in range(THREADS) for kind, amount in plan(n))
        for which in (0, 1)
    )
    assert Entry.objects.filter(account_id=shared).count() == THREADS * POSTINGS
    assert Entry.objects.count() == THREADS * POSTINGS, "an entry on another account"
    assert balances(shared) == (house, credit)
    assert assert_ledgers_add_up() == (house, credit)
    for n in range(THREADS):
        mine = Entry.objects.filter(posted_by=actors[n]).order_by("pk")
        assert list(mine.values_list("kind", "amount")) == list(plan(n)), f"desk {n}'s postings"
    # Partners see each other's spending: every posting is on both of them.
    assert posted_lines(anna) == posted_lines(ben) == THREADS * POSTINGS
    assert Account.objects.get(pk=shared).version == version + THREADS * POSTINGS, "every posting raises it"


# Two desks, one account.


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("desk_two_serves", ["the partner", "the same customer"])
@pytest.mark.parametrize("amounts", [(500, 500), (300, 300)], ids=["all of it each", "more than half each"])
def test_redeeming_the_last_store_credit_at_two_desks_redeems_it_once(
    on_postgres, desks, order, desk_two_serves, amounts
):
    """Anna and Ben share £5.00 of store credit. Two desks redeem from it at the same time,
    more than there is for both: one redemption lands, the other is refused with what is left."""
    one, two = desks
    anna, ben = smiths("Anna", "Ben")
    post(one, anna, Kind.CREDIT_ISSUED, 500)
    partners(one, anna, ben)
    shared = account_id(anna)
    other = ben if desk_two_serves == "the partner" else anna
    first, second = amounts

    outcomes = race(
        *in_order(
            order,
            lambda: post(one, anna, Kind.CREDIT_REDEEMED, first),
            lambda: post(two, other, Kind.CREDIT_REDEEMED, second),
        )
    )

    refused = refusals(outcomes)
    redeemed = [o for o in outcomes if isinstance(o, Entry)]
    assert len(redeemed) == 1 and len(refused) == 1, outcomes
    if order != "at once":
        assert redeemed[0] is outcomes[0 if order == "first ahead" else 1]
    left = 500 - redeemed[0].amount
    lost = second if redeemed[0] is outcomes[0] else first
    assert refused[0].message == (
        f"There is only £{left // 100}.{left % 100:02d} of store credit; "
        f"£{lost // 100}.{lost % 100:02d} cannot be redeemed."
    )
    assert type(refused[0]) is KinshipError
    assert balances(shared) == (0, left)
    assert list(Entry.objects.filter(kind=Kind.CREDIT_REDEEMED).values_list("amount", flat=True)) == [
        redeemed[0].amount
    ]
    assert assert_ledgers_add_up() == (0, left)


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize(
    ("kind", "amount"),
    [
        pytest.param(Kind.CHARGE, 250, id="a charge"),
        pytest.param(Kind.CREDIT_ISSUED, 250, id="credit issued"),
        pytest.param(Kind.PAYMENT, 400, id="a part payment"),
        pytest.param(Kind.PAYMENT, 1000, id="paying off all that is owed"),
        pytest.param(Kind.CREDIT_REDEEMED, 300, id="redeeming all the credit"),
    ],
)
def test_one_form_posted_at_two_desks_at_once_posts_once(on_postgres, desks, order, kind, amount):
    """The same form (one key) reaches the server twice at the same moment, a double click
    behind a slow network. One entry is posted; the other request is told it was posted
    already, which the view shows as done, not as an error."""
    one, two = desks
    anna, ben = smiths("Anna", "Ben")
    post(one, anna, Kind.CHARGE, 1000)
    post(one, anna, Kind.CREDIT_ISSUED, 300)
    partners(one, anna, ben)
    shared = account_id(anna)
    before = balances(shared)
    key = uuid.uuid4()

    outcomes = race(
        *in_order(
            order,
            lambda: post(one, anna, kind, amount, key=key),
            lambda: post(two, anna, kind, amount, key=key),
        )
    )

    refused = refusals(outcomes)
    posted = [o for o in outcomes if isinstance(o, Entry)]
    assert len(posted) == 1 and len(refused) == 1, outcomes
    assert list(Entry.objects.filter(request_key=key).values_list("pk", flat=True)) == [posted[0].pk]
    house, credit = (amount * unit for unit in services.EFFECTS[kind])
    assert balances(shared) == (before[0] + house, before[1] + credit)
    assert assert_ledgers_add_up() == balances(shared)
    assert posted_lines(anna) == 3
    assert isinstance(refused[0], services.AlreadyPosted), refused[0]


# A posting racing a change of who holds the account.


@pytest.mark.parametrize(
    "order",
    [
        pytest.param("first ahead", id="link ahead"),
        pytest.param("second ahead", id=POSTING_AHEAD),
    ],
)
def test_a_partner_link_racing_a_posting_on_the_partners_own_account(on_postgres, desks, order):
    """A desk links Ben to Anna's account (from a confirmation shown before) while another
    charges £0.30 to Ben's own account.

    What is checked: neither desk fails other than by a refusal, and the charge is never
    refused. Either the link is refused as stale and the charge stays on Ben's own account,
    or the link lands and then: Ben holds Anna's account as its partner and nothing else;
    his old account has no holder and no money left; the charge is on the shared account, or
    on his old account *before* the transfers that emptied it (so it moved with them);
    nothing was posted on his old account after the transfers; every ledger adds up and all
    the balances together are what was ever charged or issued.
    """
    one, two = desks
    anna, ben = smiths("Anna", "Ben")
    post(one, anna, Kind.CHARGE, 1000)
    post(one, ben, Kind.CHARGE, 200)
    post(one, ben, Kind.CREDIT_ISSUED, 50)
    shared, own = account_id(anna), account_id(ben)
    token = services.holders_token(anna.pk, ben.pk)

    linked, charged = race(
        *in_order(
            order,
            lambda: services.link_partner(
                actor=one, customer_id=anna.pk, partner_id=ben.pk, primary_id=anna.pk, token=token
            ),
            lambda: post(two, ben, Kind.CHARGE, 30),
        )
    )

    refused = refusals([linked, charged])
    assert isinstance(charged, Entry), charged
    assert assert_ledgers_add_up() == (1230, 50), "money was made or lost"
    assert_holders_consistent()
    if refused:
        assert isinstance(linked, StaleEdit), linked
        assert (account_id(anna), account_id(ben)) == (shared, own)
        assert charged.account_id == own and balances(own) == (230, 50)
        return
    assert isinstance(linked, Account) and linked.pk == shared, linked
    assert set(AccountHolder.objects.values_list("customer_id", "account_id", "is_primary")) == {
        (anna.pk, shared, True),
        (ben.pk, shared, False),
    }
    assert balances(own) == (0, 0) and balances(shared) == (1230, 50)
    moved_out = Entry.objects.filter(account_id=own, kind=Kind.TRANSFER)
    assert moved_out.count() == 2
    assert (
        not Entry.objects.filter(account_id=own, pk__gt=min(e.pk for e in moved_out))
        .exclude(kind=Kind.TRANSFER)
        .exists()
    ), "a posting on Ben's old account after it was emptied"
    if charged.account_id == own:
        assert order == "second ahead", "the link went first: the charge belongs on the shared account"
        assert sorted(moved_out.values_list("amount", flat=True)) == [50, 230]
    else:
        assert charged.account_id == shared, charged.account_id
        assert order == "first ahead", "the charge went first: it belongs on Ben's old account"
        assert sorted(moved_out.values_list("amount", flat=True)) == [50, 200]
        # Ben was Anna's partner when it was posted: both see it.
        assert posted_lines(anna) == 2 and posted_lines(ben) == 3


@pytest.mark.parametrize(
    "order",
    [
        pytest.param("first ahead", id="unlink ahead"),
        pytest.param("second ahead", id=POSTING_AHEAD),
    ],
)
@pytest.mark.parametrize("split", [(0, 0), (300, 100)], ids=["no split", "a split"])
@pytest.mark.parametrize("from_page", [True, False], ids=["with the page's version", "without a version"])
def test_unlinking_a_partner_while_they_post(on_postgres, desks, order, split, from_page):
    """A desk unlinks Ben from Anna's account (optionally moving part of the balances to him)
    while another charges £0.70 for Ben. The charge lands on an account Ben held when it was
    posted: the shared one if it went first, before the transfers of the split, seen in
    Anna's History too; otherwise Ben's own, the one he holds now, which Anna does not see.
    An unlink from a page loaded before a charge that went first is refused as stale."""
    one, two = desks
    anna, ben = smiths("Anna", "Ben")
    post(one, anna, Kind.CHARGE, 1000)
    post(one, anna, Kind.CREDIT_ISSUED, 400)
    partners(one, anna, ben)
    shared = account_id(anna)
    version = Account.objects.get(pk=shared).version if from_page else None
    house, credit = split

    unlinked, charged = race(
        *in_order(
            order,
            lambda: services.unlink_partner(
                actor=one, customer_id=ben.pk, house=house, credit=credit, version=version
            ),
            lambda: post(two, ben, Kind.CHARGE, 70),
        )
    )

    refused = refusals([unlinked, charged])
    assert isinstance(charged, Entry), charged
    assert assert_ledgers_add_up() == (1070, 400), "money was made or lost"
    assert_holders_consistent()
    assert posted_lines(ben) == 1
    if refused:
        assert from_page and order == "second ahead", unlinked
        assert isinstance(unlinked, StaleEdit), unlinked
        assert charged.account_id == shared and account_id(ben) == shared
        assert balances(shared) == (1070, 400) and posted_lines(anna) == 3
        return
    assert unlinked.pk == shared
    assert account_id(anna) == shared and account_id(ben) != shared
    split_entries = Entry.objects.filter(account_id=shared, kind=Kind.TRANSFER)
    assert split_entries.count() == (house > 0) + (credit > 0)
    if charged.account_id == shared:
        assert order == "second ahead", "Ben had left the shared account when he was charged"
        assert all(charged.pk < e.pk for e in split_entries)
        assert posted_lines(anna) == 3
        assert balances(shared) == (1070 - house, 400 - credit)
    else:
        assert order == "first ahead", "the charge went first: it belongs on the shared account"
        assert charged.account_id == account_id(ben)
        assert AccountHolder.objects.get(customer=ben).is_primary
        assert balances(charged.account_id) == (house + 70, credit)
        assert posted_lines(anna) == 2, "Anna sees a charge on an account she does not share"


# Two desks charging one after another hold the account's lock nearly all the time, so the
# unlink meets the lock cycle of DEADLOCK on (nearly) every run.
def test_unlinking_a_partner_while_two_desks_keep_charging_them(on_postgres, desks):
    """Two desks charge Ben 30 times each, one charge after the other, while a third unlinks
    him (moving £3.00 owed and £1.00 of credit to him) once the charging is under way. Each
    charge lands on an account Ben held when it was posted: the shared one before the split's
    transfers, or, after, his own, the one he holds now; Anna's History has exactly the ones
    posted while they shared."""
    one, two = desks
    manager = UserFactory(username="manager")
    anna, ben = smiths("Anna", "Ben")
    post(one, anna, Kind.CHARGE, 1000)
    post(one, anna, Kind.CREDIT_ISSUED, 400)
    partners(one, anna, ben)
    shared = account_id(anna)
    under_way = threading.Event()

    def charging(actor):
        def work():
            outcomes = []
            for n in range(30):
                outcomes.append(post(actor, ben, Kind.CHARGE, 10 + n))
                if n == 5:
                    under_way.set()
            return outcomes

        return work

    def unlink():
        assert under_way.wait(timeout=30)
        return services.unlink_partner(actor=manager, customer_id=ben.pk, house=300, credit=100)

    first, second, unlinked = together(charging(one), charging(two), unlink)

    refusals([first, second, unlinked])
    assert isinstance(unlinked, Account), unlinked
    charged = 2 * sum(10 + n for n in range(30))
    assert assert_ledgers_add_up() == (1000 + charged, 400), "money was made or lost"
    assert_holders_consistent()
    own = account_id(ben)
    assert own != shared and AccountHolder.objects.get(customer=ben).is_primary
    split = Entry.objects.filter(account_id=shared, kind=Kind.TRANSFER).order_by("pk")
    assert split.count() == 2
    bens = Entry.objects.filter(customer=ben).exclude(kind=Kind.TRANSFER)
    assert bens.count() == 60
    before = bens.filter(account_id=shared)
    after = bens.exclude(account_id=shared)
    assert not before.filter(pk__gt=split[0].pk).exists(), "Ben charged on the shared account after he left"
    assert set(after.values_list("account_id", flat=True)) <= {own}
    assert posted_lines(anna) == 2 + before.count()
    assert posted_lines(ben) == 60
    assert balances(own) == (300 + sum(after.values_list("amount", flat=True)), 100)


@pytest.mark.parametrize(
    ("order", "split"),
    [
        pytest.param("first ahead", (0, 0), id="set primary ahead-no split"),
        pytest.param("first ahead", (300, 100), id="set primary ahead-a split"),
        pytest.param("second ahead", (0, 0), id="unlink ahead-no split"),
        # With a split Ben holds an account of his own again, so the lookup finds him.
        pytest.param("second ahead", (300, 100), id="unlink ahead-a split"),
    ],
)
def test_set_as_primary_racing_an_unlink_of_the_same_partner(on_postgres, desks, order, split):
    """On Ben's profile one desk presses Set as Primary while another unlinks him, both from
    the page as it was. Whichever commits first wins; the other is refused, and every account
    ends with one primary (and at most one partner), no money on an account nobody holds."""
    one, two = desks
    anna, ben = smiths("Anna", "Ben")
    post(one, anna, Kind.CHARGE, 1000)
    post(one, anna, Kind.CREDIT_ISSUED, 400)
    partners(one, anna, ben)
    shared = account_id(anna)
    version = Account.objects.get(pk=shared).version

    made, unlinked = race(
        *in_order(
            order,
            lambda: services.set_primary(actor=one, customer_id=ben.pk, version=version),
            lambda: services.unlink_partner(
                actor=two, customer_id=ben.pk, house=split[0], credit=split[1], version=version
            ),
        )
    )

    refused = refusals([made, unlinked])
    assert len(refused) == 1, (made, unlinked)
    assert_holders_consistent()
    assert assert_ledgers_add_up() == (1000, 400)
    holders = dict(AccountHolder.objects.values_list("customer_id", "is_primary"))
    if refused == [unlinked]:
        assert order == "first ahead"
        assert isinstance(unlinked, StaleEdit), unlinked
        assert AccountHolder.objects.filter(account_id=shared).count() == 2
        assert holders == {ben.pk: True, anna.pk: False}
    else:
        assert order == "second ahead"
        assert isinstance(made, StaleEdit) or "Primary Account already" in made.message, made
        assert list(
            AccountHolder.objects.filter(account_id=shared).values_list("customer_id", flat=True)
        ) == [anna.pk]
        assert holders == {anna.pk: True, **({ben.pk: True} if any(split) else {})}


@pytest.mark.parametrize(
    "order",
    [
        pytest.param("first ahead", id="merge ahead"),
        pytest.param("second ahead", id=POSTING_AHEAD),
    ],
)
@pytest.mark.parametrize("posted_for", ["the duplicate", "the survivor"])
def test_a_merge_racing_a_posting_loses_no_money(on_postgres, desks, order, posted_for):
    """A manager merges Dana into Anna, both with an account with money on it, while a desk
    charges £0.25 to one of the two. The merge always lands. A charge for the duplicate
    that went first moves into Anna's account with the rest; one that came second is refused
    (Dana was merged). All the balances together are what was ever posted; no account holder
    is a tombstone."""
    manager, desk = desks
    anna, dana = smiths("Anna", "Dana")
    post(desk, anna, Kind.CHARGE, 500)
    post(desk, anna, Kind.CREDIT_ISSUED, 100)
    post(desk, dana, Kind.CHARGE, 300)
    post(desk, dana, Kind.CREDIT_ISSUED, 40)
    kept, folded = account_id(anna), account_id(dana)
    customer = dana if posted_for == "the duplicate" else anna
    token = merge_token(*(Customer.objects.get(pk=c.pk) for c in (anna, dana)))

    merged, charged = race(
        *in_order(
            order,
            lambda: customer_services.merge_customers(
                actor=manager, survivor_id=anna.pk, absorbed_id=dana.pk, token=token
            ),
            lambda: post(desk, customer, Kind.CHARGE, 25),
        )
    )

    refused = refusals([merged, charged])
    assert isinstance(merged, Merge), merged
    assert Customer.objects.get(pk=dana.pk).merged_into_id == anna.pk
    assert_holders_consistent()
    assert list(AccountHolder.objects.values_list("customer_id", "account_id")) == [(anna.pk, kept)]
    assert balances(folded) == (0, 0)
    landed = 0 if refused else 25
    # Every charge and issue ever posted, and nothing else, is in the balances.
    assert assert_ledgers_add_up() == (800 + landed, 140)
    assert balances(kept) == (800 + landed, 140)
    if refused:
        assert posted_for == "the duplicate" and order == "first ahead"
        assert charged.message == "Dana Smith was merged into another account; choose that one instead."
    else:
        assert not (posted_for == "the duplicate" and order == "first ahead"), "charged to a tombstone"
        assert charged.account_id == (kept if posted_for == "the survivor" else folded)
        if charged.account_id == folded:
            # It went first, so it was moved: posted before the transfers out.
            assert (
                charged.pk < Entry.objects.filter(account_id=folded, kind=Kind.TRANSFER).order_by("pk")[0].pk
            )
