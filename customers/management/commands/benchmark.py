"""Measure the pages' latency and SQL queries against a one-query floor and the Django admin.

Every page is requested in-process through Django's test `Client`, so the figures are
Django's and the database's time, without a web server or a network. Rounds interleave
the pages, so a noisy moment on the machine touches them all alike; ratios are between
medians measured in the same run.
"""

import statistics
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import hooks
from core.roles import FRONT_DESK
from customers.merging import merge_token
from customers.models import Activity, Customer
from customers.services import activity_line, merge_customers

# What a receptionist types, from the names in customers/demo.py: a family name, a given
# name, a short prefix (the prefix index), three letters typed so far (a common partial
# word: Wilson, Williams, Wilkinson, William...), a couple, an email and a phone fragment.
DEFAULT_TERMS = ("Smith", "Olivia", "Mi", "wil", "anna smith", "olivia.smith", "07712")
LIVE_SEARCH = {"HX-Request": "true", "HX-Target": "search-results"}


@dataclass
class Page:
    """One page to request, and what the run measured of it."""

    label: str
    url: str
    headers: dict = field(default_factory=dict)
    #: The label of the admin page that does the same job, to compare with.
    admin: str | None = None
    seconds: list = field(default_factory=list)
    queries: int = 0
    #: A write to time instead of a GET: called inside a transaction that is rolled back,
    #: it prepares what it needs and returns the seconds its own work took.
    action: Callable | None = None


