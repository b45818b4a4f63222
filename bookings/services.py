"""Every write to appointments. One function per user action.

Each runs in one transaction, locks the customers it concerns (by id, the order every
service uses), asks `linking.authority` whether a booking on someone's behalf is allowed,
and writes History on the attendee and on whoever booked for them. On PostgreSQL an
exclusion constraint also refuses overlapping bookings of one attendee, for the race a
lock could miss.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from bookings.models import Appointment, Service, Status
from customers.errors import KinshipError, StaleEdit
from customers.services import lock_customers, record_activity
from linking.authority import may_act_for

CAN_BOOK = "can_book"


def _when(moment):
    local = timezone.localtime(moment)
    return f"{date_format(local, 'D j M Y')} at {local:%H:%M}"


def _offered(service_id):
    service = Service.objects.filter(pk=service_id).first()
    if service is None:
        raise KinshipError("Choose a service.")
    if not service.is_active:
        raise KinshipError(f"“{service.name}” is no longer offered; choose another service.")
    return service


def _clash(attendee, starts_at, ends_at, exclude=None):
    clashes = Appointment.objects.filter(
        attendee=attendee, status=Status.BOOKED, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).select_related("service")
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude)
    return clashes.first()


def _clash_message(attendee, clash):
    start, end = timezone.localtime(clash.starts_at), timezone.localtime(clash.ends_at)
    return (
        f"{attendee.full_name} already has {clash.service.name} from {start:%H:%M} to {end:%H:%M} "
        f"on {date_format(start, 'j M')}; choose another time."
    )


def book(*, actor, attendee_id, service_id, starts_at, booked_by_id=None):
    """Book a service for `attendee_id` at `starts_at`, by themselves or, with `booked_by_id`,
    by someone who may book for them."""
    attendee_id = int(attendee_id)
    booked_by_id = int(booked_by_id) if booked_by_id else None
    if booked_by_id == attendee_id:
        booked_by_id = None
    with transaction.atomic():
        ids = [attendee_id] + ([booked_by_id] if booked_by_id else [])
        people = lock_customers(ids, active_for="booking an appointment")
        attendee, booker = people[attendee_id], people.get(booked_by_id)
        service = _offered(service_id)
        if starts_at <= timezone.now():
            raise KinshipError("That time has passed; choose a time from now on.")
        if booker is not None and not may_act_for(booker, attendee, CAN_BOOK):
            raise KinshipError(f"{booker.full_name} may not book appointments for {attendee.full_name}.")
        ends_at = starts_at + timedelta(minutes=service.duration_minutes)
        clash = _clash(attendee, starts_at, ends_at)
        if clash is not None:
            raise KinshipError(_clash_message(attendee, clash))
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    attendee=attendee,
                    booked_by=booker,
                    service=service,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    created_by=actor if actor is not None and actor.is_authenticated else None,
                )
        except IntegrityError:  # the exclusion constraint: another desk booked the slot first
            raise KinshipError(
                f"Another desk booked {attendee.full_name} for that time just now; choose another time."
            ) from None
        what = f"{service.name} on {_when(starts_at)}"
        record_activity(
            customers=[attendee],
            actor=actor,
            kind="booking.booked",
            message=(f"Booked {what}, by {booker.full_name}." if booker else f"Booked {what}."),
        )
        if booker is not None:
            record_activity(
                customers=[booker],
                actor=actor,
                kind="booking.booked",
                message=f"Booked {what} for {attendee.full_name}.",
            )
    return appointment


def _lock_appointment(appointment_id, version):
    appointment = (
        Appointment.objects.select_for_update().select_related("service").filter(pk=appointment_id).first()
    )
    if appointment is None:
        raise KinshipError("That appointment no longer exists.")
    if version is not None and appointment.version != version:
        raise StaleEdit("The appointment changed since you opened it. Reload and try again.")
    return appointment


def _moved_check(appointment, people):
    """The appointment as locked, unless a merge moved it to someone else after its attendee
    was read: then the page that asked is out of date."""
    if appointment.attendee_id not in people:
        raise StaleEdit("The appointment changed meanwhile (its client was merged). Reload and try again.")
    return appointment


def cancel(*, actor, appointment_id, version=None, on_behalf_of=None):
    """Cancel a booked appointment, from the attendee's profile or, with `on_behalf_of`, from
    the profile of someone who may still book for them."""
    with transaction.atomic():
        first = Appointment.objects.filter(pk=appointment_id).values_list("attendee_id", flat=True).first()
        if first is None:
            raise KinshipError("That appointment no longer exists.")
        ids = [first] + ([int(on_behalf_of)] if on_behalf_of else [])
        people = lock_customers(ids)
        appointment = _moved_check(_lock_appointment(appointment_id, version), people)
        attendee = people[appointment.attendee_id]
        agent = people.get(int(on_behalf_of)) if on_behalf_of else None
        if agent is not None and agent.pk != attendee.pk and not may_act_for(agent, attendee, CAN_BOOK):
            raise KinshipError(f"{agent.full_name} may no longer manage {attendee.full_name}'s appointments.")
        if appointment.status != Status.BOOKED:
            raise KinshipError(
                f"That appointment is {appointment.get_status_display().lower()}; it cannot be cancelled."
            )
        appointment.status = Status.CANCELLED
        appointment.version += 1
        appointment.save(update_fields=["status", "version"])
        what = f"{appointment.service.name} on {_when(appointment.starts_at)}"
        record_activity(
            customers=[attendee],
            actor=actor,
            kind="booking.cancelled",
            message=(
                f"Cancelled {what}, by {agent.full_name}."
                if agent and agent.pk != attendee.pk
                else f"Cancelled {what}."
            ),
        )
        if agent is not None and agent.pk != attendee.pk:
            record_activity(
                customers=[agent],
                actor=actor,
                kind="booking.cancelled",
                message=f"Cancelled {what} for {attendee.full_name}.",
            )
    return appointment


def mark(*, actor, appointment_id, status, version=None):
    """Mark a booked appointment as attended or a no-show, once it has started."""
    if status not in (Status.ATTENDED, Status.NO_SHOW):
        raise KinshipError("Mark the appointment as attended or a no-show.")
    with transaction.atomic():
        first = Appointment.objects.filter(pk=appointment_id).values_list("attendee_id", flat=True).first()
        if first is None:
            raise KinshipError("That appointment no longer exists.")
        people = lock_customers([first])
        # A merge may have moved it to the survivor while this waited for the lock: the
        # visit still happened, so follow it there.
        now_with = Appointment.objects.filter(pk=appointment_id).values_list("attendee_id", flat=True).first()
        if now_with is not None and now_with != first:
            first = now_with
            people.update(lock_customers([first]))
        appointment = _moved_check(_lock_appointment(appointment_id, version), people)
        if appointment.status != Status.BOOKED:
            raise KinshipError(f"That appointment is {appointment.get_status_display().lower()} already.")
        if appointment.starts_at > timezone.now():
            raise KinshipError("That appointment has not started yet.")
        appointment.status = status
        appointment.version += 1
        appointment.save(update_fields=["status", "version"])
        record_activity(
            customers=[people[first]],
            actor=actor,
            kind=f"booking.{status}",
            message=f"{appointment.service.name} on {_when(appointment.starts_at)}: {Status(status).label}.",
        )
    return appointment
