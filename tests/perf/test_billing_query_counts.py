"""The Billing tab, a customer's Summary with its Partner Account panel, and an older page of
the ledger run a fixed number of queries, however long the ledger; and a posting runs a fixed
number of statements, because it never reads the ledger.

Each page is measured on an account of 3 entries and again once it has 300, for a customer
with an account of their own and for partners who share one; the two counts must both be
the one stated, or a query per entry has crept in.
"""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import services
from billing.models import Entry, Kind
from tests.factories import CustomerFactory, UserFactory
from tests.perf.test_query_counts import AUTH, HTMX, PERMS, SWITCH, queries_for

pytestmark = pytest.mark.django_db

# The customer the page is about.
CUSTOMER = 1
# The customer's place on an account, with the account and the partner's place and name, in
# one query (billing.queries.account_of); the Billing tab and the Partner panel share it.
ACCOUNT = 1
# One page of the ledger, newest first, with each entry's customer, who posted it and the
# entry that reversed it joined in; one row more than a page, to know whether older ones follow.
LEDGER = 1
# The running balances of the last entries, for the balance history chart.
CHART = 1

TAB = CUSTOMER + SWITCH + ACCOUNT + LEDGER + CHART
SUMMARY = CUSTOMER + SWITCH + ACCOUNT
FRAGMENT = {**HTMX, "HX-Target": "customer-tabs"}


def billing_tab(who, *, desk=False):
    return reverse("customers:desk_tab" if desk else "customers:profile_tab", args=[who.pk, "billing"])


def newest_entry(books):
    return Entry.objects.filter(account__holders__customer=books.anna).order_by("-pk").first()


PAGES = [
    # (name, url builder, headers, expected queries beyond auth + permissions)
    ("billing tab", lambda b: billing_tab(b.anna), {}, TAB),
    ("billing tab, fragment", lambda b: billing_tab(b.anna), FRAGMENT, TAB),
    ("billing tab on the desk", lambda b: billing_tab(b.anna, desk=True), {}, TAB),
    ("billing tab on the desk, fragment", lambda b: billing_tab(b.anna, desk=True), FRAGMENT, TAB),
    # Older than the newest entry: two lines on the small ledger, a full page on the large one.
    ("older page", lambda b: billing_tab(b.anna) + f"?before={newest_entry(b).pk}", {}, TAB),
    (
        "older page on the desk, fragment",
        lambda b: billing_tab(b.anna, desk=True) + f"?before={newest_entry(b).pk}",
        FRAGMENT,
        TAB,
    ),
    ("summary with the partner panel", lambda b: reverse("customers:profile", args=[b.anna.pk]), {}, SUMMARY),
    (
        "desk summary fragment",
        lambda b: reverse("customers:desk_tab", args=[b.anna.pk, "summary"]),
        FRAGMENT,
        SUMMARY,
    ),
]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


class Books:
    """Anna's account with 3 entries, posted by two receptionists and a Manager: a charge, a
    reversal of it and store credit; or, when she shares it with Ben, a charge, a reversal and
    the transfer that brought Ben's own balance in when they linked."""

    def __init__(self, *, partner, desk, manager):
        self.desk, self.manager = desk, manager
        self.other_desk = UserFactory(username="sam")
        self.anna = CustomerFactory(first_name="Anna", last_name="Smith")
        self.ben = CustomerFactory(first_name="Ben", last_name="Smith") if partner else None
        charge = self.post(desk, self.anna, Kind.CHARGE, 2000)
        services.reverse(actor=manager, entry_id=charge.pk, memo="Charged twice")
        if partner:
            self.post(self.other_desk, self.ben, Kind.CHARGE, 500)
            services.link_partner(
                actor=desk,
                customer_id=self.anna.pk,
                partner_id=self.ben.pk,
                primary_id=self.anna.pk,
                token=services.holders_token(self.anna.pk, self.ben.pk),
            )
        else:
            self.post(manager, self.anna, Kind.CREDIT_ISSUED, 500)
        assert self.entries() == 3

    @staticmethod
    def post(actor, customer, kind, amount):
        return services.post(actor=actor, customer_id=customer.pk, kind=kind, amount=amount)

    def entries(self):
        return Entry.objects.filter(account__holders__customer=self.anna).count()

    def grow(self, to=300):
        """More postings, by each staff user, for each holder, until the ledger has `to`."""
        actors = (self.desk, self.other_desk, self.manager)
        customers = [self.anna, self.ben] if self.ben else [self.anna]
        kinds = (Kind.CHARGE, Kind.CREDIT_ISSUED, Kind.PAYMENT, Kind.CREDIT_REDEEMED)
        for n in range(to - self.entries()):
            self.post(actors[n % 3], customers[n % len(customers)], kinds[n % 4], 100)
        assert self.entries() == to


