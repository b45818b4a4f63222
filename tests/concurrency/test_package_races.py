"""Desks using the sessions of one package, moving one client's appointments and filling in
one form at the same moment, on PostgreSQL.

SQLite serialises every writer, so a race cannot happen there; these run on PostgreSQL only.
The desks race as in test_booking_races: each in its own thread and connection, released by
one barrier, each transaction lingering after its service returned; one desk ahead and the
other starting once it has returned but not yet committed (so it surely meets the first's
locks), and both at once. The package's row lock, the customers' locks in id order and the
exclusion constraint decide, not luck; a desk that loses is told why with a KinshipError,
never anything else, and what it tried leaves no trace.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from waffle.testutils import override_switch

from bookings.models import Appointment, FormRequest, QuestionKind, Redemption, Service, Status
from bookings.services import appointments, catalogue, intake, packages
from customers.models import Activity
from linking import services as link_services
from linking.features import ACCOUNT_LINKING
from linking.models import Link, RelationshipType
from mail.models import Email
from tests.concurrency.test_booking_races import at, lines
from tests.concurrency.test_group_races import race, refusals
from tests.concurrency.test_merge_races import ORDERS, in_order
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desks():
    return UserFactory(username="desk-one"), UserFactory(username="desk-two")


@pytest.fixture
def linking():
    """Transactional tests flush the switches with every other table: make the one the
    authority asks, switched on, for every thread (waffle reads it from the shared cache)."""
    with override_switch(ACCOUNT_LINKING, active=True):
        yield


@pytest.fixture
def haircut():
    return Service.objects.create(name="Haircut", duration_minutes=30, price=2500)


def other_type():
    """Transactional tests flush the tables, the data migration's types with them."""
    return RelationshipType.objects.get_or_create(name="Other")[0]


def may(actor, agent, principal, **permissions):
    return link_services.link_customers(
        actor=actor,
        agent_id=agent.pk,
        principal_id=principal.pk,
        type_id=other_type().pk,
        agent_may=dict.fromkeys(permissions, True) if permissions else {},
    )


@pytest.fixture
def owner_and_partner(desks, linking):
    """Pia owns the packages; Quinn, her partner, may use sessions from them."""
    pia = CustomerFactory(first_name="Pia", last_name="Park")
    quinn = CustomerFactory(first_name="Quinn", last_name="Park")
    link = may(desks[0], quinn, pia, can_use_packages=True)
    return pia, quinn, link


def package_of(actor, owner, service, sessions):
    return packages.buy_package(
        actor=actor, customer_id=owner.pk, service_id=service.pk, sessions=sessions, price=0
    )


def started(attendee, service, minutes_ago=10):
    """A booked appointment that began `minutes_ago`, so it may be marked."""
    starts_at = timezone.now() - timedelta(minutes=minutes_ago)
    return Appointment.objects.create(
        attendee=attendee,
        service=service,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=service.duration_minutes),
    )


def paying(actor, appointment, package, how="marking attended"):
    """The Attended button with a package chosen, or paying an attended visit afterwards."""
    if how == "marking attended":
        return lambda: appointments.mark(
            actor=actor,
            appointment_id=appointment.pk,
            status=Status.ATTENDED,
            version=1,
            package_id=package.pk,
        )
    return lambda: packages.redeem(actor=actor, appointment_id=appointment.pk, package_id=package.pk)


def no_sessions_left(owner, service):
    return f"{owner.full_name}'s package of {service.name} has no sessions left."


# Using the last session.

LAST_SESSION_CASES = [
    pytest.param(
        whose,
        how,
        order,
        id=f"{whose}-{how}-{order}",
    )
    for whose in ("the owner's and the partner's", "two of the owner's")
    for how in ("marking attended", "paying afterwards")
    for order in ORDERS
]


