"""Desks booking and cancelling for the same customers at the same moment as others book,
unlink or merge them, on PostgreSQL.

SQLite serialises every writer, so a race cannot happen there; these run on PostgreSQL only.
The desks race as in test_group_races and test_merge_races: each in its own thread and
connection, released by one barrier, each transaction lingering after its service returned;
one desk ahead and the other starting once it has returned but not yet committed (so it surely
meets the first's locks), and both at once. The locks on the customers, in id order, and the
exclusion constraint of migration 0002 decide, not luck; a desk that loses is told why with a
KinshipError, never anything else.
"""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from waffle.testutils import override_switch

from bookings.models import Appointment, Service, Status
from bookings.services import appointments, reminders
from customers.models import Activity
from linking import services as link_services
from linking.features import ACCOUNT_LINKING
from linking.models import Link, RelationshipType
from mail.models import Email
from tests.concurrency.test_group_races import race, refusals
from tests.concurrency.test_merge_races import ORDERS, in_order, merging
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
def catalogue():
    return {
        "haircut": Service.objects.create(name="Haircut", duration_minutes=30, price=2500),
        "massage": Service.objects.create(name="Massage", duration_minutes=60, price=6000),
    }


@pytest.fixture
def browns(desks, linking):
    """Dora Brown may book for her father Eli, by a link with only that ticked."""
    dora = CustomerFactory(first_name="Dora", last_name="Brown")
    eli = CustomerFactory(first_name="Eli", last_name="Brown")
    other = RelationshipType.objects.get_or_create(name="Other")[0]
    link = link_services.link_customers(
        actor=desks[0], agent_id=dora.pk, principal_id=eli.pk, type_id=other.pk, agent_may={"can_book": True}
    )
    return dora, eli, link


def at(hour, minute=0, days=2):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def lines(customer, kind):
    return [line.sentence for line in Activity.objects.filter(customer=customer, kind=kind).order_by("id")]


def booking(actor, attendee, service, starts_at, by=None):
    return lambda: appointments.book(
        actor=actor,
        attendee_id=attendee.pk,
        service_id=service.pk,
        starts_at=starts_at,
        booked_by_id=by.pk if by else None,
    )


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("second_by", ["eli", "dora"], ids=["both his own", "one booked by Dora"])
def test_two_desks_booking_overlapping_times_for_one_attendee_book_one(
    on_postgres, desks, catalogue, browns, order, second_by
):
    """Desk one books Eli a haircut at 10:00; desk two a massage at 10:15, for Eli himself or
    from Dora's profile."""
    one, two = desks
    dora, eli, _ = browns
    first = booking(one, eli, catalogue["haircut"], at(10))
    second = booking(two, eli, catalogue["massage"], at(10, 15), by=dora if second_by == "dora" else None)

    outcomes = race(*in_order(order, first, second))

    refused = refusals(outcomes)
    booked = [outcome for outcome in outcomes if isinstance(outcome, Appointment)]
    assert len(booked) == 1 and len(refused) == 1, outcomes
    assert list(Appointment.objects.filter(attendee=eli).values_list("pk", flat=True)) == [booked[0].pk]
    winner = booked[0]
    start, end = timezone.localtime(winner.starts_at), timezone.localtime(winner.ends_at)
    day = f"{start.day} {start:%b}"
    assert refused[0].message in (
        f"Eli Brown already has {winner.service.name} from {start:%H:%M} to {end:%H:%M} on {day}; "
        "choose another time.",
        "Another desk booked Eli Brown for that time just now; choose another time.",
    ), refused[0].message
    # History tells only of the booking that happened.
    assert len(lines(eli, "booking.booked")) == 1
    assert len(lines(dora, "booking.booked")) == (1 if winner.booked_by_id == dora.pk else 0)
    if order == "first ahead":
        assert winner.service.name == "Haircut"
    elif order == "second ahead":
        assert winner.service.name == "Massage"


@pytest.mark.parametrize("order", ORDERS)
def test_two_desks_booking_the_same_time_for_two_people_both_book(
    on_postgres, desks, catalogue, browns, order
):
    """The control: the lock is on the attendee, so different attendees never wait in vain."""
    one, two = desks
    dora, eli, _ = browns
    outcomes = race(
        *in_order(
            order,
            booking(one, eli, catalogue["haircut"], at(10)),
            booking(two, dora, catalogue["haircut"], at(10)),
        )
    )
    assert not refusals(outcomes), outcomes
    assert Appointment.objects.filter(starts_at=at(10), status=Status.BOOKED).count() == 2


