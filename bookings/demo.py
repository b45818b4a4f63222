"""The demo's services and a week of appointments, some booked on a dependent's behalf."""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from waffle.models import Switch

from bookings import services
from bookings.features import BOOKINGS
from bookings.models import Appointment, Service
from customers.errors import KinshipError
from customers.models import Customer
from groups.models import GroupMember, Role

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
    tomorrow = timezone.localdate() + timedelta(days=1)
    made = 0
    for customer in rng.sample(people, min(40, len(people))):
        day = tomorrow + timedelta(days=rng.randrange(7))
        at = timezone.make_aware(datetime.combine(day, time(rng.randrange(9, 17), rng.choice((0, 30)))))
        try:
            services.book(
                actor=desk, attendee_id=customer.pk, service_id=rng.choice(offered).pk, starts_at=at
            )
            made += 1
        except KinshipError:
            continue
    # Parents book for their children: the group rule lets an Owner book for a Dependent.
    lessons = Service.objects.get(name="Kids' swimming lesson")
    for child in GroupMember.objects.filter(role=Role.DEPENDENT).select_related("group")[:6]:
        owner = GroupMember.objects.filter(group=child.group, role=Role.OWNER).first()
        at = timezone.make_aware(datetime.combine(tomorrow + timedelta(days=2), time(16, 0)))
        try:
            services.book(
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