@pytest.mark.parametrize(("whose", "how", "order"), LAST_SESSION_CASES)
def test_two_desks_using_the_last_session_of_a_package_use_it_once(
    on_postgres, desks, haircut, owner_and_partner, order, how, whose
):
    """Desk one pays Pia's haircut with the one session left of her package, desk two a second
    haircut (Quinn's, or Pia's own other one) with the same session, at the same moment."""
    one, two = desks
    pia, quinn, _ = owner_and_partner
    package = package_of(one, pia, haircut, sessions=1)
    first = started(pia, haircut, minutes_ago=10)
    second = started(quinn if whose == "the owner's and the partner's" else pia, haircut, minutes_ago=60)
    if how == "paying afterwards":
        Appointment.objects.filter(pk__in=[first.pk, second.pk]).update(status=Status.ATTENDED)

    outcomes = race(*in_order(order, paying(one, first, package, how), paying(two, second, package, how)))

    refused = refusals(outcomes)
    assert len(refused) == 1, outcomes
    assert refused[0].message == no_sessions_left(pia, haircut)
    package.refresh_from_db()
    assert (package.used, package.sessions) == (1, 1)
    paid = Redemption.objects.get()
    winner, loser = (first, second) if outcomes[1] is refused[0] else (second, first)
    assert paid.appointment_id == winner.pk and paid.package_id == package.pk
    # The loser's visit is as it was: marking it failed whole, so it is still to be marked.
    loser.refresh_from_db()
    expected = Status.BOOKED if how == "marking attended" else Status.ATTENDED
    assert (loser.status, loser.version) == (expected, 1)
    # History tells only of the session used: on the owner, and on a partner who used it.
    assert Activity.objects.filter(kind="package.redeemed").count() == (1 if winner.attendee == pia else 2)
    if how == "marking attended":
        assert Activity.objects.filter(kind="booking.attended").count() == 1
    if order == "first ahead":
        assert paid.appointment_id == first.pk
    elif order == "second ahead":
        assert paid.appointment_id == second.pk


DESKS = 8
SESSIONS = 3


def test_many_desks_using_one_package_use_exactly_its_sessions(on_postgres, desks, haircut, linking):
    """Eight desks mark eight visits attended at once, each paid from Pia's package of three
    sessions: visits of eight linked clients, so no customer lock stands between the desks and
    only the package's row decides who gets a session."""
    one, _ = desks
    pia = CustomerFactory(first_name="Pia", last_name="Park")
    package = package_of(one, pia, haircut, sessions=SESSIONS)
    attendees = []
    for n in range(DESKS):
        friend = CustomerFactory(first_name=f"Friend{n}", last_name="Park")
        may(one, friend, pia, can_use_packages=True)
        attendees.append(friend)
    visits = [started(attendee, haircut) for attendee in attendees]
    actors = [UserFactory(username=f"desk-{n}") for n in range(DESKS)]

    outcomes = race(*(paying(actor, visit, package) for actor, visit in zip(actors, visits, strict=True)))

    refused = refusals(outcomes)
    assert len(refused) == DESKS - SESSIONS, outcomes
    assert {error.message for error in refused} == {no_sessions_left(pia, haircut)}
    package.refresh_from_db()
    assert package.used == package.sessions == SESSIONS
    assert package.version == 1 + SESSIONS
    paid = set(Redemption.objects.values_list("appointment_id", flat=True))
    assert paid == {outcome.pk for outcome in outcomes if isinstance(outcome, Appointment)}
    assert len(paid) == SESSIONS
    assert Appointment.objects.filter(status=Status.ATTENDED).count() == SESSIONS
    assert Appointment.objects.filter(status=Status.BOOKED).count() == DESKS - SESSIONS


# A partner using the owner's session while their link is removed.


UNLINK_CASES = [
    pytest.param(
        how,
        order,
        id=f"{how}-{order}",
    )
    for how in ("marking attended", "paying afterwards")
    for order in ORDERS
]


@pytest.mark.parametrize(("how", "order"), UNLINK_CASES)
def test_a_partner_using_a_session_while_the_link_is_removed_uses_it_only_before(
    on_postgres, desks, haircut, owner_and_partner, order, how
):
    """Desk one pays Quinn's haircut from Pia's package; desk two removes the link that lets
    him use her sessions, at the same moment. Either the session was used before the link went
    (and History says so in that order), or he is told he may not use it; never after."""
    one, two = desks
    pia, quinn, link = owner_and_partner
    package = package_of(one, pia, haircut, sessions=5)
    visit = started(quinn, haircut)
    if how == "paying afterwards":
        Appointment.objects.filter(pk=visit.pk).update(status=Status.ATTENDED)

    outcomes = race(
        *in_order(
            order, paying(one, visit, package, how), lambda: link_services.unlink(actor=two, link_id=link.pk)
        )
    )

    refused = refusals(outcomes)
    assert outcomes[1] == (quinn, pia), outcomes  # the unlink always goes through
    assert not Link.objects.exists()
    package.refresh_from_db()
    visit.refresh_from_db()
    if refused:
        assert refused[0].message == "Quinn Park may not use sessions from Pia Park's packages."
        assert package.used == 0 and not Redemption.objects.exists()
        assert visit.status == (Status.BOOKED if how == "marking attended" else Status.ATTENDED)
        assert lines(quinn, "package.redeemed") == [] and lines(pia, "package.redeemed") == []
    else:
        assert package.used == 1 and Redemption.objects.get().appointment_id == visit.pk
        # It landed before the unlink: both Histories say so, in that order.
        for person in (quinn, pia):
            kinds = Activity.objects.filter(customer=person, kind__in=["package.redeemed", "link.removed"])
            assert list(kinds.order_by("id").values_list("kind", flat=True)) == [
                "package.redeemed",
                "link.removed",
            ]
    if order == "first ahead":
        assert not refused, outcomes
    elif order == "second ahead":
        assert refused, outcomes


