"""What the booking tests share: local times some days ahead, short ways to book, the wording
of a time in History, and refusals that must change nothing."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings.models import Appointment, Service, Status
from bookings.services import appointments
from core.errors import KinshipError
from customers.models import Activity, Customer


def local(day, hour, minute=0):
    """The aware moment of `hour:minute` on `day` in the business's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def ahead(days=1, hour=10, minute=0):
    """A local time `days` from today: always in the future for days >= 1."""
    return local(timezone.localdate() + timedelta(days=days), hour, minute)


def book(actor, attendee, service, starts_at, *, by=None):
    return appointments.book(
        actor=actor,
        attendee_id=attendee.pk,
        service_id=service.pk,
        starts_at=starts_at,
        booked_by_id=by.pk if by else None,
    )


def made(attendee, service, starts_at, *, by=None, status=Status.BOOKED):
    """An appointment written straight to the table, for times `book` refuses (the past)."""
    return Appointment.objects.create(
        attendee=attendee,
        booked_by=by,
        service=service,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=service.duration_minutes),
        status=status,
    )


def started(attendee, service, *, minutes_ago=10, by=None):
    """A booked appointment that began `minutes_ago`, so it may be marked."""
    return made(attendee, service, timezone.now() - timedelta(minutes=minutes_ago), by=by)


def when(moment):
    """A time as History writes it: "Tue 24 Nov 2026 at 10:00", local time."""
    moment = timezone.localtime(moment)
    return f"{moment:%a} {moment.day} {moment:%b %Y} at {moment:%H:%M}"


def snapshot():
    """Every row a booking action may write, to compare before and after a refusal."""
    return (
        list(Appointment.objects.order_by("pk").values()),
        list(Service.objects.order_by("pk").values()),
        list(Activity.objects.order_by("pk").values_list("pk", flat=True)),
        list(Customer.objects.order_by("pk").values("pk", "version", "merged_into_id")),
    )


def refused(action, match, error=KinshipError):
    """Run `action`: it must raise `error` with a message matching `match`, and change nothing."""
    before = snapshot()
    with pytest.raises(error, match=match) as raised:
        action()
    assert raised.value.message.strip()
    assert snapshot() == before
    return raised.value


def lines(customer, kind=None):
    """The customer's History lines (of one kind), oldest first."""
    found = Activity.objects.filter(customer=customer).order_by("pk")
    if kind:
        found = found.filter(kind__startswith=kind)
    return [line.sentence for line in found]


def status_of(appointment):
    appointment.refresh_from_db()
    return appointment.status, appointment.version
