"""The Bookings tab (as a page and as the fragment htmx loads, on the profile and on the front
desk), the Forms and Emails tabs and the Day View run a fixed number of queries, whether there
are 2 appointments or 46, 2 packages or 14, 3 forms asked or 30, a few emails or 80; and
whether or not the customer may book for other people.

Each page is measured in a small world and again once it has grown (on the customer, booked
for them by others and by them for others, of several services, some past, some cancelled;
packages of their own with sessions used by them and by their partner, and packages of others
they may use; forms asked of them and of those they may fill forms in for, some filled in;
emails to them, about them and copies); for a customer who may book for nobody and for one
who may book for three people, by a link and by the group rule. Both worlds have some of
everything, so each query that runs only when there are rows runs in both. The counts must
all be the one stated, or a query per row has crept in.
"""

from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from waffle.testutils import override_switch

from billing.features import BILLING
from bookings.features import BOOKINGS
from bookings.models import Appointment, FormRequest, Package, QuestionKind, Redemption, Service, Status
from bookings.services import appointments, catalogue, intake
from bookings.services import packages as package_services
from groups import services as group_services
from groups.models import Role
from linking import services as link_services
from mail.models import Email
from mail.services import Recipient, queue
from tests.factories import CustomerFactory
from tests.perf.test_query_counts import AUTH, HTMX, PERMS, SWITCH, queries_for

pytestmark = pytest.mark.django_db

# The customer the page is about.
CUSTOMER = 1
# The upcoming appointments, with their attendee, booker, service and the package (and its
# owner) that paid for each joined in.
UPCOMING = 1
# One page of the past and cancelled ones, joined the same way, one row more than a page.
PAST = 1
# Whom the customer may book for, for the For dropdown: links and the group rule in one query.
BOOKABLE = 1
# linking.authority is not handed the request, so it asks waffle for the account_linking
# switch itself: one more read of the shared cache, besides the request's read of every switch.
# It asks again each time a page calls it (principals_for, usable_owners), not once a request.
AUTHORITY_SWITCH = 1
# The offered services, for the Book Appointment form's service dropdown.
SERVICES = 1
# The intake forms in use, for each upcoming appointment's Request Form dropdown (read once
# for all of them; only when there is an upcoming appointment to ask a form for).
INTAKE_FORMS = 1
# The customer's own packages with their service (bookings.queries.packages_of)...
OWN_PACKAGES = 1
# ...the visits each paid for, with attendee and service, for all of them at once (a
# prefetch, so it runs only when the customer has a package; both worlds have some)...
REDEMPTIONS = 1
# ...and the packages of others whose sessions they may use, with owner and service (the
# people come from linking.authority.principals_for, a subquery, after its own switch read).
SHARED_PACKAGES = AUTHORITY_SWITCH + 1
# The offered services again, for the Buy Package form's service dropdown (billing is on).
PACKAGE_SERVICES = 1

TAB = (
    CUSTOMER
    + SWITCH
    + UPCOMING
    + PAST
    + BOOKABLE
    + AUTHORITY_SWITCH
    + SERVICES
    + INTAKE_FORMS
    + OWN_PACKAGES
    + REDEMPTIONS
    + SHARED_PACKAGES
    + PACKAGE_SERVICES
)

# The day's appointments with their attendee, booker, service and paying package and owner.
DAY_APPOINTMENTS = 1
# For the appointments still to be marked, the packages that may pay for each
# (bookings.queries._offer_packages): usable_owners asks linking.authority, which reads the
# switch, then, in one UNION, the attendees' links with Can Use Sessions from Packages and
# the Dependents of the groups they manage; then the packages with sessions left.
OFFER_SWITCH = 1
OFFER_WHOSE = 1
OFFER_PACKAGES = 1
OFFERS = OFFER_SWITCH + OFFER_WHOSE + OFFER_PACKAGES
# The services for the Day View's Service filter.
DAY_SERVICES = 1
DAY = SWITCH + DAY_SERVICES + DAY_APPOINTMENTS + OFFERS

# The Forms tab: the forms asked of the customer with form, appointment and service, who
# filled them in and whom they are about (the newest 50)...
OWN_FORMS = 1
# ...and those still to be filled in of the people they may complete forms for (a subquery
# of linking.authority.principals_for, after its own read of the switch).
FORMS_FOR_OTHERS = AUTHORITY_SWITCH + 1
FORMS_TAB = CUSTOMER + SWITCH + OWN_FORMS + FORMS_FOR_OTHERS

