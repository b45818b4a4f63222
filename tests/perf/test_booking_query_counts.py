"""The Bookings tab (as a page and as the fragment htmx loads, on the profile and on the front
desk) and the Day View run a fixed number of queries, whether there are 2 appointments or 40,
and whether or not the customer may book for other people.

Each page is measured with 2 appointments and again with 40 (on the customer, booked for them
by others and by them for others, of several services, some past, some cancelled); for a
customer who may book for nobody and for one who may book for three people, by a link and
by the group rule. The counts must all be the one stated, or a query per row has crept in.
"""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from waffle.testutils import override_switch

from bookings.features import BOOKINGS
from bookings.models import Appointment, Service, Status
from groups import services as group_services
from groups.models import Role
from linking import services as link_services
from tests.factories import CustomerFactory
from tests.perf.test_query_counts import AUTH, HTMX, PERMS, SWITCH, queries_for

pytestmark = pytest.mark.django_db

# The customer the page is about.
CUSTOMER = 1
# The upcoming appointments, with their attendee, booker and service joined in.
UPCOMING = 1
# One page of the past and cancelled ones, joined the same way, one row more than a page.
PAST = 1
# Whom the customer may book for, for the For dropdown: links and the group rule in one query.
BOOKABLE = 1
# linking.authority is not handed the request, so it asks waffle for the account_linking
# switch itself: one more read of the shared cache, besides the request's read of every switch.
AUTHORITY_SWITCH = 1
# The offered services, for the form's service dropdown.
SERVICES = 1

TAB = CUSTOMER + SWITCH + UPCOMING + PAST + BOOKABLE + AUTHORITY_SWITCH + SERVICES
# The day's appointments with their attendee, booker and service.
DAY = SWITCH + 1

FRAGMENT = {**HTMX, "HX-Target": "customer-tabs"}


def tab(customer, *, desk=False):
    return reverse("customers:desk_tab" if desk else "customers:profile_tab", args=[customer.pk, "bookings"])


def day_url(on):
    return reverse("bookings:day") + f"?date={on.isoformat()}"


PAGES = [
    # (name, url builder, headers, expected queries beyond auth + permissions)
    ("bookings tab", lambda w: tab(w.customer), {}, TAB),
    ("bookings tab, fragment", lambda w: tab(w.customer), FRAGMENT, TAB),
    ("bookings tab on the desk, fragment", lambda w: tab(w.customer, desk=True), FRAGMENT, TAB),
    ("older page of the bookings tab", lambda w: tab(w.customer) + "?page=2", FRAGMENT, TAB),
    ("day view", lambda w: day_url(w.day), {}, DAY),
]


@pytest.fixture
def switches(linking_on):
    with override_switch(BOOKINGS, active=True):
        yield


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class World:
    """Ann Smith and the people around her: Ann owns a group with her son Bob (a Dependent) and
    may book for Cy Jones by a link; or, `books_for_others` false, she is in no group and
    linked to nobody. She has two appointments: one next week, one last week."""

    def __init__(self, *, actor, labels, types, books_for_others):
        self.actor = actor
        self.customer = CustomerFactory(first_name="Ann", last_name="Smith")
        self.day = timezone.localdate() + timedelta(days=7)
        self.services = [
            Service.objects.create(name=name, duration_minutes=minutes, price=1000)
            for name, minutes in (("Check-in", 5), ("Fringe trim", 10), ("Nail file", 15))
        ]
        self.others = []
        if books_for_others:
            bob = CustomerFactory(first_name="Bob", last_name="Smith")
            dan = CustomerFactory(first_name="Dan", last_name="Smith")
            group = group_services.create_group(
                actor=actor,
                owner_id=self.customer.pk,
                owner_label_id=labels["Parent"].pk,
                member_id=bob.pk,
                member_role=Role.DEPENDENT,
                member_label_id=labels["Child"].pk,
            )
            group_services.add_member(
                actor=actor,
                group_id=group.pk,
                customer_id=dan.pk,
                role=Role.DEPENDENT,
                label_id=labels["Child"].pk,
            )
            cy = CustomerFactory(first_name="Cy", last_name="Jones")
            link_services.link_customers(
                actor=actor,
                agent_id=self.customer.pk,
                principal_id=cy.pk,
                type_id=types["Other"].pk,
                agent_may={"can_book": True},
            )
            self.others = [bob, dan, cy]
        self.add(self.customer, at(self.day, 9))
        self.add(self.customer, at(self.day - timedelta(days=14), 9), status=Status.ATTENDED)
        assert self.count() == 2

    def add(self, attendee, starts_at, *, by=None, status=Status.BOOKED, service=0):
        service = self.services[service % len(self.services)]
        Appointment.objects.create(
            attendee=attendee,
            booked_by=by,
            service=service,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=service.duration_minutes),
            status=status,
            created_by=self.actor,
        )

    def count(self):
        mine = Appointment.objects.filter(attendee=self.customer) | Appointment.objects.filter(
            booked_by=self.customer
        )
        return mine.count()

    def grow(self, to=40):
        """More appointments until she has `to`: upcoming and past, her own, booked for her by a
        stranger, booked by her for those she may book for, half of them cancelled; all but the
        past on the measured day, so the Day View grows with them, and more than a page of
        past and cancelled ones, so the tab has an older page."""
        strangers = CustomerFactory.create_batch(3, last_name="Stranger")
        for n in range(to - self.count()):
            on_the_day = n % 3 != 0
            # 20 minutes apart and none longer than 15: never two at once for one attendee, which
            # PostgreSQL's exclusion constraint would refuse.
            if on_the_day:
                starts_at = at(self.day, 8) + timedelta(minutes=20 * n)
            else:
                starts_at = at(self.day - timedelta(days=20 + n), 9)
            if self.others and n % 4 == 1:
                attendee, by = self.others[n % len(self.others)], self.customer
            elif n % 4 == 2:
                attendee, by = self.customer, strangers[n % 3]
            else:
                attendee, by = self.customer, None
            status = Status.CANCELLED if n % 2 == 0 else (Status.BOOKED if on_the_day else Status.ATTENDED)
            self.add(attendee, starts_at, by=by, status=status, service=n)
        assert self.count() == to


@pytest.fixture(params=[False, True], ids=["books for nobody else", "books for three others"])
def world(request, actor, labels, types, switches):
    return World(actor=actor, labels=labels, types=types, books_for_others=request.param)


def test_booking_pages_run_a_fixed_number_of_queries(desk, world):
    desk.get(tab(world.customer))  # fill the shared cache of switches
    counts = {}
    for grow in (None, world.grow):
        if grow is not None:
            grow()
        for name, url, headers, _ in PAGES:
            counts.setdefault(name, []).append(queries_for(desk, url(world), **headers))
    assert counts == {name: [AUTH + PERMS + extra] * 2 for name, _, _, extra in PAGES}

    # What was measured: full lists, notes of who booked for whom, and the For dropdown.
    page = desk.get(tab(world.customer)).content.decode()
    assert page.count("<time ") >= 30 and "Booked by" in page and ">Older</a>" in page
    assert ("another client" in page) == ('<select name="for_whom"' in page) == bool(world.others)
    day = desk.get(day_url(world.day)).content.decode()
    assert (
        day.count('<td class="nowrap">')
        == Appointment.objects.filter(
            starts_at__gte=at(world.day, 0), starts_at__lt=at(world.day + timedelta(days=1), 0)
        ).count()
        >= 25
    )
