"""Reminder emails of the appointments about to start, each queued once per recipient."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings import notifications
from bookings.models import Appointment, Status


def send_reminders(*, now=None, ahead=timedelta(hours=24)):
    """Queue a reminder for every booked appointment starting within `ahead`, once each
    (run it every hour or so: `manage.py send_reminders`). Return how many were queued."""
    now = now or timezone.now()
    due = Appointment.objects.filter(status=Status.BOOKED, starts_at__gt=now, starts_at__lte=now + ahead)
    count = 0
    for appointment_id in due.values_list("pk", flat=True).iterator():
        try:
            with transaction.atomic():
                # Read again under the lock a desk's cancel or move takes: one cancelled or
                # moved away since the list was read gets no reminder.
                appointment = (
                    due.select_for_update(of=("self",))
                    .select_related("attendee", "booked_by", "service")
                    .filter(pk=appointment_id)
                    .first()
                )
                if appointment is None:
                    continue
                count += notifications.about_appointment(
                    "booking.reminder",
                    appointment,
                    once_key=f"reminder:{appointment.pk}:{appointment.version}",
                )
        except IntegrityError:  # another run reminded of it at the same moment
            continue
    return count
