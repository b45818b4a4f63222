"""What client groups add to `manage.py benchmark` and to `load_demo_data --scale`."""

import time
from contextlib import nullcontext

from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from client_groups import services
from client_groups.models import Segment
from customers.models import Customer

#: How many customers the bulk actions are measured on.
BULK = 10_000
#: At scale, every n-th generated customer with an email joins Marketing Opt-In.
OPT_IN_EVERY = 10


def pages():
    """The Client Groups list, the largest group's members, and the client list filtered by it."""
    largest = (
        Segment.objects.annotate(size=Count("memberships"))
        .order_by("-size", "pk")
        .values_list("pk", "size")
        .first()
    )
    if largest is None:
        return []
    segment_id, size = largest
    return [
        ("client groups list", reverse("client_groups:list"), {}),
        (f"client group members (of {size:,})", reverse("client_groups:detail", args=[segment_id]), {}),
        (
            f"customer list filtered by a group of {size:,}",
            f"{reverse('customers:list')}?client_group={segment_id}",
            {},
        ),
    ]


def _chosen():
    """The first BULK live, active customers, as a queryset the bulk services take."""
    live = Customer.objects.filter(merged_into__isnull=True, archived_at__isnull=True)
    last = live.order_by("pk").values_list("pk", flat=True)[BULK - 1 : BULK].first()
    return live.filter(pk__lte=last) if last is not None else live


def _timed(action, work, count):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) if count else nullcontext() as queries:
        work()
    if count:
        action.queries = len(queries)
    return time.perf_counter() - started


def actions():
    """Bulk Add to Group and Remove from Group of BULK customers, each rolled back by the benchmark."""

    def bulk_add(count=False):
        segment = services.create_segment(actor=None, name="Benchmark (rolled back)")
        customers = _chosen()
        return _timed(
            bulk_add,
            lambda: services.add_customers(actor=None, segment_id=segment.pk, customers=customers),
            count,
        )

    def bulk_remove(count=False):
        segment = services.create_segment(actor=None, name="Benchmark (rolled back)")
        customers = _chosen()
        services.add_customers(actor=None, segment_id=segment.pk, customers=customers)
        return _timed(
            bulk_remove,
            lambda: services.remove_customers(actor=None, segment_id=segment.pk, customers=customers),
            count,
        )

    return [
        (f"bulk Add to Group ({BULK:,} customers)", bulk_add),
        (f"bulk Remove from Group ({BULK:,} customers)", bulk_remove),
    ]


def at_scale(stdout, first_new_id, count):
    """Put every OPT_IN_EVERY-th generated customer with an email in Marketing Opt-In."""
    segment = Segment.objects.filter(name="Marketing Opt-In", rules={}).first()
    if segment is None:
        return
    customers = (
        Customer.objects.filter(pk__gte=first_new_id, archived_at__isnull=True)
        .exclude(email="")
        .annotate(turn=F("pk") % OPT_IN_EVERY)
        .filter(turn=0)
    )
    change = services.add_customers(actor=None, segment_id=segment.pk, customers=customers)
    stdout.write(f"  {change.changed:,} of them in the client group “{segment.name}”.")
