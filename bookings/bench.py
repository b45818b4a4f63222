"""What bookings add to `manage.py benchmark`: the Day View of the busiest day."""

from datetime import datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, Service
from customers.models import Customer


def pages():
    busiest = (
        Appointment.objects.annotate(day=TruncDate("starts_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("-n", "day")
        .first()
    )
    if busiest is None:
        return []
    url = f"{reverse('bookings:day')}?date={busiest['day']:%Y-%m-%d}"
    return [(f"day view ({busiest['n']:,} appointments)", url, {})]


#: Appointments the scale step books on one day, per thousand generated customers.
PER_THOUSAND = 0.5


def at_scale(stdout, first_new_id, count):
    """A busy day: 500 appointments a million customers, one after another in every treatment
    room, on the day after tomorrow, for generated customers, written in bulk."""
    service = Service.objects.filter(is_active=True).order_by("pk").first()
    wanted = max(1, int(count * PER_THOUSAND / 1000))
    if service is None:
        stdout.write("  No service to book; the busy day was skipped.")
        return
    people = list(
        Customer.objects.filter(pk__gte=first_new_id, archived_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:wanted]
    )
    day = timezone.localdate() + timedelta(days=2)
    start = timezone.make_aware(datetime.combine(day, time(8, 0)))
    length = timedelta(minutes=service.duration_minutes)
    Appointment.objects.bulk_create(
        Appointment(
            attendee_id=pk,
            service=service,
            starts_at=start + (n % 20) * length,
            ends_at=start + (n % 20) * length + length,
        )
        for n, pk in enumerate(people)
    )
    stdout.write(f"  {len(people):,} appointments on {day:%-d %b %Y}.")
