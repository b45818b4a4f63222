"""What bookings add to `manage.py benchmark`: the Day View of the busiest day, and the
Emails tab of the customer with the longest email log."""

from datetime import datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, Package, Service
from customers.models import Customer
from mail.models import Email


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
    found = [(f"day view ({busiest['n']:,} appointments)", url, {})]
    # The same day filtered to its busiest service, as a desk would look at one class.
    service = (
        Appointment.objects.annotate(day=TruncDate("starts_at"))
        .filter(day=busiest["day"])
        .values("service_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "service_id")
        .first()
    )
    found.append(
        (
            f"day view of one service ({service['n']:,} appointments)",
            f"{url}&service={service['service_id']}",
            {},
        )
    )
    most = Email.objects.values("recipient_id").annotate(n=Count("pk")).order_by("-n").first()
    if most is not None and most["recipient_id"]:
        tab = reverse("customers:profile_tab", args=[most["recipient_id"], "emails"])
        found.append((f"emails tab ({most['n']:,} emails)", tab, {}))
    return found


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
    _packages_for(people[::4], service)
    _long_email_log(people[0], count // 50)
    stdout.write(
        f"  {len(people):,} appointments on {day:%-d %b %Y}, a package for every fourth attendee, "
        f"{count // 50:,} emails to one of them."
    )


def _packages_for(people, service):
    """Complimentary packages (no charge, so no ledger entries to make), which the Day View
    offers when marking those attendees attended."""
    Package.objects.bulk_create(Package(owner_id=pk, service=service, sessions=10, price=0) for pk in people)


def _long_email_log(customer_id, count, batch=5000):
    """A customer with a long email log: the Emails tab pages it without counting."""
    for start in range(0, count, batch):
        Email.objects.bulk_create(
            Email(
                recipient_id=customer_id,
                about_id=customer_id,
                to_address="bench@example.com",
                kind="booking.reminder",
                subject=f"Reminder {n}",
                body="A reminder.",
                status=Email.Status.SENT,
            )
            for n in range(start, min(start + batch, count))
        )