@pytest.mark.parametrize("order", ORDERS)
def test_an_agent_cancelling_while_their_link_is_removed_cancels_only_before_the_unlink(
    on_postgres, desks, catalogue, browns, order
):
    """Desk one cancels, from Dora's profile, the massage she booked for Eli; desk two removes
    the link between them at the same moment."""
    one, two = desks
    dora, eli, link = browns
    appointment = appointments.book(
        actor=one,
        attendee_id=eli.pk,
        service_id=catalogue["massage"].pk,
        starts_at=at(11),
        booked_by_id=dora.pk,
    )

    def cancel():
        return appointments.cancel(actor=one, appointment_id=appointment.pk, version=1, on_behalf_of=dora.pk)

    def unlink():
        return link_services.unlink(actor=two, link_id=link.pk)

    outcomes = race(*in_order(order, cancel, unlink))

    refused = refusals(outcomes)
    assert outcomes[1] == (dora, eli), outcomes  # the unlink always goes through
    assert not Link.objects.exists()
    appointment.refresh_from_db()
    ours = Activity.objects.filter(customer=dora, kind__in=["booking.cancelled", "link.removed"])
    if refused:
        assert refused[0].message == "Dora Brown may no longer manage Eli Brown's appointments."
        assert (appointment.status, appointment.version) == (Status.BOOKED, 1)
        assert lines(eli, "booking.cancelled") == [] and lines(dora, "booking.cancelled") == []
    else:
        assert isinstance(outcomes[0], Appointment), outcomes
        assert (appointment.status, appointment.version) == (Status.CANCELLED, 2)
        # It landed before the unlink: Dora's History says so, in that order.
        assert list(ours.order_by("id").values_list("kind", flat=True)) == [
            "booking.cancelled",
            "link.removed",
        ]
    if order == "first ahead":
        assert not refused, outcomes
    elif order == "second ahead":
        assert refused, outcomes


# A merge racing the work of the front desk on the duplicate's appointments.


@pytest.fixture
def twins():
    return CustomerFactory(first_name="Eve", last_name="Green"), CustomerFactory(
        first_name="Eve", last_name="Greene"
    )


MERGE_AHEAD = "second ahead"


@pytest.mark.parametrize("order", ["first ahead", MERGE_AHEAD])
def test_cancelling_from_the_duplicates_profile_while_it_is_merged(
    on_postgres, desks, catalogue, twins, order
):
    """Desk one cancels the duplicate's haircut from the duplicate's profile; a Manager merges
    the duplicate into Eve at the same moment. Either way: cancelled or told why, and the
    appointment ends up Eve's."""
    one, two = desks
    eve, dupe = twins
    appointment = appointments.book(
        actor=one, attendee_id=dupe.pk, service_id=catalogue["haircut"].pk, starts_at=at(9)
    )

    def cancel():
        return appointments.cancel(actor=one, appointment_id=appointment.pk, version=1, on_behalf_of=dupe.pk)

    outcomes = race(*in_order(order, cancel, merging(two, eve, dupe)))

    refused = refusals(outcomes)
    appointment.refresh_from_db()
    assert appointment.attendee_id == eve.pk
    if order == "first ahead":
        assert refused == [] and appointment.status == Status.CANCELLED
        # A merge moves History too: the line ends up on Eve.
        assert len(lines(eve, "booking.cancelled")) == 1 and lines(dupe, "booking.cancelled") == []
    else:
        # The profile the desk cancelled from is a tombstone now: told so, nothing cancelled.
        assert [error.message for error in refused] == [
            "The appointment changed meanwhile (its client was merged). Reload and try again."
        ], outcomes
        assert appointment.status == Status.BOOKED and lines(eve, "booking.cancelled") == []


@pytest.mark.parametrize("order", ["first ahead", MERGE_AHEAD])
def test_marking_the_duplicates_appointment_while_it_is_merged(on_postgres, desks, catalogue, twins, order):
    """Desk one marks, from the Day View, the duplicate's haircut that began ten minutes ago as
    attended; a Manager merges the duplicate into Eve at the same moment."""
    one, two = desks
    eve, dupe = twins
    starts_at = timezone.now() - timedelta(minutes=10)
    appointment = Appointment.objects.create(
        attendee=dupe,
        service=catalogue["haircut"],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
    )

    def mark():
        return appointments.mark(actor=one, appointment_id=appointment.pk, status=Status.ATTENDED, version=1)

    outcomes = race(*in_order(order, mark, merging(two, eve, dupe)))

    assert not refusals(outcomes), outcomes
    appointment.refresh_from_db()
    assert (appointment.attendee_id, appointment.status) == (eve.pk, Status.ATTENDED)
    # A merge moves History too: marked before it or after, the line belongs on Eve, never on
    # the tombstone.
    assert len(lines(eve, "booking.attended")) == 1 and lines(dupe, "booking.attended") == []


@pytest.mark.parametrize("order", ORDERS)
def test_a_reminder_run_never_reminds_of_an_appointment_cancelled_under_it(
    on_postgres, desks, catalogue, order
):
    """`send_reminders` (from cron) meets a desk cancelling one of the appointments it is about
    to remind of. The client is reminded before the cancellation or not at all, never after."""
    one, _ = desks
    eli = CustomerFactory(first_name="Eli", last_name="Brown", email="eli@example.com")
    appointment = appointments.book(
        actor=one, attendee_id=eli.pk, service_id=catalogue["haircut"].pk, starts_at=at(9, days=1)
    )

    def cancel():
        return appointments.cancel(actor=one, appointment_id=appointment.pk, version=1)

    def remind():
        return reminders.send_reminders(now=at(8, days=1) - timedelta(hours=23))

    outcomes = race(*in_order(order, cancel, remind))

    assert refusals(outcomes) == []
    sent = list(Email.objects.filter(recipient=eli).order_by("id").values_list("kind", flat=True))
    assert sent[0] == "booking.confirmation" and sent[-1] == "booking.cancelled"
    assert sent[1:-1] == (["booking.reminder"] if outcomes[1] == 1 else []), sent
    if order == "first ahead":
        assert outcomes[1] == 0
    elif order == "second ahead":
        assert outcomes[1] == 1