@pytest.fixture(params=[False, True], ids=["own account", "shared with a partner"])
def books(request, front_desk_user, manager_user, billing_on):
    return Books(partner=request.param, desk=front_desk_user, manager=manager_user)


def test_billing_pages_run_a_fixed_number_of_queries(books, front_desk_user, manager_user):
    """For the front desk and for a Manager, whose tab also has the adjust and limit forms and
    a Reverse button on each entry."""
    viewers = {"front desk": logged_in(front_desk_user), "manager": logged_in(manager_user)}
    for client in viewers.values():
        client.get(billing_tab(books.anna))  # fill the shared cache of switches
    counts = {}
    for grow in (None, books.grow):
        if grow is not None:
            grow()
        for role, client in viewers.items():
            for name, url, headers, _ in PAGES:
                counts.setdefault((role, name), []).append(queries_for(client, url(books), **headers))
    expected = {(role, name): [AUTH + PERMS + extra] * 2 for role in viewers for name, _, _, extra in PAGES}
    assert counts == expected

    # What was measured: a full page of the ledger, the chart, and the partner on the panel.
    tab = viewers["manager"].get(billing_tab(books.anna)).content.decode()
    assert tab.count('<tr id="entry-') == 20 and tab.count("<svg") == 1 and ">Older</a>" in tab
    assert tab.count(">Reverse</button>") > 10
    summary = viewers["front desk"].get(reverse("customers:profile", args=[books.anna.pk])).text
    assert "Partner Name" in summary
    assert ("Ben Smith</a>" in summary) == (books.ben is not None)


# Posting: the same statements whatever the length of the ledger.

# Whether the form's one-time key has posted already.
KEY = 1
# The service's transaction: a savepoint inside the test's own transaction, and its release.
ATOMIC = 2
# The customer's place on an account.
HOLDER = 1
# The account's row, locked.
ACCOUNT_LOCK = 1
# Whether the customer still holds that account, asked again under the lock.
STILL_HOLDS = 1
# The entry, inserted with the balances after it.
ENTRY = 1
# The balances and version on the account's row.
BALANCES = 1
# The History line on every holder: who the holders are, then one INSERT of all the lines.
HISTORY = 2

POSTING = KEY + ATOMIC + HOLDER + ACCOUNT_LOCK + STILL_HOLDS + ENTRY + BALANCES + HISTORY


def posting_sql(actor, customer, kind):
    """The SQL of one posting of £1.00, sent with a one-time key as the forms send it."""
    with CaptureQueriesContext(connection) as captured:
        services.post(actor=actor, customer_id=customer.pk, kind=kind, amount=100, key=uuid.uuid4())
    return [query["sql"] for query in captured]


@pytest.mark.parametrize("partner", [False, True], ids=["own account", "shared with a partner"])
def test_a_posting_runs_the_same_statements_on_a_short_and_a_long_ledger(
    front_desk_user, manager_user, partner
):
    """From the first entry on, and from the 300th; by the partner on a shared account, whose
    History line goes on both holders in the same one INSERT."""
    anna, ben = CustomerFactory(), CustomerFactory() if partner else None
    Books.post(front_desk_user, anna, Kind.CREDIT_ISSUED, 10_000)
    if partner:
        services.link_partner(
            actor=front_desk_user,
            customer_id=anna.pk,
            partner_id=ben.pk,
            primary_id=anna.pk,
            token=services.holders_token(anna.pk, ben.pk),
        )
    ledger = Entry.objects.filter(account__holders__customer=anna)
    poster = ben or anna
    counts = {}
    for grow_to in (1, 300):
        for _ in range(grow_to - ledger.count()):
            Books.post(manager_user, anna, Kind.CHARGE, 100)
        assert ledger.count() == grow_to
        for kind in (Kind.CHARGE, Kind.PAYMENT, Kind.CREDIT_ISSUED, Kind.CREDIT_REDEEMED):
            sql = posting_sql(front_desk_user, poster, kind)
            counts.setdefault(kind, []).append(len(sql))
            # The ledger is only written to: the one-time key is looked up, never an entry.
            reads = [query for query in sql if "billing_entry" in query and not query.startswith("INSERT")]
            assert len(reads) == 1 and "request_key" in reads[0], reads
    assert counts == {kind: [POSTING, POSTING] for kind in counts}