# Moving two appointments of one client into one slot.


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("second_from", ["eli", "dora"], ids=["both from his profile", "one from Dora's"])
def test_two_desks_moving_two_appointments_of_one_client_into_one_slot_move_one(
    on_postgres, desks, haircut, linking, order, second_from
):
    """Eli has a haircut at 10:00 and another at 15:00. Desk one moves the first to 12:00; desk
    two moves the second to 12:15, from Eli's profile or from that of Dora, who may book for
    him. They would overlap: one moves, the other is told why and stays where it was."""
    one, two = desks
    dora = CustomerFactory(first_name="Dora", last_name="Brown")
    eli = CustomerFactory(first_name="Eli", last_name="Brown")
    may(one, dora, eli, can_book=True)
    morning = appointments.book(actor=one, attendee_id=eli.pk, service_id=haircut.pk, starts_at=at(10))
    afternoon = appointments.book(
        actor=one, attendee_id=eli.pk, service_id=haircut.pk, starts_at=at(15), booked_by_id=dora.pk
    )
    Email.objects.all().delete()  # the confirmations; only the moves' emails matter here

    def moving(actor, appointment, starts_at, on_behalf_of):
        return lambda: appointments.move(
            actor=actor,
            appointment_id=appointment.pk,
            starts_at=starts_at,
            version=1,
            on_behalf_of=on_behalf_of.pk,
        )

    outcomes = race(
        *in_order(
            order,
            moving(one, morning, at(12), eli),
            moving(two, afternoon, at(12, 15), dora if second_from == "dora" else eli),
        )
    )

    refused = refusals(outcomes)
    moved = [outcome for outcome in outcomes if isinstance(outcome, Appointment)]
    assert len(moved) == 1 and len(refused) == 1, outcomes
    winner = moved[0]
    stayed = afternoon if winner.pk == morning.pk else morning
    stayed_at = at(15) if stayed.pk == afternoon.pk else at(10)
    start, end = timezone.localtime(winner.starts_at), timezone.localtime(winner.ends_at)
    assert refused[0].message in (
        f"Eli Brown already has Haircut from {start:%H:%M} to {end:%H:%M} on {start.day} {start:%b}; "
        "choose another time.",
        "Another desk booked Eli Brown for that time just now; choose another time.",
    ), refused[0].message
    stayed.refresh_from_db()
    assert (stayed.starts_at, stayed.version, stayed.status) == (stayed_at, 1, Status.BOOKED)
    # Never two of his booked appointments at once.
    booked = list(Appointment.objects.filter(attendee=eli, status=Status.BOOKED).order_by("starts_at"))
    assert len(booked) == 2 and booked[0].ends_at <= booked[1].starts_at
    # Only the move that happened is in History and in the emails.
    assert len(lines(eli, "booking.moved")) == 1
    assert set(Email.objects.values_list("kind", flat=True)) == {"booking.changed"}
    assert Email.objects.filter(recipient=eli).count() == 1
    if order == "first ahead":
        assert winner.pk == morning.pk
    elif order == "second ahead":
        assert winner.pk == afternoon.pk


# Filling in one form twice.

