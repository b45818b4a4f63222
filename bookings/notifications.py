"""The emails about appointments, packages and intake forms, in words a client reads.

Each goes to the person it is about and, as a copy, to everyone `linking.authority` says
receives copies for them (or may complete their forms, for a form request). They are queued
in the caller's transaction and sent after it commits (mail.services).
"""

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from billing.money import format_money
from linking.authority import agents_for
from linking.models import Permission
from mail.services import Recipient, queue

SUBJECTS = {
    "booking.confirmation": "Your appointment is booked: {what}",
    "booking.changed": "Your appointment has moved: {what}",
    "booking.cancelled": "Your appointment is cancelled: {what}",
    "booking.reminder": "Reminder: {what}",
}
OPENINGS = {
    "booking.confirmation": "{service} is booked for {name} on {when}.",
    "booking.changed": "{name}'s {service} has moved to {when} (it was {was}).",
    "booking.cancelled": "{name}'s {service} on {when} is cancelled.",
    "booking.reminder": "A reminder that {name} has {service} on {when}.",
}


def when(moment):
    local = timezone.localtime(moment)
    return f"{date_format(local, 'l j F Y')} at {local:%H:%M}"


def _short(moment):
    local = timezone.localtime(moment)
    return f"{date_format(local, 'D j M')} at {local:%H:%M}"


def _business():
    return settings.DEFAULT_FROM_EMAIL.split("<")[0].strip() or "Kinship"


def _copy_note(person, recipient):
    if recipient.customer is None or recipient.customer.pk == person.pk:
        return ""
    return f"\n\nYou are receiving a copy because you are linked to {person.full_name}."


def with_copies(person, permission=Permission.RECEIVES_COPIES):
    """The person and everyone who gets copies for them, in one query. A copy to an address
    already on the list is left out: a family sharing one mailbox gets one email, not two."""
    recipients, addresses = [], set()
    for candidate in [Recipient(person), *(Recipient(agent) for agent in agents_for(person, permission))]:
        address = candidate.to.lower()
        if address and address in addresses:
            continue
        addresses.add(address)
        recipients.append(candidate)
    return recipients


def about_appointment(kind, appointment, *, was=None, once_key=None):
    """Queue a confirmation, change, cancellation or reminder to the attendee and copies;
    return how many emails were recorded."""
    attendee = appointment.attendee
    words = {
        "service": appointment.service.name,
        "name": attendee.full_name,
        "when": when(appointment.starts_at),
        "was": when(was) if was else "",
        "what": f"{appointment.service.name}, {_short(appointment.starts_at)}",
    }
    booked_by = f"\nBooked by {appointment.booked_by.full_name}." if appointment.booked_by_id else ""
    queued = 0
    for recipient in with_copies(attendee):
        opening = OPENINGS[kind].format(**words)
        body = f"Hello,\n\n{opening}{booked_by}{_copy_note(attendee, recipient)}\n\n{_business()}"
        queued += len(
            queue(
                kind=kind,
                subject=SUBJECTS[kind].format(**words),
                body=body,
                about=attendee,
                recipients=[recipient],
                once_key=once_key,
            )
        )
    return queued


def form_requested(request):
    """The request to fill in a form, to the person it is about and to whoever may fill it
    in for them."""
    subject_person = request.subject
    appointment = request.appointment
    for recipient in with_copies(subject_person, Permission.CAN_COMPLETE_FORMS):
        body = (
            f"Hello,\n\nPlease fill in “{request.form.name}” for {subject_person.full_name} before "
            f"{appointment.service.name} on {when(appointment.starts_at)}. You can fill it in at the "
            f"front desk.{_copy_note(subject_person, recipient)}\n\n{_business()}"
        )
        queue(
            kind="form.requested",
            subject=f"Please fill in: {request.form.name}",
            body=body,
            about=subject_person,
            recipients=[recipient],
        )


def receipt(package, addresses):
    """A receipt for a package, to the addresses staff chose."""
    owner = package.owner
    body = (
        f"Hello,\n\nThank you. This is the receipt for {owner.full_name}'s package:\n\n"
        f"  {package.sessions} × {package.service.name}\n"
        f"  Paid: {format_money(package.price)} (charged to the house account)\n"
        f"  Bought: {date_format(timezone.localtime(package.bought_at), 'j F Y')}\n"
        f"  Sessions left: {package.left} of {package.sessions}\n\n{_business()}"
    )
    return queue(
        kind="package.receipt",
        subject=f"Receipt: {package.sessions} × {package.service.name}",
        body=body,
        about=owner,
        recipients=addresses,
    )
