"""The demo's services and a week of appointments, some booked on a dependent's behalf."""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from waffle.models import Switch

from bookings.features import BOOKINGS
from bookings.models import Appointment, IntakeForm, Service, Status
from bookings.services import appointments, catalogue, intake, packages
from core.errors import KinshipError
from customers.models import Customer
from groups.models import GroupMember, Role
from linking.models import Link

SERVICES = (
    ("Haircut", 30, 2500),
    ("Colour and cut", 90, 7500),
    ("Massage, 60 minutes", 60, 6000),
    ("Personal training", 45, 4500),
    ("Kids' swimming lesson", 30, 1500),
    ("Physiotherapy assessment", 60, 6500),
)


def make_bookings(stdout):
    """Switch bookings on; add the services and the coming week's appointments, once."""
    Switch.objects.update_or_create(name=BOOKINGS, defaults={"active": True})
    if Service.objects.exists():
        return
    for name, minutes, price in SERVICES:
        Service.objects.create(name=name, duration_minutes=minutes, price=price)
    desk = get_user_model().objects.filter(username="frontdesk").first()
    rng = random.Random(2026)
    offered = list(Service.objects.all())
    people = list(
        Customer.objects.filter(merged_into__isnull=True, archived_at__isnull=True).order_by("pk")[:300]
    )
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    made = 0
    # The week starts today, so the Day View of a fresh demo has visits on it; the first few
    # are today's, spread over the working day whatever the hour the demo is loaded.
    for number, customer in enumerate(rng.sample(people, min(40, len(people)))):
        day = today if number < 6 else today + timedelta(days=rng.randrange(7))
        at = timezone.make_aware(datetime.combine(day, time(rng.randrange(9, 17), rng.choice((0, 30)))))
        try:
            _appointment(customer, rng.choice(offered), at, desk)
            made += 1
        except KinshipError:
            continue
    # Parents book for their children: the group rule lets an Owner book for a Dependent.
    lessons = Service.objects.get(name="Kids' swimming lesson")
    for child in GroupMember.objects.filter(role=Role.DEPENDENT).select_related("group")[:6]:
        owner = GroupMember.objects.filter(group=child.group, role=Role.OWNER).first()
        at = timezone.make_aware(datetime.combine(tomorrow + timedelta(days=2), time(16, 0)))
        try:
            appointments.book(
                actor=desk,
                attendee_id=child.customer_id,
                service_id=lessons.pk,
                starts_at=at,
                booked_by_id=owner.customer_id,
            )
            made += 1
        except KinshipError:
            continue
    on_behalf = Appointment.objects.filter(booked_by__isnull=False).count()
    stdout.write(
        f"  {len(SERVICES)} services, {made} appointments ({on_behalf} booked on someone's behalf); "
        "bookings switched on."
    )


FORMS = (
    (
        "Health questionnaire",
        [
            {"text": "Any injuries or conditions we should know about?", "kind": "long", "required": False},
            {"text": "Are you taking any medication?", "kind": "yes_no", "required": True},
            {"text": "Emergency contact phone", "kind": "text", "required": True},
            {"text": "Date of your last check-up", "kind": "date", "required": False},
        ],
    ),
    (
        "Swimming consent",
        [
            {"text": "Can they swim 10 metres unaided?", "kind": "yes_no", "required": True},
            {"text": "Allergies", "kind": "long", "required": False},
        ],
    ),
)


def make_packages_and_forms(stdout):
    """Intake forms, packages (one shared by partners), visits paid from them, form requests
    (one filled in by a parent), and a dependent just turned 18 awaiting a review; once."""
    if IntakeForm.objects.exists() or not Service.objects.exists():
        return
    desk = get_user_model().objects.filter(username="frontdesk").first()
    for name, questions in FORMS:
        catalogue.save_intake_form(name=name, questions=questions)
    training = Service.objects.get(name="Personal training")
    sold = redeemed = 0
    # Partners who share packages: one buys, and both train on it.
    for link in Link.objects.filter(can_use_packages=True).select_related("agent", "principal")[:2]:
        owner, partner = link.principal, link.agent
        package = packages.buy_package(
            actor=desk, customer_id=owner.pk, service_id=training.pk, sessions=10, price=40000
        )
        sold += 1
        for days_ago, who in ((9, owner), (6, partner), (2, partner)):
            visit = _past_visit(who, training, days_ago, desk)
            appointments.mark(
                actor=desk, appointment_id=visit.pk, status=Status.ATTENDED, package_id=package.pk
            )
            redeemed += 1
    # Forms asked for the coming swimming lessons; a parent fills one in for their child.
    consent = IntakeForm.objects.get(name="Swimming consent")
    lessons = Appointment.objects.filter(
        service__name="Kids' swimming lesson", status=Status.BOOKED, starts_at__gt=timezone.now()
    )
    requested = 0
    for lesson in lessons.select_related("booked_by")[:4]:
        asked = intake.request_form(actor=desk, appointment_id=lesson.pk, form_id=consent.pk)
        requested += 1
        if requested == 1 and lesson.booked_by_id:
            intake.complete_form(
                actor=desk,
                request_id=asked.pk,
                completed_by_id=lesson.booked_by_id,
                answers={"0": "Yes", "1": "Peanuts"},
            )
    _one_dependent_turns_18()
    stdout.write(
        f"  {len(FORMS)} intake forms ({requested} requested), {sold} packages, {redeemed} sessions used; "
        "one dependent just turned 18."
    )


def _appointment(who, service, starts_at, desk):
    """Book a visit still to come as a desk would; one whose time has passed today is made as
    the visit it would have been, since nobody may book in the past."""
    if starts_at > timezone.now():
        return appointments.book(actor=desk, attendee_id=who.pk, service_id=service.pk, starts_at=starts_at)
    return _visit(who, service, starts_at, desk)


def _past_visit(who, service, days_ago, desk):
    starts_at = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=days_ago), time(18, 0))
    )
    return _visit(who, service, starts_at, desk)


def _visit(who, service, starts_at, desk):
    return Appointment.objects.create(
        attendee=who,
        service=service,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=service.duration_minutes),
        created_by=desk,
    )


def _one_dependent_turns_18():
    """A group's Dependent whose birthday was last week: their access is due for review."""
    member = GroupMember.objects.filter(role=Role.DEPENDENT).order_by("pk").last()
    if member is None:
        return
    today = timezone.localdate()
    born = (today - timedelta(days=7)).replace(year=today.year - 18)
    Customer.objects.filter(pk=member.customer_id).update(date_of_birth=born)
