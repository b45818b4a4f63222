"""How a merge treats appointments: they move to the survivor. A booking one of the two made
for the other becomes the survivor's own; overlapping bookings block the merge."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from bookings.models import Appointment, Status


def block(survivor, absorbed):
    """Two bookings at the same time would become one person in two places."""
    overlapping = Appointment.objects.filter(
        attendee=survivor,
        status=Status.BOOKED,
        starts_at__lt=OuterRef("ends_at"),
        ends_at__gt=OuterRef("starts_at"),
    )
    clash = (
        Appointment.objects.filter(attendee=absorbed, status=Status.BOOKED)
        .filter(Exists(overlapping))
        .first()
    )
    if clash is not None:
        return (
            f"{survivor.full_name} and {absorbed.full_name} are both booked at the same time "
            f"(on {timezone.localtime(clash.starts_at):%-d %b %Y}): cancel one of the two appointments first."
        )
    return None


def fold(survivor, absorbed, journal):
    """A booking between the two becomes the attendee's own once they are one person."""
    between = Appointment.objects.filter(
        Q(attendee=survivor, booked_by=absorbed) | Q(attendee=absorbed, booked_by=survivor)
    )
    changed = []
    for appointment in between.select_for_update():
        journal.change(appointment, booked_by_id=None)
        changed.append(appointment)
    Appointment.objects.bulk_update(changed, ["booked_by_id", "version"])
