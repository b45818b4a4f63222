"""Locking an appointment and the people it concerns, shared by appointments, packages and
intake forms: customers first (in id order, by `customers.services.lock_customers`), then
the appointment row, and a merge that moved it meanwhile found out rather than missed."""

from bookings.models import Appointment
from core.errors import KinshipError, StaleEdit
from customers.services import lock_customers
from linking.authority import may_act_for
from linking.models import Permission


def lock_appointment(appointment_id, version):
    """The appointment, locked, with its service; refuse one changed since `version`."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("service")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise KinshipError("That appointment no longer exists.")
    if version is not None and appointment.version != version:
        raise StaleEdit("The appointment changed since you opened it. Reload and try again.")
    return appointment


def moved_check(appointment, people):
    """The appointment as locked, unless a merge moved it to someone else after its attendee
    was read: then the page that asked is out of date."""
    if appointment.attendee_id not in people:
        raise StaleEdit("The appointment changed meanwhile (its client was merged). Reload and try again.")
    return appointment


def lock_with_people(appointment_id, version, on_behalf_of):
    """Lock an appointment's attendee, whoever booked it, and the agent acting from their own
    profile (all in id order), then the appointment; refuse an agent who is archived or may
    no longer book for the attendee. Return (appointment, attendee, agent)."""
    first = Appointment.objects.filter(pk=appointment_id).values_list("attendee_id", "booked_by_id").first()
    if first is None:
        raise KinshipError("That appointment no longer exists.")
    people = lock_customers({pk for pk in (*first, on_behalf_of) if pk})
    appointment = moved_check(lock_appointment(appointment_id, version), people)
    if appointment.booked_by_id and appointment.booked_by_id not in people:
        raise StaleEdit(
            "The appointment changed meanwhile (whoever booked it was merged). Reload and try again."
        )
    attendee = people[appointment.attendee_id]
    agent = people.get(int(on_behalf_of)) if on_behalf_of else None
    if agent is not None and agent.pk == attendee.pk:
        agent = None
    if agent is not None and agent.is_archived:
        raise KinshipError(f"{agent.full_name} is archived; restore them before they act for anyone.")
    if agent is not None and not may_act_for(agent, attendee, Permission.CAN_BOOK):
        raise KinshipError(f"{agent.full_name} may no longer manage {attendee.full_name}'s appointments.")
    appointment.attendee = attendee
    appointment.booked_by = people.get(appointment.booked_by_id)
    return appointment, attendee, agent


def refuse_archived(attendee, doing):
    if attendee.is_archived:
        raise KinshipError(f"{attendee.full_name} is archived; restore them before {doing}.")