# The Emails tab: one page of the emails to or about the customer, with recipient and the
# person it is about, one row more than a page.
EMAILS = 1
EMAILS_TAB = CUSTOMER + SWITCH + EMAILS

FRAGMENT = {**HTMX, "HX-Target": "customer-tabs"}


def tab(customer, slug="bookings", *, desk=False):
    return reverse("customers:desk_tab" if desk else "customers:profile_tab", args=[customer.pk, slug])


def day_url(on):
    return reverse("bookings:day") + f"?date={on.isoformat()}"


PAGES = [
    # (name, url builder, headers, expected queries beyond auth + permissions)
    ("bookings tab", lambda w: tab(w.customer), {}, TAB),
    ("bookings tab, fragment", lambda w: tab(w.customer), FRAGMENT, TAB),
    ("bookings tab on the desk, fragment", lambda w: tab(w.customer, desk=True), FRAGMENT, TAB),
    ("older page of the bookings tab", lambda w: tab(w.customer) + "?page=2", FRAGMENT, TAB),
    ("day view", lambda w: day_url(w.day), {}, DAY),
    ("day view of one service", lambda w: day_url(w.day) + f"&service={w.services[0].pk}", {}, DAY),
    ("forms tab", lambda w: tab(w.customer, "forms"), {}, FORMS_TAB),
    ("forms tab on the desk, fragment", lambda w: tab(w.customer, "forms", desk=True), FRAGMENT, FORMS_TAB),
    ("emails tab", lambda w: tab(w.customer, "emails"), {}, EMAILS_TAB),
    ("emails tab, fragment", lambda w: tab(w.customer, "emails"), FRAGMENT, EMAILS_TAB),
    ("older page of the emails tab", lambda w: tab(w.customer, "emails") + "?page=2", FRAGMENT, EMAILS_TAB),
]


@pytest.fixture
def switches(linking_on):
    # Billing too: packages are charged to the house account, and the tab offers Buy Package.
    with override_switch(BOOKINGS, active=True), override_switch(BILLING, active=True):
        yield


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


QUESTIONS = [
    {"text": "Any allergies?", "kind": QuestionKind.TEXT, "required": False},
    {"text": "First visit?", "kind": QuestionKind.YES_NO, "required": True},
]


