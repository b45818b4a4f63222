"""Every write to appointments: book, cancel, move, mark attended or a no-show.

Each runs in one transaction, locks the customers it concerns (by id, the order every
service uses), asks `linking.authority` whether a booking on someone's behalf is allowed,
and writes History on the attendee and on whoever booked for them. On PostgreSQL an
exclusion constraint also refuses overlapping bookings of one attendee, for the race a
lock could miss. A visit marked attended may be paid with a package session (`packages`).
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from bookings import notifications
from bookings.models import Appointment, Status
from bookings.services import packages
from bookings.services._locks import lock_appointment, lock_with_people, refuse_archived
from bookings.services.catalogue import offered_service
from core.errors import KinshipError, StaleEdit
from customers.services import lock_customers, record_activity, staff_user
from linking.authority import may_act_for
from linking.models import Permission

#: How far ahead an appointment may be booked or moved. Two years holds a year of standing
#: bookings with room to spare; a time further off is a slip of the keyboard (and one near
#: the year 9999 cannot even have its end worked out).
BOOKING_HORIZON = timedelta(days=731)


def problem_with_time(starts_at):
    """Why an appointment may not start at `starts_at`, or None if it may."""
    now = timezone.now()
    if starts_at <= now:
        return "That time has passed; choose a time from now on."
    if starts_at > now + BOOKING_HORIZON:
        latest = date_format(timezone.localtime(now + BOOKING_HORIZON), "j M Y")
        return f"Appointments may be booked up to two years ahead; choose a time before {latest}."
    return None


def _check_time(starts_at):
    problem = problem_with_time(starts_at)
    if problem:
        raise KinshipError(problem)


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
        service = offered_service(service_id)
        _check_time(starts_at)
        if booker is not None and not may_act_for(booker, attendee, Permission.CAN_BOOK):
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
                    created_by=staff_user(actor),
                )
        except IntegrityError:  # the exclusion constraint: another desk booked the slot first
            raise KinshipError(
                f"Another desk booked {attendee.full_name} for that time just now; choose another time."
            ) from None
        _history_of_change(actor, "booking.booked", appointment, attendee, booker)
        notifications.about_appointment("booking.confirmation", appointment)
    return appointment


def _lock_for_change(appointment_id, version, on_behalf_of, *, doing):
    """`lock_with_people`, for an appointment still booked."""
    appointment, attendee, agent = lock_with_people(appointment_id, version, on_behalf_of)
    if appointment.status != Status.BOOKED:
        raise KinshipError(
            f"That appointment is {appointment.get_status_display().lower()}; it cannot be {doing}."
        )
    return appointment, attendee, agent


def _history_of_change(actor, action, appointment, attendee, agent, **more):
    """A line on the attendee, on the agent acting from their profile, and on whoever booked
    it while they still may book for the attendee (it shows on their Bookings tab; once the
    link has gone, the attendee's business is no longer theirs to read)."""
    what = {"service": appointment.service.name, "starts_at": appointment.starts_at, **more}
    record_activity(
        customers=[attendee],
        actor=actor,
        action=action,
        data={**what, "agent": agent.full_name} if agent else what,
    )
    others = [agent] if agent else []
    booker = appointment.booked_by
    if booker not in (None, agent, attendee) and may_act_for(booker, attendee, Permission.CAN_BOOK):
        others.append(booker)
    for other in others:
        record_activity(
            customers=[other], actor=actor, action=action, data={**what, "attendee": attendee.full_name}
        )


def cancel(*, actor, appointment_id, version=None, on_behalf_of=None):
    """Cancel a booked appointment, from the attendee's profile or, with `on_behalf_of`, from
    the profile of someone who may still book for them."""
    with transaction.atomic():
        appointment, attendee, agent = _lock_for_change(
            appointment_id, version, on_behalf_of, doing="cancelled"
        )
        if appointment.ends_at <= timezone.now():
            raise KinshipError("That appointment is over; mark it attended or a no-show instead.")
        appointment.status = Status.CANCELLED
        appointment.version += 1
        appointment.save(update_fields=["status", "version"])
        _history_of_change(actor, "booking.cancelled", appointment, attendee, agent)
        notifications.about_appointment("booking.cancelled", appointment)
    return appointment


def move(*, actor, appointment_id, starts_at, version=None, on_behalf_of=None):
    """Move a booked appointment to another time, from the attendee's profile or from the
    profile of someone who may still book for them; everyone who gets copies is told."""
    with transaction.atomic():
        appointment, attendee, agent = _lock_for_change(appointment_id, version, on_behalf_of, doing="moved")
        refuse_archived(attendee, "changing their appointments")
        if appointment.has_started:
            raise KinshipError("That appointment has started; it cannot be moved.")
        _check_time(starts_at)
        if starts_at == appointment.starts_at:
            raise KinshipError("That is the time it is booked for already; choose another time.")
        was = appointment.starts_at
        ends_at = starts_at + (appointment.ends_at - appointment.starts_at)
        clash = _clash(attendee, starts_at, ends_at, exclude=appointment.pk)
        if clash is not None:
            raise KinshipError(_clash_message(attendee, clash))
        appointment.starts_at, appointment.ends_at = starts_at, ends_at
        appointment.version += 1
        try:
            with transaction.atomic():
                appointment.save(update_fields=["starts_at", "ends_at", "version"])
        except IntegrityError:
            raise KinshipError(
                f"Another desk booked {attendee.full_name} for that time just now; choose another time."
            ) from None
        _history_of_change(actor, "booking.moved", appointment, attendee, agent, was=was)
        notifications.about_appointment("booking.changed", appointment, was=was)
    return appointment


def mark(*, actor, appointment_id, status, version=None, package_id=None):
    """Mark a booked appointment as attended or a no-show, once it has started; an attended
    one may be paid with a session from `package_id`."""
    if package_id and status != Status.ATTENDED:
        raise KinshipError("Only an attended appointment uses a session from a package.")
    if status not in (Status.ATTENDED, Status.NO_SHOW):
        raise KinshipError("Mark the appointment as attended or a no-show.")
    # A merge may move it to the survivor while this waits for the attendee's lock. The visit
    # still happened, so follow it there: start again (letting go of the tombstone's lock, so
    # the locks are still taken in id order) with the survivor.
    for _ in range(3):
        try:
            with transaction.atomic():
                return _mark(actor, appointment_id, status, version, package_id)
        except _MovedByMerge:
            continue
    raise StaleEdit("The appointment changed meanwhile (its client was merged). Reload and try again.")


class _MovedByMerge(Exception):
    pass


def _mark(actor, appointment_id, status, version, package_id):
    first = Appointment.objects.filter(pk=appointment_id).values_list("attendee_id", flat=True).first()
    if first is None:
        raise KinshipError("That appointment no longer exists.")
    people = lock_customers([first])
    appointment = lock_appointment(appointment_id, version)
    if appointment.attendee_id != first:
        raise _MovedByMerge
    if appointment.status != Status.BOOKED:
        raise KinshipError(f"That appointment is {appointment.get_status_display().lower()} already.")
    if not appointment.has_started:
        raise KinshipError("That appointment has not started yet.")
    appointment.status = status
    appointment.version += 1
    appointment.save(update_fields=["status", "version"])
    record_activity(
        customers=[people[first]],
        actor=actor,
        action=f"booking.{status}",
        data={"service": appointment.service.name, "starts_at": appointment.starts_at},
    )
    if package_id:
        packages._redeem(actor, appointment, people[first], package_id)
    return appointment
