"""Packages: sessions bought in advance, charged to the house account, used by visits.

Selling one posts its price to the buyer's house account in the same transaction; a
session pays for an attended visit of the owner or of someone who may use their sessions
(`may_use`, as `linking.authority` answers); a receipt may be emailed.
"""

from django.db import transaction

from billing.money import MAX_AMOUNT, format_money
from billing.services import AlreadyPosted, post
from bookings import notifications
from bookings.models import Appointment, Package, Redemption, Status
from bookings.services._locks import lock_appointment, moved_check
from bookings.services.catalogue import offered_service
from core.errors import KinshipError
from customers.services import lock_customers, record_activity, staff_user
from linking.authority import may_act_for
from linking.models import Permission

MAX_SESSIONS = 200


def buy_package(*, actor, customer_id, service_id, sessions, price, key=None):
    """Sell a package of `sessions` sessions of a service for `price` (minor units), charged
    to the customer's house account in the same transaction."""
    if not isinstance(sessions, int) or not 1 <= sessions <= MAX_SESSIONS:
        raise KinshipError(f"Choose from 1 to {MAX_SESSIONS} sessions.")
    if not isinstance(price, int) or not 0 <= price <= MAX_AMOUNT:
        raise KinshipError(f"Enter a price from nothing to {format_money(MAX_AMOUNT)}.")
    with transaction.atomic():
        owner = lock_customers([customer_id], active_for="selling them a package")[int(customer_id)]
        if key is not None and Package.objects.filter(request_key=key).exists():
            raise AlreadyPosted("That package was sold already; it was not sold twice.")
        service = offered_service(service_id)
        what = f"{sessions} × {service.name}"
        charge = None
        if price:
            charge = post(
                actor=actor,
                customer_id=owner.pk,
                kind="charge",
                amount=price,
                memo=f"Package: {what}",
                key=key,
            )
        package = Package.objects.create(
            owner=owner,
            service=service,
            sessions=sessions,
            price=price,
            charge=charge,
            request_key=key,
            bought_by=staff_user(actor),
        )
        record_activity(
            customers=[owner],
            actor=actor,
            action="package.bought",
            data={"sessions": sessions, "service": service.name, "price": price},
        )
    return package


def may_use(attendee, package):
    """Whether a visit of `attendee` may be paid from `package`: their own, or the package of
    someone they may use sessions of (Can Use Sessions from Packages, or the group rule)."""
    return package.owner_id == attendee.pk or may_act_for(
        attendee, package.owner, Permission.CAN_USE_PACKAGES
    )


def _redeem(actor, appointment, attendee, package_id):
    """Use one session of the package for the appointment. The package row is locked, so two
    desks using its last session one after the other find it used; the database refuses
    more than bought in any case. Also called by `appointments.mark`, inside its transaction."""
    package = (
        Package.objects.select_for_update(of=("self",))
        .select_related("owner", "service")
        .filter(pk=package_id)
        .first()
    )
    if package is None:
        raise KinshipError("That package no longer exists.")
    if package.service_id != appointment.service_id:
        raise KinshipError(f"That package is for {package.service.name}, not {appointment.service.name}.")
    if not may_use(attendee, package):
        raise KinshipError(
            f"{attendee.full_name} may not use sessions from {package.owner.full_name}'s packages."
        )
    if package.left <= 0:
        raise KinshipError(
            f"{package.owner.full_name}'s package of {package.service.name} has no sessions left."
        )
    if Redemption.objects.filter(appointment=appointment).exists():
        raise KinshipError("That appointment was paid with a session already.")
    package.used += 1
    package.version += 1
    package.save(update_fields=["used", "version"])
    Redemption.objects.create(
        package=package,
        appointment=appointment,
        created_by=staff_user(actor),
    )
    used = {
        "service": appointment.service.name,
        "starts_at": appointment.starts_at,
        "left": package.left,
        "sessions": package.sessions,
    }
    if package.owner_id == attendee.pk:
        record_activity(customers=[attendee], actor=actor, action="package.redeemed", data=used)
    else:
        record_activity(
            customers=[attendee],
            actor=actor,
            action="package.redeemed",
            data={**used, "owner": package.owner.full_name},
        )
        record_activity(
            customers=[package.owner],
            actor=actor,
            action="package.redeemed",
            data={**used, "attendee": attendee.full_name},
        )
    return package


def redeem(*, actor, appointment_id, package_id):
    """Pay an attended appointment that was not paid when marked with a package session."""
    with transaction.atomic():
        first = Appointment.objects.filter(pk=appointment_id).values_list("attendee_id", flat=True).first()
        owner = Package.objects.filter(pk=package_id).values_list("owner_id", flat=True).first()
        if first is None or owner is None:
            raise KinshipError("That appointment or package no longer exists.")
        people = lock_customers({first, owner})
        appointment = moved_check(lock_appointment(appointment_id, None), people)
        if appointment.status != Status.ATTENDED:
            raise KinshipError("Only an attended appointment uses a session from a package.")
        return _redeem(actor, appointment, people[appointment.attendee_id], package_id)


def email_receipt(*, actor, package_id, recipients):
    """Email the receipt of a package to the chosen addresses (the owner's and their linked
    clients' are offered first)."""
    if not recipients:
        raise KinshipError("Enter at least one email address.")
    with transaction.atomic():
        package = Package.objects.select_related("owner", "service").filter(pk=package_id).first()
        if package is None:
            raise KinshipError("That package no longer exists.")
        sent = notifications.receipt(package, recipients)
        record_activity(
            customers=[package.owner],
            actor=actor,
            action="package.receipt",
            data={
                "sessions": package.sessions,
                "service": package.service.name,
                "to": [row.to_address for row in sent],
            },
        )
    return sent
