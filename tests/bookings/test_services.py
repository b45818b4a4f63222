"""The booking services: who may book for whom, what a booking refuses, cancelling and marking,
and what a merge does to appointments.

Every refusal is checked to change nothing (no appointment, no History line, no customer
touched) and to say why in words a receptionist can act on.
"""

from datetime import UTC, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from waffle.testutils import override_switch

from bookings import queries
from bookings.models import Appointment, Status
from bookings.services import appointments
from core.errors import KinshipError, StaleEdit
from customers import services as customer_services
from customers.merging import merge_token
from customers.models import Customer, Merge
from customers.queries import merge_preview
from linking import services as link_services
from linking.features import ACCOUNT_LINKING
from linking.models import PERMISSION_FIELDS
from tests.bookings.helpers import (
    ahead,
    book,
    lines,
    made,
    refused,
    snapshot,
    started,
    status_of,
    when,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

EVERYTHING_BUT_BOOKING = {field: field != "can_book" for field in PERMISSION_FIELDS}


# Booking.


def test_a_customer_books_for_themselves(actor, catalogue):
    olly = CustomerFactory(first_name="Olly", last_name="Out")
    at = ahead(2, 10)

    appointment = book(actor, olly, catalogue.haircut, at)

    appointment.refresh_from_db()
    assert (appointment.attendee, appointment.booked_by, appointment.service) == (
        olly,
        None,
        catalogue.haircut,
    )
    assert (appointment.starts_at, appointment.ends_at) == (at, at + timedelta(minutes=30))
    assert (appointment.status, appointment.version, appointment.created_by) == (Status.BOOKED, 1, actor)
    assert lines(olly, "booking") == [f"Booked Haircut on {when(at)}."]


def test_a_linked_client_with_book_ticked_books_on_behalf(actor, catalogue, browns, linking_on):
    at = ahead(3, 15, 30)

    appointment = book(actor, browns.eli, catalogue.massage, at, by=browns.dora)

    assert (appointment.attendee, appointment.booked_by) == (browns.eli, browns.dora)
    assert appointment.ends_at == at + timedelta(minutes=60)
    # Both profiles tell of it, each from its side.
    assert lines(browns.eli, "booking") == [f"Booked Massage on {when(at)}, by Dora Brown."]
    assert lines(browns.dora, "booking") == [f"Booked Massage on {when(at)} for Eli Brown."]


@pytest.mark.parametrize("manager", ["anna", "cara"], ids=["the Owner", "an Admin"])
def test_a_group_manager_books_for_a_dependent(actor, catalogue, family, linking_on, manager):
    agent, ben = family[manager], family["ben"]
    at = ahead(1, 16)

    appointment = book(actor, ben, catalogue.haircut, at, by=agent)

    assert (appointment.attendee, appointment.booked_by) == (ben, agent)
    assert lines(ben, "booking") == [f"Booked Haircut on {when(at)}, by {agent.full_name}."]
    assert lines(agent, "booking") == [f"Booked Haircut on {when(at)} for Ben Smith."]


def test_booking_by_oneself_named_as_the_booker_is_a_booking_of_ones_own(actor, catalogue, browns):
    """The form sends the profile customer as the booker; for themselves that is no agent."""
    appointment = book(actor, browns.eli, catalogue.haircut, ahead(), by=browns.eli)
    assert appointment.booked_by is None
    assert lines(browns.eli, "booking") == [f"Booked Haircut on {when(ahead())}."]


def link(actor, types, agent, principal, agent_may, principal_may=None):
    return link_services.link_customers(
        actor=actor,
        agent_id=agent.pk,
        principal_id=principal.pk,
        type_id=types["Other"].pk,
        agent_may=agent_may,
        principal_may=principal_may or {},
    )


def test_a_link_without_book_ticked_gives_no_right_to_book(actor, catalogue, types, linking_on):
    agent, principal = CustomerFactory(first_name="Gus", last_name="Grey"), CustomerFactory(first_name="Hal")
    link(actor, types, agent, principal, EVERYTHING_BUT_BOOKING, {"can_book": True})

    refused(
        lambda: book(actor, principal, catalogue.haircut, ahead(), by=agent),
        f"^Gus Grey may not book appointments for {principal.full_name}\\.$",
    )


def test_a_link_ticked_the_other_way_gives_no_right_to_book(actor, catalogue, browns, linking_on):
    """Dora may book for Eli; that does not let Eli book for Dora."""
    refused(
        lambda: book(actor, browns.dora, catalogue.haircut, ahead(), by=browns.eli),
        "^Eli Brown may not book appointments for Dora Brown\\.$",
    )


def test_a_dependent_may_not_book_for_the_owner(actor, catalogue, family, linking_on):
    refused(
        lambda: book(actor, family["anna"], catalogue.haircut, ahead(), by=family["ben"]),
        "^Ben Smith may not book appointments for Anna Smith\\.$",
    )


def test_a_stranger_may_not_book(actor, catalogue, family, linking_on):
    stranger = CustomerFactory(first_name="Sid", last_name="Stone")
    refused(
        lambda: book(actor, family["ben"], catalogue.haircut, ahead(), by=stranger),
        "^Sid Stone may not book appointments for Ben Smith\\.$",
    )


@pytest.mark.parametrize("source", ["link", "group"])
def test_with_account_linking_off_nobody_books_for_anybody(actor, catalogue, browns, family, source):
    agent, attendee = (browns.dora, browns.eli) if source == "link" else (family["anna"], family["ben"])
    with override_switch(ACCOUNT_LINKING, active=False):
        refused(
            lambda: book(actor, attendee, catalogue.haircut, ahead(), by=agent),
            f"^{agent.full_name} may not book appointments for {attendee.full_name}\\.$",
        )
        # Each may still book for themselves.
        book(actor, attendee, catalogue.haircut, ahead())


@pytest.mark.parametrize("ago", [timedelta(minutes=1), timedelta(days=30), timedelta(0)])
def test_a_time_already_past_is_refused(actor, catalogue, browns, ago):
    refused(
        lambda: book(actor, browns.eli, catalogue.haircut, timezone.now() - ago),
        "^That time has passed; choose a time from now on\\.$",
    )


@pytest.mark.parametrize("later", [timedelta(days=732), timedelta(days=2_900_000)])
def test_a_time_beyond_two_years_is_refused(actor, catalogue, browns, later):
    refused(
        lambda: book(actor, browns.eli, catalogue.haircut, timezone.now() + later),
        "^Appointments may be booked up to two years ahead; choose a time before .+\\.$",
    )


def test_a_retired_service_is_refused(actor, catalogue, browns):
    refused(
        lambda: book(actor, browns.eli, catalogue.retired, ahead()),
        "^“Colour” is no longer offered; choose another service\\.$",
    )


@pytest.mark.parametrize("service_id", [0, 999_999, None])
def test_an_unknown_service_is_refused(actor, catalogue, browns, service_id):
    refused(
        lambda: appointments.book(
            actor=actor, attendee_id=browns.eli.pk, service_id=service_id, starts_at=ahead()
        ),
        "^Choose a service\\.$",
    )


def test_an_unknown_customer_is_refused(actor, catalogue):
    refused(
        lambda: appointments.book(
            actor=actor, attendee_id=999_999, service_id=catalogue.haircut.pk, starts_at=ahead()
        ),
        "^That customer does not exist\\.$",
    )


# Overlaps: a haircut 10:00-10:30 the day after tomorrow, then other bookings around it.

OVERLAPS = {
    "the same start": (10, 0, "haircut"),
    "starting inside it": (10, 15, "haircut"),
    "ending inside it": (9, 45, "haircut"),
    "around it": (9, 45, "massage"),
}


@pytest.mark.parametrize("overlap", OVERLAPS, ids=list(OVERLAPS))
@pytest.mark.parametrize("first_by", [None, "dora"], ids=["own booking", "booked by an agent"])
def test_an_overlapping_time_for_the_same_attendee_is_refused(
    actor, catalogue, browns, linking_on, overlap, first_by
):
    hour, minute, service = OVERLAPS[overlap]
    book(actor, browns.eli, catalogue.haircut, ahead(2, 10), by=getattr(browns, first_by or "", None))

    for by in (None, browns.dora):
        refused(
            lambda by=by: book(actor, browns.eli, getattr(catalogue, service), ahead(2, hour, minute), by=by),
            "^Eli Brown already has Haircut from 10:00 to 10:30 on "
            f"{ahead(2).day} {ahead(2):%b}; choose another time\\.$",
        )


def test_touching_appointments_and_other_people_do_not_overlap(actor, catalogue, browns, linking_on):
    book(actor, browns.eli, catalogue.haircut, ahead(2, 10))
    # Ending as it starts, and starting as it ends.
    book(actor, browns.eli, catalogue.haircut, ahead(2, 9, 30))
    book(actor, browns.eli, catalogue.massage, ahead(2, 10, 30), by=browns.dora)
    # Dora herself at the same time as Eli.
    book(actor, browns.dora, catalogue.haircut, ahead(2, 10))
    assert Appointment.objects.filter(attendee=browns.eli).count() == 3


def test_a_cancelled_appointment_frees_its_time(actor, catalogue, browns):
    first = book(actor, browns.eli, catalogue.haircut, ahead(2, 10))
    appointments.cancel(actor=actor, appointment_id=first.pk, version=1)

    again = book(actor, browns.eli, catalogue.haircut, ahead(2, 10))

    assert again.pk != first.pk
    assert list(Appointment.objects.filter(attendee=browns.eli).values_list("status", flat=True)) == [
        Status.CANCELLED,
        Status.BOOKED,
    ]


def test_the_database_refuses_overlapping_booked_appointments_on_postgres(on_postgres, catalogue, browns):
    """The net beneath the lock: the exclusion constraint of migration 0002."""
    made(browns.eli, catalogue.haircut, ahead(2, 10))
    with pytest.raises(IntegrityError), transaction.atomic():
        made(browns.eli, catalogue.haircut, ahead(2, 10, 15))
    # Not booked, or touching, or someone else: allowed.
    made(browns.eli, catalogue.haircut, ahead(2, 10, 15), status=Status.CANCELLED)
    made(browns.eli, catalogue.haircut, ahead(2, 10, 30))
    made(browns.dora, catalogue.haircut, ahead(2, 10))


@pytest.mark.parametrize("who", ["attendee", "agent"])
def test_an_archived_customer_may_not_book_or_be_booked(actor, catalogue, browns, linking_on, who):
    archived = browns.eli if who == "attendee" else browns.dora
    customer_services.archive_customer(actor=actor, customer_id=archived.pk)

    refused(
        lambda: book(actor, browns.eli, catalogue.haircut, ahead(), by=browns.dora),
        f"^{archived.full_name} is archived; restore them before booking an appointment\\.$",
    )
    if who == "attendee":
        refused(
            lambda: book(actor, browns.eli, catalogue.haircut, ahead()),
            "^Eli Brown is archived; restore them before booking an appointment\\.$",
        )


def test_an_archived_attendees_appointment_may_be_cancelled_but_not_moved(
    actor, catalogue, browns, on_behalf
):
    """Archiving someone who has left should not strand their bookings: the desk may still
    cancel them, but not move them nor act for others as them."""
    customer_services.archive_customer(actor=actor, customer_id=browns.eli.pk)
    refused(
        lambda: appointments.move(actor=actor, appointment_id=on_behalf.pk, starts_at=ahead(5, 9), version=1),
        "^Eli Brown is archived; restore them before changing their appointments\\.$",
    )
    appointments.cancel(actor=actor, appointment_id=on_behalf.pk, version=1)
    assert status_of(on_behalf) == (Status.CANCELLED, 2)


def test_an_archived_agent_acts_for_nobody(actor, catalogue, browns, on_behalf):
    customer_services.archive_customer(actor=actor, customer_id=browns.dora.pk)
    for change in (
        lambda: appointments.cancel(
            actor=actor, appointment_id=on_behalf.pk, version=1, on_behalf_of=browns.dora.pk
        ),
        lambda: appointments.move(
            actor=actor,
            appointment_id=on_behalf.pk,
            starts_at=ahead(5, 9),
            version=1,
            on_behalf_of=browns.dora.pk,
        ),
    ):
        refused(change, "^Dora Brown is archived; restore them before they act for anyone\\.$")


def merge(actor, survivor, absorbed):
    survivor.refresh_from_db()
    absorbed.refresh_from_db()
    return customer_services.merge_customers(
        actor=actor, survivor_id=survivor.pk, absorbed_id=absorbed.pk, token=merge_token(survivor, absorbed)
    )


@pytest.mark.parametrize("who", ["attendee", "agent"])
def test_a_merged_customer_may_not_book_or_be_booked(actor, catalogue, browns, linking_on, who):
    tombstone = CustomerFactory(first_name="Old", last_name="Record")
    merge(actor, CustomerFactory(first_name="New", last_name="Record"), tombstone)
    attendee, agent = (tombstone, browns.dora) if who == "attendee" else (browns.eli, tombstone)

    refused(
        lambda: book(actor, attendee, catalogue.haircut, ahead(), by=agent),
        "^Old Record was merged into another account; choose that one instead\\.$",
    )


# Cancelling.


@pytest.fixture
def on_behalf(actor, catalogue, browns, linking_on):
    """Dora booked a massage for Eli, four days ahead."""
    return book(actor, browns.eli, catalogue.massage, ahead(4, 11), by=browns.dora)


@pytest.mark.parametrize("from_profile", [False, True], ids=["no profile named", "from Eli's profile"])
def test_the_attendee_cancels(actor, browns, on_behalf, from_profile):
    appointments.cancel(
        actor=actor,
        appointment_id=on_behalf.pk,
        version=1,
        on_behalf_of=browns.eli.pk if from_profile else None,
    )

    assert status_of(on_behalf) == (Status.CANCELLED, 2)
    assert lines(browns.eli, "booking.cancelled") == [f"Cancelled Massage on {when(ahead(4, 11))}."]
    # Dora booked it and it shows on her Bookings tab: her History says what became of it.
    assert lines(browns.dora, "booking.cancelled") == [
        f"Cancelled Massage on {when(ahead(4, 11))} for Eli Brown."
    ]


def test_once_unlinked_the_booker_is_not_told_of_the_attendees_changes(actor, browns, on_behalf):
    link_services.unlink(actor=actor, link_id=browns.link.pk)
    appointments.cancel(actor=actor, appointment_id=on_behalf.pk, version=1)
    assert lines(browns.eli, "booking.cancelled") == [f"Cancelled Massage on {when(ahead(4, 11))}."]
    assert lines(browns.dora, "booking.cancelled") == []


def test_the_agent_cancels_and_both_are_told(actor, browns, on_behalf):
    appointments.cancel(actor=actor, appointment_id=on_behalf.pk, version=1, on_behalf_of=browns.dora.pk)

    assert status_of(on_behalf) == (Status.CANCELLED, 2)
    what = f"Massage on {when(ahead(4, 11))}"
    assert lines(browns.eli, "booking.cancelled") == [f"Cancelled {what}, by Dora Brown."]
    assert lines(browns.dora, "booking.cancelled") == [f"Cancelled {what} for Eli Brown."]


def test_once_unlinked_the_agent_may_not_cancel_but_the_attendee_may(actor, browns, on_behalf):
    link_services.unlink(actor=actor, link_id=browns.link.pk)

    refused(
        lambda: appointments.cancel(
            actor=actor, appointment_id=on_behalf.pk, version=1, on_behalf_of=browns.dora.pk
        ),
        "^Dora Brown may no longer manage Eli Brown's appointments\\.$",
    )
    # Still Eli's, and still shown on his profile, with its History.
    assert queries.upcoming_page(browns.eli).items == [on_behalf]
    booked = f"Booked Massage on {when(ahead(4, 11))}"
    assert lines(browns.eli, "booking") == [f"{booked}, by Dora Brown."]

    appointments.cancel(actor=actor, appointment_id=on_behalf.pk, version=1, on_behalf_of=browns.eli.pk)

    assert status_of(on_behalf) == (Status.CANCELLED, 2)
    assert queries.upcoming_page(browns.eli).items == []
    assert queries.past_page(browns.eli).items == [on_behalf]
    assert lines(browns.eli, "booking") == [
        f"{booked}, by Dora Brown.",
        f"Cancelled Massage on {when(ahead(4, 11))}.",
    ]


def test_with_account_linking_off_the_agent_may_not_cancel(actor, browns, on_behalf):
    with override_switch(ACCOUNT_LINKING, active=False):
        refused(
            lambda: appointments.cancel(
                actor=actor, appointment_id=on_behalf.pk, version=1, on_behalf_of=browns.dora.pk
            ),
            "may no longer manage",
        )


def test_cancelling_twice_is_refused(actor, browns, on_behalf):
    appointments.cancel(actor=actor, appointment_id=on_behalf.pk, version=1)
    for version in (2, None):
        refused(
            lambda version=version: appointments.cancel(
                actor=actor, appointment_id=on_behalf.pk, version=version
            ),
            "^That appointment is cancelled; it cannot be cancelled\\.$",
        )


def test_a_stale_version_is_refused(actor, browns, on_behalf):
    for version in (0, 2, -1):
        refused(
            lambda version=version: appointments.cancel(
                actor=actor, appointment_id=on_behalf.pk, version=version
            ),
            "^The appointment changed since you opened it\\. Reload and try again\\.$",
            error=StaleEdit,
        )
    assert StaleEdit.status == 409


def test_cancelling_an_unknown_appointment_is_refused(actor, on_behalf):
    refused(
        lambda: appointments.cancel(actor=actor, appointment_id=on_behalf.pk + 1000, version=1),
        "^That appointment no longer exists\\.$",
    )


# Marking.


@pytest.mark.parametrize(("status", "label"), [(Status.ATTENDED, "Attended"), (Status.NO_SHOW, "No-show")])
def test_a_started_appointment_is_marked_once(actor, catalogue, browns, status, label):
    appointment = started(browns.eli, catalogue.haircut)

    appointments.mark(actor=actor, appointment_id=appointment.pk, status=status, version=1)

    assert status_of(appointment) == (status, 2)
    assert lines(browns.eli, "booking") == [f"Haircut on {when(appointment.starts_at)}: {label}."]
    for again in (Status.ATTENDED, Status.NO_SHOW):
        refused(
            lambda again=again: appointments.mark(
                actor=actor, appointment_id=appointment.pk, status=again, version=2
            ),
            f"^That appointment is {label.lower()} already\\.$",
        )


def test_an_appointment_not_yet_started_may_not_be_marked(actor, catalogue, browns):
    soon = made(browns.eli, catalogue.haircut, timezone.now() + timedelta(minutes=5))
    for status in (Status.ATTENDED, Status.NO_SHOW):
        refused(
            lambda status=status: appointments.mark(
                actor=actor, appointment_id=soon.pk, status=status, version=1
            ),
            "^That appointment has not started yet\\.$",
        )


def test_a_cancelled_appointment_may_not_be_marked(actor, catalogue, browns):
    appointment = started(browns.eli, catalogue.haircut)
    appointments.cancel(actor=actor, appointment_id=appointment.pk, version=1)
    refused(
        lambda: appointments.mark(
            actor=actor, appointment_id=appointment.pk, status=Status.ATTENDED, version=2
        ),
        "^That appointment is cancelled already\\.$",
    )


@pytest.mark.parametrize("status", [Status.BOOKED, Status.CANCELLED, "", "attended ", None])
def test_only_attended_or_no_show_may_be_marked(actor, catalogue, browns, status):
    appointment = started(browns.eli, catalogue.haircut)
    refused(
        lambda: appointments.mark(actor=actor, appointment_id=appointment.pk, status=status, version=1),
        "^Mark the appointment as attended or a no-show\\.$",
    )


def test_marking_with_a_stale_version_is_refused(actor, catalogue, browns):
    appointment = started(browns.eli, catalogue.haircut)
    refused(
        lambda: appointments.mark(
            actor=actor, appointment_id=appointment.pk, status=Status.ATTENDED, version=7
        ),
        "changed since you opened it",
        error=StaleEdit,
    )


# Merging.


@pytest.fixture
def twins(db):
    """Eve Green and her duplicate, who must become one customer."""
    return CustomerFactory(first_name="Eve", last_name="Green"), CustomerFactory(
        first_name="Eve", last_name="Greene"
    )


def test_a_merge_moves_appointments_to_the_survivor(actor, catalogue, types, browns, twins, linking_on):
    eve, dupe = twins
    own = book(actor, dupe, catalogue.haircut, ahead(1, 9))
    past = made(dupe, catalogue.massage, ahead(-3, 9), status=Status.ATTENDED)
    # The duplicate also booked for someone else: that moves to the survivor as the booker.
    link(actor, types, dupe, browns.eli, {"can_book": True})
    for_eli = book(actor, browns.eli, catalogue.massage, ahead(1, 9), by=dupe)

    record = merge(actor, eve, dupe)

    assert set(Appointment.objects.filter(attendee=eve)) == {own, past}
    assert Appointment.objects.get(pk=for_eli.pk).booked_by == eve
    assert not Appointment.objects.filter(attendee=dupe).exists()
    assert not Appointment.objects.filter(booked_by=dupe).exists()
    assert dict(record.moved)["appointments"] == 2
    assert dict(record.moved)["appointments booked for others"] == 1


@pytest.mark.parametrize("booker", ["survivor", "absorbed"])
def test_a_booking_between_the_two_becomes_the_survivors_own_and_undo_restores_it(
    actor, catalogue, types, twins, linking_on, booker
):
    eve, dupe = twins
    agent, attendee = (eve, dupe) if booker == "survivor" else (dupe, eve)
    link(actor, types, agent, attendee, {"can_book": True})
    between = book(actor, attendee, catalogue.haircut, ahead(2, 14), by=agent)
    before = Appointment.objects.filter(pk=between.pk).values("attendee_id", "booked_by_id", "status").get()

    record = merge(actor, eve, dupe)

    between.refresh_from_db()
    assert (between.attendee, between.booked_by, between.status) == (eve, None, Status.BOOKED)
    # Shown once on Eve's profile, as her own.
    assert queries.upcoming_page(eve).items == [between]

    customer_services.undo_merge(actor=actor, merge_id=record.pk)

    after = Appointment.objects.filter(pk=between.pk).values("attendee_id", "booked_by_id", "status").get()
    assert after == before
    assert Merge.objects.get(pk=record.pk).is_undone
    assert not Customer.objects.get(pk=dupe.pk).is_merged


def test_undo_merge_puts_moved_appointments_back(actor, catalogue, twins):
    eve, dupe = twins
    own = book(actor, dupe, catalogue.haircut, ahead(1, 9))
    record = merge(actor, eve, dupe)
    assert Appointment.objects.get(pk=own.pk).attendee == eve

    customer_services.undo_merge(actor=actor, merge_id=record.pk)

    assert Appointment.objects.get(pk=own.pk).attendee == dupe


@pytest.mark.parametrize("order", ["survivor first", "absorbed first"])
def test_overlapping_bookings_block_the_merge(actor, catalogue, twins, order):
    eve, dupe = twins
    first, second = (eve, dupe) if order == "survivor first" else (dupe, eve)
    book(actor, first, catalogue.haircut, ahead(2, 10))
    book(actor, second, catalogue.massage, ahead(2, 9, 45))
    day = ahead(2)
    reason = (
        f"Eve Green and Eve Greene are both booked at the same time (on {day.day} {day:%b %Y}): "
        "cancel one of the two appointments first."
    )

    assert reason in merge_preview(eve, dupe)["blockers"]
    before = snapshot()
    with pytest.raises(KinshipError) as raised:
        merge(actor, eve, dupe)
    assert reason in raised.value.message
    assert snapshot() == before


def test_touching_or_cancelled_bookings_do_not_block_the_merge(actor, catalogue, twins):
    eve, dupe = twins
    book(actor, eve, catalogue.haircut, ahead(2, 10))
    book(actor, dupe, catalogue.haircut, ahead(2, 10, 30))
    clash = book(actor, dupe, catalogue.haircut, ahead(2, 10))
    appointments.cancel(actor=actor, appointment_id=clash.pk, version=1)

    merge(actor, eve, dupe)

    assert Appointment.objects.filter(attendee=eve).count() == 3


def test_the_merge_blocker_names_the_local_day(actor, catalogue, twins, settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # 13 hours ahead of UTC in November
    eve, dupe = twins
    at = ahead(3, 9)  # 09:00 in Auckland is 20:00 the evening before in UTC
    assert timezone.localdate(at) != at.astimezone(UTC).date()
    book(actor, eve, catalogue.haircut, at)
    book(actor, dupe, catalogue.haircut, at)

    with pytest.raises(KinshipError) as raised:
        merge(actor, eve, dupe)

    day = timezone.localdate(at)
    assert f"(on {day.day} {day:%b %Y})" in raised.value.message


def cancelled_after_the_merge(actor, catalogue, types, twins):
    """Eve booked for her duplicate, they were merged (the booking became Eve's own), and then
    it was cancelled: the merge's record of it no longer matches."""
    eve, dupe = twins
    link(actor, types, eve, dupe, {"can_book": True})
    between = book(actor, dupe, catalogue.haircut, ahead(2, 10), by=eve)
    record = merge(actor, eve, dupe)
    appointments.cancel(actor=actor, appointment_id=between.pk, version=2)
    return record


def test_undo_merge_is_refused_once_a_booking_it_changed_was_cancelled(
    actor, catalogue, types, twins, linking_on
):
    record = cancelled_after_the_merge(actor, catalogue, types, twins)
    refused(
        lambda: customer_services.undo_merge(actor=actor, merge_id=record.pk),
        "^This merge cannot be undone safely: ",
    )


def test_undo_merges_refusal_reads_well_for_appointments(actor, catalogue, types, twins, linking_on):
    record = cancelled_after_the_merge(actor, catalogue, types, twins)
    with pytest.raises(KinshipError) as raised:
        customer_services.undo_merge(actor=actor, merge_id=record.pk)
    assert "some appointments that moved have been changed or removed since" in raised.value.message
