"""Reads the booking pages need, each in a fixed number of queries."""

from datetime import datetime, time, timedelta

from django.db.models import F, Prefetch, Q
from django.utils import timezone

from bookings.models import Appointment, FormRequest, IntakeForm, Package, Redemption, Service, Status
from core.paging import page_of
from linking.authority import agents_for, principals_for, principals_of_each
from linking.models import Permission

UPCOMING_SHOWN = 20
FORMS_SHOWN = 20


def _theirs(customer):
    """Appointments a customer attends or booked for someone else."""
    return Appointment.objects.filter(Q(attendee=customer) | Q(booked_by=customer)).select_related(
        "attendee", "booked_by", "service", "redemption__package__owner"
    )


def upcoming_page(customer, *, page=1, per_page=UPCOMING_SHOWN):
    """The booked appointments still to come that the customer attends or booked for
    someone, soonest first."""
    booked = _theirs(customer).filter(status=Status.BOOKED, ends_at__gt=timezone.now())
    return page_of(booked.order_by("starts_at", "id"), page, per_page, param="upcoming")


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
    return list(principals_for(customer, Permission.CAN_BOOK))


def day(on, *, service=None):
    """Every appointment of a local day (of one service, if given), by time."""
    # Midnight to midnight, each in local time: a day the clocks change is 23 or 25 hours.
    start = timezone.make_aware(datetime.combine(on, time.min))
    end = timezone.make_aware(datetime.combine(on + timedelta(days=1), time.min))
    found = Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
    if service is not None:
        found = found.filter(service=service)
    appointments = list(
        found.select_related("attendee", "booked_by", "service", "redemption__package__owner").order_by(
            "starts_at", "id"
        )
    )
    _offer_packages(appointments)
    return appointments


def _offer_packages(appointments):
    """Give each appointment still to be marked `.own_packages` (the attendee's, with sessions
    left, for its service) and `.shared_packages` (those of people whose sessions they may
    use), and `.packages`, both in that order: whatever may pay for it. Three queries for the
    whole day, however many appointments (none on a day with nothing left to mark)."""
    waiting = [
        a for a in appointments if a.status == Status.BOOKED or (a.status == Status.ATTENDED and not _paid(a))
    ]
    for appointment in appointments:
        appointment.own_packages, appointment.shared_packages, appointment.packages = [], [], []
    if not waiting:
        return
    attendees = {a.attendee_id for a in waiting}
    services = {a.service_id for a in waiting}
    usable = usable_owners(attendees)
    owners = attendees | {owner for owners in usable.values() for owner in owners}
    packages = list(
        Package.objects.filter(owner_id__in=owners, service_id__in=services, used__lt=F("sessions"))
        .select_related("owner")
        .order_by("bought_at", "id")
    )
    by_owner_and_service = {}
    for package in packages:
        by_owner_and_service.setdefault((package.owner_id, package.service_id), []).append(package)
    for appointment in waiting:
        others = sorted(usable.get(appointment.attendee_id, ()))
        appointment.own_packages = by_owner_and_service.get(
            (appointment.attendee_id, appointment.service_id), []
        )
        appointment.shared_packages = [
            package
            for owner in others
            for package in by_owner_and_service.get((owner, appointment.service_id), ())
        ]
        appointment.packages = [*appointment.own_packages, *appointment.shared_packages]


def _paid(appointment):
    try:
        return appointment.redemption is not None
    except Redemption.DoesNotExist:
        return False


def usable_owners(attendee_ids):
    """{attendee id: ids of the people whose packages they may use}, as linking.authority
    answers for Can Use Sessions from Packages (a link with it ticked, or the group rule):
    a read of the account-linking switch and one query."""
    return principals_of_each(attendee_ids, Permission.CAN_USE_PACKAGES)


def packages_of(customer):
    """The customer's packages, newest first, each with the visits it paid for; and the
    packages of others whose sessions they may use, with sessions left. Three queries."""
    paid_for = Prefetch(
        "redemptions",
        queryset=Redemption.objects.select_related("appointment__attendee", "appointment__service").order_by(
            "-appointment__starts_at"
        ),
    )
    own = list(Package.objects.filter(owner=customer).select_related("service").prefetch_related(paid_for))
    shared = list(
        Package.objects.filter(
            owner__in=principals_for(customer, Permission.CAN_USE_PACKAGES), used__lt=F("sessions")
        ).select_related("service", "owner")
    )
    return {"own": own, "shared": shared}


def active_forms():
    return list(IntakeForm.objects.filter(is_active=True).order_by("name", "id"))


def all_forms():
    return list(IntakeForm.objects.order_by("-is_active", "name", "id"))


def forms_of(customer, *, page=1, per_page=FORMS_SHOWN):
    """A page of the forms asked of the customer, newest first, and those asked of people
    they may complete forms for that are still to be filled in. Three queries."""
    related = ("form", "appointment__service", "completed_by", "subject")
    asked_of_them = FormRequest.objects.filter(subject=customer).select_related(*related)
    own = page_of(asked_of_them.order_by("-requested_at", "-id"), page, per_page)
    for_others = list(
        FormRequest.objects.filter(
            subject__in=principals_for(customer, Permission.CAN_COMPLETE_FORMS), completed_at__isnull=True
        )
        .select_related(*related)
        .order_by("requested_at", "id")
    )
    return {"own": own, "for_others": for_others}


def who_may_complete(form_request):
    """The person a form is about, then everyone who may complete forms for them."""
    return [form_request.subject, *agents_for(form_request.subject, Permission.CAN_COMPLETE_FORMS)]


def receipt_addresses(package):
    """The addresses a package's receipt goes to unless staff change them: the owner's, then
    those of linked clients who receive copies."""
    people = [package.owner, *agents_for(package.owner, Permission.RECEIVES_COPIES)]
    return [person for person in people if person.email]
