"""What billing adds to `manage.py benchmark` and to `load_demo_data --scale`."""

import time
from contextlib import nullcontext

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import services
from billing.models import Account, AccountHolder, Kind
from customers.models import Customer

#: Entries the scale step writes on one account, per generated customer: two million for a
#: million customers, the Billing tab's worst case.
ENTRIES_PER_CUSTOMER = 2
#: Postings timed one after another on one account, for postings per second.
RUN = 100


def _busiest():
    """The primary of the account with the most entries, and how many."""
    account = Account.objects.annotate(size=Count("entries")).order_by("-size", "pk").first()
    if account is None:
        return None, 0
    holder = AccountHolder.objects.filter(account=account, is_primary=True).first()
    return (holder.customer_id if holder else None), account.size


def pages():
    customer_id, size = _busiest()
    if customer_id is None:
        return []
    tabs = {"HX-Request": "true", "HX-Target": "customer-tabs"}
    url = reverse("customers:profile_tab", args=[customer_id, "billing"])
    return [
        (f"billing tab ({size:,} entries)", url, {}),
        (f"billing tab fragment ({size:,} entries)", url, tabs),
    ]


def actions():
    """One posting, and RUN postings one after another, on the busiest account."""
    customer_id, size = _busiest()
    if customer_id is None:
        return []

    def one(count=False):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) if count else nullcontext() as queries:
            services.post(
                actor=None, customer_id=customer_id, kind=Kind.CHARGE, amount=1250, memo="Benchmark"
            )
        if count:
            one.queries = len(queries)
        return time.perf_counter() - started

    def run(count=False):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) if count else nullcontext() as queries:
            for _ in range(RUN):
                services.post(
                    actor=None, customer_id=customer_id, kind=Kind.CHARGE, amount=100, memo="Benchmark"
                )
        if count:
            run.queries = len(queries)
        return time.perf_counter() - started

    return [
        (f"post a charge (account of {size:,} entries)", one),
        (f"{RUN} charges one after another (same account)", run),
    ]


def at_scale(stdout, first_new_id, count):
    """On PostgreSQL, ENTRIES_PER_CUSTOMER × `count` alternating charges and payments on the
    account of the first generated customer who can have one, written by the database in one
    statement."""
    if connection.vendor != "postgresql":
        stdout.write("  The ledger at scale is generated on PostgreSQL only.")
        return
    entries = ENTRIES_PER_CUSTOMER * count
    customer_id = (
        Customer.objects.filter(pk__gte=first_new_id, archived_at__isnull=True, account_holder__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if customer_id is None:
        stdout.write("  No generated customer can have an account; the ledger at scale was skipped.")
        return
    services.post(actor=None, customer_id=customer_id, kind=Kind.CREDIT_ISSUED, amount=500, memo="Opening")
    account = AccountHolder.objects.select_related("account").get(customer_id=customer_id).account
    # Each charge is paid at once, so the balances after each entry are the opening ones,
    # plus 1,000 owed between a charge and its payment.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO billing_entry (account_id, customer_id, kind, amount, house_change, credit_change,
                                       house_after, credit_after, memo, posted_at)
            SELECT %(account)s, %(customer)s,
                   CASE WHEN g %% 2 = 1 THEN 'charge' ELSE 'payment' END, 1000,
                   CASE WHEN g %% 2 = 1 THEN 1000 ELSE -1000 END, 0,
                   %(house)s + CASE WHEN g %% 2 = 1 THEN 1000 ELSE 0 END, %(credit)s,
                   'Generated', now() - (%(count)s - g) * interval '1 minute'
            FROM generate_series(1, %(count)s) AS g
            """,
            {
                "account": account.pk,
                "customer": customer_id,
                "count": entries,
                "house": account.house_balance,
                "credit": account.credit_balance,
            },
        )
    account_id = account.pk
    stdout.write(f"  {entries:,} ledger entries on account #{account_id}.")