class World:
    """Ann Smith and the people around her. Her partner Pat lets her use sessions from his
    packages and fill in his forms, and each gets copies of the other's emails. Ann owns a
    group with her sons Bob and Dan (Dependents) and may book for Cy Jones by a link; or,
    `books_for_others` false, she is in no group and linked to Pat only (who gives her no say
    over his bookings).

    Small: two appointments of her own, one next week and one last week; a package of her own
    that paid for that visit of hers and for one of Pat's; Pat's package she may use; two forms
    asked of her for next week (one filled in by Pat) and one asked of Pat; and the emails all
    this sent, a few more to and about her, one to an address typed in, one that failed."""

    def __init__(self, *, actor, labels, types, books_for_others):
        self.actor = actor
        self.customer = CustomerFactory(first_name="Ann", last_name="Smith")
        self.partner = CustomerFactory(first_name="Pat", last_name="Smith")
        self.day = timezone.localdate() + timedelta(days=7)
        self.services = [
            Service.objects.create(name=name, duration_minutes=minutes, price=1000)
            for name, minutes in (("Check-in", 5), ("Fringe trim", 10), ("Nail file", 15))
        ]
        self.forms = [
            catalogue.save_intake_form(name=name, questions=QUESTIONS)
            for name in ("Health questions", "Consent")
        ]
        link_services.link_customers(
            actor=actor,
            agent_id=self.customer.pk,
            principal_id=self.partner.pk,
            type_id=types["Partner"].pk,
            agent_may={"can_use_packages": True, "can_complete_forms": True, "receives_copies": True},
            principal_may={"can_use_packages": True, "can_complete_forms": True, "receives_copies": True},
        )
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
        next_week = self.add(self.customer, at(self.day, 9))
        own = self.buy(self.customer, service=0, sessions=10)
        self.visit(self.customer, own, at(self.day - timedelta(days=14), 9))
        self.visit(self.partner, own, at(self.day - timedelta(days=14), 11))
        self.buy(self.partner, service=0, sessions=5)
        self.ask(next_week, 0)
        self.ask(next_week, 1, filled_by=self.partner)
        self.ask(self.add(self.partner, at(self.day, 12)), 0)
        self.emails(3)
        assert self.count() == 2

    def add(self, attendee, starts_at, *, by=None, status=Status.BOOKED, service=0):
        service = self.services[service % len(self.services)]
        return Appointment.objects.create(
            attendee=attendee,
            booked_by=by,
            service=service,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=service.duration_minutes),
            status=status,
            created_by=self.actor,
        )

    def buy(self, owner, *, service, sessions):
        return package_services.buy_package(
            actor=self.actor,
            customer_id=owner.pk,
            service_id=self.services[service % len(self.services)].pk,
            sessions=sessions,
            price=sessions * 900,
        )

    def visit(self, attendee, package, starts_at):
        """A past visit of `attendee`, marked attended and paid with a session of `package`."""
        appointment = self.add(attendee, starts_at, service=self.services.index(package.service))
        appointments.mark(
            actor=self.actor, appointment_id=appointment.pk, status=Status.ATTENDED, package_id=package.pk
        )
        return appointment

    def ask(self, appointment, form, *, filled_by=None):
        """Ask a form for an appointment (which emails the attendee and whoever may fill it
        in), and have `filled_by` fill it in."""
        asked = intake.request_form(
            actor=self.actor, appointment_id=appointment.pk, form_id=self.forms[form % len(self.forms)].pk
        )
        if filled_by is not None:
            intake.complete_form(
                actor=self.actor,
                request_id=asked.pk,
                completed_by_id=filled_by.pk,
                answers={"0": "None", "1": "Yes"},
            )
        return asked

    def emails(self, count):
        """Emails about Ann (to her, with Pat's copy), about Pat (to him, with Ann's copy), to a
        typed address about her; every fourth one failed."""
        ann, pat = self.customer, self.partner
        for n in range(count):
            about, recipients = [
                (ann, [Recipient(ann), Recipient(pat)]),
                (pat, [Recipient(pat), Recipient(ann)]),
                (ann, [Recipient(None, f"friend{n}@example.com")]),
            ][n % 3]
            rows = queue(
                kind="test.note", subject=f"Note {n}", body="Hello.", about=about, recipients=recipients
            )
            if n % 4 == 3:
                Email.objects.filter(pk__in=[row.pk for row in rows]).update(
                    status=Email.Status.FAILED, error="SMTPRecipientsRefused: no such mailbox"
                )

    def count(self):
        mine = Appointment.objects.filter(attendee=self.customer) | Appointment.objects.filter(
            booked_by=self.customer
        )
        return mine.count()

    def grow(self, to=46):
        """More of everything. Packages: a dozen more of hers, of every service, each paying
        for a past visit of hers or of Pat's; four more of Pat's; one of each son's (hers to
        use by the group rule). Appointments until she has `to`: upcoming and past, her own,
        booked for her by a stranger, booked by her for those she may book for, half of them
        cancelled; all but the past on the measured day, so the Day View grows with them, and
        more than a page of past and cancelled ones, so the tab has an older page. Forms asked
        for every booked upcoming appointment of hers (both forms, one filled in by her or by
        Pat) and of her sons', and for more of Pat's. Emails: 80 more, so the Emails tab has older pages."""
        ann, pat = self.customer, self.partner
        for n in range(12):
            package = self.buy(ann, service=n, sessions=3 + n)
            # 14:00 on days of their own, so never at the time of another booked visit.
            self.visit(ann if n % 2 else pat, package, at(self.day - timedelta(days=60 + n), 14))
        for n in range(4):
            self.buy(pat, service=n, sessions=4)
        for son in self.others[:2]:
            self.buy(son, service=1, sessions=6)
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
        upcoming = Appointment.objects.filter(
            attendee__in=[ann, *self.others], status=Status.BOOKED, starts_at__gt=timezone.now()
        ).exclude(form_requests__isnull=False)
        for n, appointment in enumerate(upcoming.order_by("pk")):
            if appointment.attendee == ann:  # both forms: one waiting, one filled in by her or Pat
                self.ask(appointment, 0)
                self.ask(appointment, 1, filled_by=[ann, pat][n % 2])
            else:
                self.ask(appointment, n)
        for n in range(8):
            self.ask(self.add(pat, at(self.day + timedelta(days=1 + n), 12)), n)
        self.emails(80)


@pytest.fixture(params=[False, True], ids=["books for nobody else", "books for three others"])
def world(request, actor, labels, types, switches):
    return World(actor=actor, labels=labels, types=types, books_for_others=request.param)


def sizes(world):
    ann = world.customer
    return (
        Package.objects.filter(owner=ann).count(),
        Redemption.objects.filter(package__owner=ann).count(),
        FormRequest.objects.filter(subject=ann).count(),
        Email.objects.filter(recipient=ann).count() + Email.objects.filter(about=ann).count(),
    )