QUESTIONS = [
    {"text": "Any allergies?", "kind": QuestionKind.TEXT, "required": False},
    {"text": "First visit?", "kind": QuestionKind.YES_NO, "required": True},
]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("by", ["both by Eli", "by Eli and by Dora"])
@pytest.mark.parametrize("with_version", [True, False], ids=["from the form", "without a version"])
def test_two_desks_filling_in_one_form_fill_it_in_once(
    on_postgres, desks, haircut, linking, order, by, with_version
):
    """A form was asked of Eli for his haircut. Desk one fills it in as Eli; desk two as Eli
    too, or as Dora, who may complete forms for him, at the same moment. One set of answers
    is kept; the other desk is told the form is filled in (or changed since it was opened)."""
    one, two = desks
    dora = CustomerFactory(first_name="Dora", last_name="Brown")
    eli = CustomerFactory(first_name="Eli", last_name="Brown")
    may(one, dora, eli, can_complete_forms=True)
    visit = appointments.book(actor=one, attendee_id=eli.pk, service_id=haircut.pk, starts_at=at(10))
    form = catalogue.save_intake_form(name="Health questions", questions=QUESTIONS)
    asked = intake.request_form(actor=one, appointment_id=visit.pk, form_id=form.pk)
    second_by = dora if by == "by Eli and by Dora" else eli

    def filling(actor, who, answer):
        return lambda: intake.complete_form(
            actor=actor,
            request_id=asked.pk,
            completed_by_id=who.pk,
            answers={"0": answer, "1": "Yes"},
            version=1 if with_version else None,
        )

    outcomes = race(*in_order(order, filling(one, eli, "Nuts"), filling(two, second_by, "Latex")))

    refused = refusals(outcomes)
    kept = [outcome for outcome in outcomes if isinstance(outcome, FormRequest)]
    assert len(kept) == 1 and len(refused) == 1, outcomes
    assert refused[0].message in (
        "That form was filled in already.",
        "The form changed since you opened it. Reload and try again.",
    ), refused[0].message
    asked.refresh_from_db()
    first_won = outcomes[0] is kept[0]
    assert asked.answers == {"0": "Nuts" if first_won else "Latex", "1": "Yes"}
    assert asked.completed_by_id == (eli.pk if first_won else second_by.pk)
    assert asked.version == 2
    assert len(lines(eli, "form.completed")) == 1
    assert len(lines(dora, "form.completed")) == (0 if first_won or second_by == eli else 1)
    if order == "first ahead":
        assert first_won
    elif order == "second ahead":
        assert not first_won


# The deadlock, shown every time: one desk is held at the start of _redeem (after it locked
# the partner, the visit and, as things are, the service) until the other desk waits for a
# lock; with locks taken as everywhere else, nobody waits and the held desk goes on after a
# few seconds.


def until_another_desk_waits(timeout=3.0):
    """Return once another connection to this database waits for a lock, or after `timeout`."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)


def held_in_redeem(monkeypatch, appointment):
    """Hold the desk paying `appointment` at the start of _redeem until another desk waits for
    a lock; return the event set once it is held there."""
    holding = threading.Event()
    original = packages._redeem

    def _redeem(actor, paid, attendee, package_id):
        if paid.pk == appointment.pk:
            holding.set()
            until_another_desk_waits()
        return original(actor, paid, attendee, package_id)

    monkeypatch.setattr(packages, "_redeem", _redeem)
    return holding


def once(holding, action):
    def behind():
        assert holding.wait(timeout=10), "the desk ahead never reached _redeem"
        return action()

    return behind


def test_the_owners_and_a_partners_visits_paid_at_once_never_deadlock(
    on_postgres, desks, haircut, owner_and_partner, monkeypatch
):
    """Desk two pays Quinn's visit from Pia's package; desk one marks Pia's own visit, paid from
    the same package, while desk two is about to lock it."""
    one, two = desks
    pia, quinn, _ = owner_and_partner
    package = package_of(one, pia, haircut, sessions=1)
    hers, his = started(pia, haircut, minutes_ago=10), started(quinn, haircut, minutes_ago=60)
    holding = held_in_redeem(monkeypatch, his)

    outcomes = race(once(holding, paying(one, hers, package)), paying(two, his, package))

    refused = refusals(outcomes)
    assert len(refused) == 1 and refused[0].message == no_sessions_left(pia, haircut), outcomes
    package.refresh_from_db()
    assert package.used == 1 and Redemption.objects.count() == 1


def test_a_partner_paying_while_the_link_is_removed_never_deadlocks(
    on_postgres, desks, haircut, owner_and_partner, monkeypatch
):
    """Desk one pays Quinn's visit from Pia's package; desk two removes their link (locking
    Pia, then Quinn) while desk one is about to lock the package."""
    one, two = desks
    pia, quinn, link = owner_and_partner
    assert pia.pk < quinn.pk  # so the unlink holds Pia while it waits for Quinn
    package = package_of(one, pia, haircut, sessions=5)
    visit = started(quinn, haircut)
    holding = held_in_redeem(monkeypatch, visit)

    outcomes = race(
        paying(one, visit, package), once(holding, lambda: link_services.unlink(actor=two, link_id=link.pk))
    )

    assert not refusals(outcomes), outcomes  # desk one was first: the session is used
    assert outcomes[1] == (quinn, pia)
    package.refresh_from_db()
    assert package.used == 1 and not Link.objects.exists()