class Command(BaseCommand):
    help = (
        "Measure median and p95 latency and the SQL queries of the health check, front desk "
        "search, profile, customer list and the admin changelist, on the current database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30, help="Measured rounds (default 30).")
        parser.add_argument("--warmup", type=int, default=2, help="Unmeasured rounds first (default 2).")
        parser.add_argument(
            "--term",
            action="append",
            dest="terms",
            help="A search term to measure; repeat for several (default: a realistic set).",
        )
        parser.add_argument(
            "--user",
            default="benchmark",
            help="Log in as this user; created as a Front desk member if missing (default benchmark).",
        )
        parser.add_argument(
            "--admin-user",
            default="benchmark-admin",
            help=(
                "Log in to the Django admin's pages as this superuser; created if missing "
                "(default benchmark-admin)."
            ),
        )
        parser.add_argument("--customer", type=int, help="The customer whose profile is measured.")
        parser.add_argument("--markdown", action="store_true", help="Print the table as Markdown.")

    def handle(self, *args, repeat, warmup, terms, user, admin_user, customer, markdown, **options):
        if settings.PRODUCTION:
            raise CommandError("The benchmark logs in a made-up user; never run it where PRODUCTION=true.")
        if repeat < 2:
            raise CommandError("--repeat must be at least 2 to give a p95.")
        # The back office as a role gives it (a Front desk login is not staff); the admin's
        # pages as whom it opens to (a superuser), or they would answer 403 and end the run.
        desk, admin = Client(), Client()
        desk.force_login(_staff_user(user))
        admin.force_login(_admin_user(admin_user))
        pages = _pages(terms or DEFAULT_TERMS, customer or _some_customer())

        admin_pages = reverse("admin:index")

        def client(page):
            return admin if page.url.startswith(admin_pages) else desk

        for _ in range(warmup):
            for page in pages:
                _get(client(page), page)
        for page in pages:  # counted apart, so that capturing SQL adds nothing to the times
            with CaptureQueriesContext(connection) as queries:
                _get(client(page), page, count=True)
            # Not the session's write, which a page does at most once a minute whichever it
            # is (core.middleware.SessionIdleMiddleware), on a long run in this pass too.
            own = [query for query in queries if not _writes_session(query["sql"])]
            page.queries = page.action.queries if page.action else len(own)
        for _ in range(repeat):
            for page in pages:
                as_whom = client(page)
                started = time.perf_counter()
                took = _get(as_whom, page)
                page.seconds.append(took if page.action else time.perf_counter() - started)
        customers = Customer.objects.count()
        self.stdout.write(
            f"{connection.vendor}, {customers:,} customers, {repeat} rounds after {warmup} warm-up, "
            f"as {user!r} (the admin as {admin_user!r}):\n"
        )
        self.stdout.write(_table(pages, markdown=markdown))


def _writes_session(sql):
    return "django_session" in sql and sql.lstrip().upper().startswith(("UPDATE", "INSERT"))


def _staff_user(username):
    """Get the user to log in as, or make them a member of the Front desk role (not staff:
    the role is what opens the back office)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=FRONT_DESK))
    return user


def _admin_user(username):
    """Get the superuser to measure the Django admin as, made with no password if missing."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    elif not (user.is_active and user.is_staff and user.is_superuser):
        raise CommandError(f"--admin-user {username!r} must be an active superuser.")
    return user


def _some_customer():
    """Pick the oldest live customer: one of the demo's, with the demo's extra data."""
    customer_id = (
        Customer.objects.filter(merged_into__isnull=True).order_by("pk").values_list("pk", flat=True).first()
    )
    if customer_id is None:
        raise CommandError("No customers: run `manage.py load_demo_data` first.")
    return customer_id


def _pages(terms, customer_id):
    """List the pages to measure, the floor first, each search beside its admin equivalent."""
    desk, customer_list = reverse("customers:front_desk"), reverse("customers:list")
    admin = reverse("admin:customers_customer_changelist")

    def query(term):
        return "?" + urlencode({"q": term})

    pages = [Page("health check (floor)", reverse("health"))]
    pages += [Page(f"desk search {t!r}", desk + query(t), LIVE_SEARCH, f"admin {t!r}") for t in terms]
    pages += [
        Page("profile summary", reverse("customers:profile", args=[customer_id])),
        Page("customer list", customer_list, admin="admin list"),
        Page(f"customer list {terms[0]!r}", customer_list + query(terms[0]), admin=f"admin {terms[0]!r}"),
        Page("admin list", admin),
    ]
    pages += [Page(f"admin {t!r}", admin + query(t)) for t in terms]
    pages.append(
        Page(f"merge (duplicate with {MERGE_HISTORY:,} history lines)", "", action=_merge_action(customer_id))
    )
    for app_pages in hooks.entries("benchmark_pages"):
        pages += [Page(label, url, headers) for label, url, headers in app_pages()]
    for app_actions in hooks.entries("benchmark_actions"):
        pages += [Page(label, "", action=action) for label, action in app_actions()]
    return pages


#: How long the duplicate's history is in the merge measurement.
MERGE_HISTORY = 2_000


def _merge_action(survivor_id):
    """Merge a made-up duplicate with a long history into the profile's customer.

    Each round makes the duplicate afresh (not timed) and the benchmark rolls it back, so
    the database is left as it was.
    """

    def merge(count=False):
        survivor = Customer.objects.get(pk=survivor_id)
        duplicate = Customer.objects.create(first_name=survivor.first_name, last_name=survivor.last_name)
        Activity.objects.bulk_create(
            activity_line(
                customer=duplicate, actor=None, action="customer.updated", data={"fields": ["notes"]}
            )
            for _ in range(MERGE_HISTORY)
        )
        started = time.perf_counter()
        with CaptureQueriesContext(connection) if count else nullcontext() as queries:
            merge_customers(
                actor=None,
                survivor_id=survivor.pk,
                absorbed_id=duplicate.pk,
                token=merge_token(survivor, duplicate),
            )
        if count:
            merge.queries = len(queries)  # the merge's own, not the made-up duplicate's
        return time.perf_counter() - started

    return merge


def _get(client, page, count=False):
    """Request the page (or run its action); stop the run on anything but a 200."""
    if page.action is not None:
        with transaction.atomic():
            seconds = page.action(count=count)
            transaction.set_rollback(True)
        return seconds
    response = client.get(page.url, headers=page.headers)
    if response.status_code != 200:
        raise CommandError(f"{page.label}: {page.url} answered {response.status_code}, not 200.")


def _table(pages, *, markdown):
    """Render the results: median and p95 in ms, queries, and the ratios to floor and admin."""
    medians = {page.label: statistics.median(page.seconds) for page in pages}
    floor = medians[pages[0].label]
    header = ("page", "median ms", "p95 ms", "queries", "× floor", "× admin")
    rows = []
    for page in pages:
        median = medians[page.label]
        p95 = statistics.quantiles(page.seconds, n=20, method="inclusive")[18]
        versus_admin = f"{median / medians[page.admin]:.2f}" if page.admin in medians else ""
        rows.append(
            (
                page.label,
                f"{median * 1000:.1f}",
                f"{p95 * 1000:.1f}",
                str(page.queries),
                f"{median / floor:.1f}",
                versus_admin,
            )
        )
    if markdown:
        lines = [header, ("---", "---:", "---:", "---:", "---:", "---:"), *rows]
        return "\n".join("| " + " | ".join(row) + " |" for row in lines) + "\n"
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    return (
        "\n".join(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
            for row in (header, *rows)
        )
        + "\n"
    )
