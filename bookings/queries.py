"""Reads the booking pages need, each in a fixed number of queries."""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from bookings.models import Appointment, Service, Status
from customers.paging import page_of
from linking.authority import principals_for

UPCOMING_SHOWN = 20


def _theirs(customer):
    """Appointments a customer attends or booked for someone else."""
    return Appointment.objects.filter(Q(attendee=customer) | Q(booked_by=customer)).select_related(
        "attendee", "booked_by", "service"
    )


def upcoming(customer, *, limit=UPCOMING_SHOWN):
    """The next booked appointments the customer attends or booked for someone, soonest first."""
    return list(
        _theirs(customer)
        .filter(status=Status.BOOKED, ends_at__gt=timezone.now())
        .order_by("starts_at", "id")[:limit]
    )


def past_page(customer, *, page=1, per_page=20):
    """Everything else, newest first: past, cancelled, attended, no-shows."""
    done = ~Q(status=Status.BOOKED) | Q(ends_at__lte=timezone.now())
    return page_of(_theirs(customer).filter(done).order_by("-starts_at", "-id"), page, per_page)


def all_services():
    """Every service, offered ones first, by name."""
    return list(Service.objects.order_by("-is_active", "name", "id"))


def bookable_for(customer):
    """Whom the customer may book for besides themselves (linked clients with Book and Manage
    Appointments, a group's Dependents for its Owner and Admins): one query."""
    return list(principals_for(customer, "can_book"))


def day(on):
    """Every appointment of a local day, by time."""
    start = timezone.make_aware(datetime.combine(on, time.min))
    end = start + timedelta(days=1)
    return list(
        Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("attendee", "booked_by", "service")
        .order_by("starts_at", "id")
    )