def test_booking_pages_run_a_fixed_number_of_queries(desk, front_desk_user, world):
    desk.get(tab(world.customer))  # fill the shared cache of switches
    counts, grown = {}, []
    for grow in (None, world.grow):
        if grow is not None:
            grow()
        grown.append(sizes(world))
        for name, url, headers, _ in PAGES:
            counts.setdefault(name, []).append(queries_for(desk, url(world), **headers))
    assert counts == {name: [AUTH + PERMS + extra] * 2 for name, _, _, extra in PAGES}
    # Both worlds have packages, visits they paid for, forms and emails; the grown one many more.
    (packages, visits, forms, emails), (more_packages, more_visits, more_forms, more_emails) = grown
    assert min(packages, visits, forms, emails) >= 1
    assert more_packages >= 10 * packages and more_visits >= 5 * visits
    assert more_forms >= 5 * forms and more_emails >= 10 * emails

    # What was measured: full lists, notes of who booked for whom, and the For dropdown.
    page = desk.get(tab(world.customer)).content.decode()
    assert page.count("<time ") >= 30 and "Booked by" in page and ">Older</a>" in page
    assert ("another client" in page) == ('<select name="for_whom"' in page) == bool(world.others)
    # ...every package with the visits it paid for, Pat's to use, Buy Package and Request Form.
    assert page.count("Email Receipt</a>") == more_packages
    assert "Pat Smith</a>'s visit on" in page and "may also use sessions from" in page
    assert 'name="price_text"' in page and "Request Form</button>" in page
    # Seen that evening, when every appointment of the day has begun and may be marked (by a
    # desk logged in then: a session idle since the morning has ended, SESSION_IDLE_TIMEOUT).
    with mock.patch("django.utils.timezone.now", return_value=at(world.day, 23, 59)):
        desk.force_login(front_desk_user)
        day = desk.get(day_url(world.day)).content.decode()
    assert (
        day.count('<td class="nowrap">')
        == Appointment.objects.filter(
            starts_at__gte=at(world.day, 0), starts_at__lt=at(world.day + timedelta(days=1), 0)
        ).count()
        >= 25
    )
    assert "Session from own package" in day and "Session from Pat Smith's package" in day
    forms = desk.get(tab(world.customer, "forms")).content.decode()
    assert "(linked client)" in forms and "Forms Ann may fill in for others" in forms
    assert forms.count("Fill In</a>") >= 10
    emails = desk.get(tab(world.customer, "emails")).content.decode()
    assert ">Older</a>" in emails and "Copy: about" in emails and "SMTPRecipientsRefused" in emails


# A customer with nothing yet: the queries that read rows belonging to rows skip themselves.
# Not a growth with the data, but stated so that a change to it is seen.
NOTHING_YET = TAB - INTAKE_FORMS - REDEMPTIONS


def test_the_bookings_tab_of_a_customer_with_nothing_yet(desk, actor, labels, types, switches):
    """No upcoming appointment to ask a form for, no package whose visits to prefetch."""
    nobody = CustomerFactory(first_name="Nia", last_name="New")
    desk.get(tab(nobody))
    assert queries_for(desk, tab(nobody)) == AUTH + PERMS + NOTHING_YET
    # And nothing on the Day View of an empty day but the day's (no) appointments.
    empty_day = timezone.localdate() + timedelta(days=300)
    assert queries_for(desk, day_url(empty_day)) == AUTH + PERMS + SWITCH + DAY_SERVICES + DAY_APPOINTMENTS


# The Intake Forms list (Managers write them; the desk reads them): every form, those in use
# first, in one query.
FORM_LIST = SWITCH + 1


def test_the_intake_forms_list_runs_a_fixed_number_of_queries(desk, switches):
    url = reverse("bookings:forms")

    def add(count, start):
        for n in range(start, start + count):
            saved = catalogue.save_intake_form(name=f"Form {n:02}", questions=QUESTIONS * (1 + n % 3))
            if n % 4 == 3:
                catalogue.save_intake_form(
                    form_id=saved.pk, name=saved.name, questions=saved.questions, is_active=False
                )

    add(2, 0)
    desk.get(url)
    small = queries_for(desk, url)
    add(38, 2)
    large = queries_for(desk, url)
    assert small == large == AUTH + PERMS + FORM_LIST
    page = desk.get(url).text
    assert page.count("<tr") == 41 and "Not in use" in page
