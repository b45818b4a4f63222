"""The emails bookings send: confirmation, change (the new Change Time action), cancellation
and reminders, each to the attendee with a copy to everyone who receives copies for them;
sent after the change commits and never for one rolled back; logged, with what went wrong;
the Emails tab; and the email a principal gets when someone is newly allowed to act for them."""

import html
import re
from datetime import datetime, timedelta
from smtplib import SMTPException

import pytest
from django.core.mail import EmailMessage
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from waffle.testutils import override_switch

from bookings import notifications
from bookings.features import BOOKINGS
from bookings.models import Appointment, Status
from bookings.services import appointments, reminders
from core.errors import StaleEdit
from linking import services as link_services
from mail import services as mail_services
from mail.models import Email
from mail.tasks import deliver_email
from tests.bookings.acting_for_others import emails, link, refused, snapshot, unlink
from tests.bookings.helpers import ahead, book, lines, started, when
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

SENT, QUEUED, NO_ADDRESS = Email.Status.SENT, Email.Status.QUEUED, Email.Status.NO_ADDRESS


@pytest.fixture
def people(actor, types, linking_on):
    """Eli attends. Dora may book for him and receives copies; Gus may book for him but gets
    no copies; Hal receives copies only the other way round (Eli gets Hal's); Nia receives
    copies for Eli but has no email address."""
    eli = CustomerFactory(first_name="Eli", last_name="Brown", email="eli@example.com")
    dora = CustomerFactory(first_name="Dora", last_name="Brown", email="dora@example.com")
    gus = CustomerFactory(first_name="Gus", last_name="Grey", email="gus@example.com")
    hal = CustomerFactory(first_name="Hal", last_name="Hill", email="hal@example.com")
    nia = CustomerFactory(first_name="Nia", last_name="North", email="")
    links = {
        "dora": link(actor, types, dora, eli, agent_may={"can_book", "receives_copies"}),
        "gus": link(actor, types, gus, eli, agent_may={"can_book"}),
        "hal": link(actor, types, hal, eli, principal_may={"receives_copies"}),
        "nia": link(actor, types, nia, eli, agent_may={"receives_copies"}),
    }
    # The links themselves emailed Eli and Hal (someone may now act for them): start clean.
    Email.objects.all().delete()
    return {"eli": eli, "dora": dora, "gus": gus, "hal": hal, "nia": nia, "links": links}


def addresses(outbox):
    return sorted(address for message in outbox for address in message.to)


def delivered(capture, action):
    """Run `action` in a transaction that commits, delivering what it queued."""
    with capture(execute=True):
        return action()


# Booking.


def test_a_booking_is_confirmed_by_email_once_it_commits(
    actor, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    olly = CustomerFactory(first_name="Olly", last_name="Out", email="olly@example.com")
    at = ahead(2, 10)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        book(actor, olly, catalogue.haircut, at)
        # Recorded with the booking, sent only once it commits.
        assert emails() == [(olly, olly, "olly@example.com", QUEUED)]
        assert mailoutbox == []

    assert len(callbacks) == 1
    assert emails() == [(olly, olly, "olly@example.com", SENT)]
    assert Email.objects.get().sent_at is not None
    (message,) = mailoutbox
    local = timezone.localtime(at)
    assert message.to == ["olly@example.com"]
    assert (
        message.subject == f"Your appointment is booked: Haircut, {local:%a} {local.day} {local:%b} at 10:00"
    )
    assert f"Haircut is booked for Olly Out on {local:%A} {local.day} {local:%B %Y} at 10:00." in message.body
    assert "copy" not in message.body


def test_a_booking_sends_copies_to_everyone_who_receives_them(
    actor, catalogue, people, mailoutbox, django_capture_on_commit_callbacks
):
    eli, dora, nia = people["eli"], people["dora"], people["nia"]
    delivered(
        django_capture_on_commit_callbacks, lambda: book(actor, eli, catalogue.massage, ahead(3), by=dora)
    )

    assert emails("booking.confirmation") == [
        (eli, eli, "eli@example.com", SENT),
        (dora, eli, "dora@example.com", SENT),
        (nia, eli, "", NO_ADDRESS),
    ]
    # Not Gus (may book, gets no copies), not Hal (copies the other way round).
    assert addresses(mailoutbox) == ["dora@example.com", "eli@example.com"]
    copy = next(m for m in mailoutbox if m.to == ["dora@example.com"])
    assert "Booked by Dora Brown." in copy.body
    assert "You are receiving a copy because you are linked to Eli Brown." in copy.body
    own = next(m for m in mailoutbox if m.to == ["eli@example.com"])
    assert "receiving a copy" not in own.body


def test_a_family_sharing_one_mailbox_gets_one_email_not_a_copy_too(
    actor, catalogue, people, mailoutbox, django_capture_on_commit_callbacks
):
    eli, dora = people["eli"], people["dora"]
    eli.email = "The.Browns@example.com"
    eli.save()
    dora.email = "the.browns@example.com"
    dora.save()

    delivered(django_capture_on_commit_callbacks, lambda: book(actor, eli, catalogue.massage, ahead(3)))

    assert emails("booking.confirmation") == [
        (eli, eli, "The.Browns@example.com", SENT),
        (people["nia"], eli, "", NO_ADDRESS),
    ]
    assert addresses(mailoutbox) == ["The.Browns@example.com"]


def test_a_dependents_booking_copies_the_groups_owner_and_admins(
    actor, catalogue, family, linking_on, mailoutbox, django_capture_on_commit_callbacks
):
    ben, anna, cara = family["ben"], family["anna"], family["cara"]
    delivered(django_capture_on_commit_callbacks, lambda: book(actor, ben, catalogue.haircut, ahead(2)))

    assert {row[0] for row in emails("booking.confirmation")} == {ben, anna, cara}
    assert addresses(mailoutbox) == sorted([ben.email, anna.email, cara.email])
    # The Owner's own booking is copied to nobody: Dependents and Admins do not act for her.
    mailoutbox.clear()
    delivered(django_capture_on_commit_callbacks, lambda: book(actor, anna, catalogue.haircut, ahead(3)))
    assert addresses(mailoutbox) == [anna.email]


@pytest.mark.parametrize("kind", ["booking.confirmation", "booking.changed", "booking.cancelled"])
def test_every_change_to_a_dependents_appointment_copies_the_owner_and_admins(
    actor, catalogue, family, linking_on, mailoutbox, django_capture_on_commit_callbacks, kind
):
    ben = family["ben"]
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(actor, ben, catalogue.haircut, ahead(2, 10))
        if kind == "booking.changed":
            appointments.move(actor=actor, appointment_id=appointment.pk, starts_at=ahead(2, 12), version=1)
        elif kind == "booking.cancelled":
            appointments.cancel(actor=actor, appointment_id=appointment.pk, version=1)

    assert sorted(row[0].first_name for row in emails(kind)) == ["Anna", "Ben", "Cara"]
    assert all(row[1] == ben and row[3] == SENT for row in emails(kind))


def test_with_account_linking_off_nobody_gets_copies(
    actor, catalogue, people, django_capture_on_commit_callbacks
):
    from linking.features import ACCOUNT_LINKING

    with override_switch(ACCOUNT_LINKING, active=False):
        delivered(
            django_capture_on_commit_callbacks, lambda: book(actor, people["eli"], catalogue.haircut, ahead())
        )
    assert [row[0] for row in emails()] == [people["eli"]]


class Undone(Exception):
    """Raised to roll a transaction back."""


def rolled_back(action):
    """Run `action` in a transaction that then rolls back."""
    with transaction.atomic():
        action()
        raise Undone


def test_nothing_is_sent_for_a_booking_rolled_back(
    actor, catalogue, people, mailoutbox, django_capture_on_commit_callbacks
):
    def booked_then_undone():
        book(actor, people["eli"], catalogue.haircut, ahead(2), by=people["dora"])
        assert len(emails()) == 3  # recorded inside the transaction...

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Undone):
        rolled_back(booked_then_undone)

    assert callbacks == [] and mailoutbox == []  # ...and gone with it, never sent
    assert not Email.objects.exists() and not Appointment.objects.exists()


def test_a_customer_without_an_address_is_logged_as_not_sent(
    actor, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    nobody = CustomerFactory(first_name="Val", last_name="Void", email="")
    delivered(django_capture_on_commit_callbacks, lambda: book(actor, nobody, catalogue.haircut, ahead()))

    assert emails() == [(nobody, nobody, "", NO_ADDRESS)]
    assert mailoutbox == []


# Cancelling.


def test_a_cancellation_is_emailed_to_the_attendee_and_copies(
    actor, catalogue, people, mailoutbox, django_capture_on_commit_callbacks
):
    appointment = book(actor, people["eli"], catalogue.massage, ahead(3, 14), by=people["dora"])
    mailoutbox.clear()

    delivered(
        django_capture_on_commit_callbacks,
        lambda: appointments.cancel(
            actor=actor, appointment_id=appointment.pk, version=1, on_behalf_of=people["gus"].pk
        ),
    )

    assert [row[0] for row in emails("booking.cancelled")] == [people["eli"], people["dora"], people["nia"]]
    assert addresses(mailoutbox) == ["dora@example.com", "eli@example.com"]
    assert all(m.subject.startswith("Your appointment is cancelled: Massage") for m in mailoutbox)


def test_a_refused_cancellation_emails_nobody(actor, catalogue, people):
    appointment = book(actor, people["eli"], catalogue.massage, ahead(3), by=people["dora"])
    refused(
        lambda: appointments.cancel(
            actor=actor, appointment_id=appointment.pk, version=1, on_behalf_of=people["hal"].pk
        ),
        "^Hal Hill may no longer manage Eli Brown's appointments\\.$",
    )


# Changing the time.


def move(actor, appointment, starts_at, *, by=None, version=None):
    return appointments.move(
        actor=actor,
        appointment_id=appointment.pk,
        starts_at=starts_at,
        version=appointment.version if version is None else version,
        on_behalf_of=by.pk if by else None,
    )


def test_moving_changes_the_time_writes_history_and_tells_everyone(
    actor, catalogue, people, mailoutbox, django_capture_on_commit_callbacks
):
    eli, dora = people["eli"], people["dora"]
    was, now = ahead(3, 14), ahead(4, 9, 30)
    appointment = book(actor, eli, catalogue.massage, was, by=dora)
    mailoutbox.clear()

    moved = delivered(django_capture_on_commit_callbacks, lambda: move(actor, appointment, now, by=dora))

    moved.refresh_from_db()
    assert (moved.starts_at, moved.ends_at, moved.version, moved.status) == (
        now,
        now + timedelta(minutes=60),
        2,
        Status.BOOKED,
    )
    words = f"Moved Massage from {when(was)} to {when(now)}"
    assert lines(eli, "booking.moved") == [f"{words}, by Dora Brown."]
    assert lines(dora, "booking.moved") == [f"{words} for Eli Brown."]
    assert [row[0] for row in emails("booking.changed")] == [eli, dora, people["nia"]]
    assert addresses(mailoutbox) == ["dora@example.com", "eli@example.com"]
    body = mailoutbox[0].body
    assert (
        f"Eli Brown's Massage has moved to {notifications.when(now)} (it was {notifications.when(was)})."
        in body
    )


def test_the_attendee_moves_their_own(actor, catalogue, people):
    appointment = book(actor, people["eli"], catalogue.haircut, ahead(2, 10))
    move(actor, appointment, ahead(2, 16))
    assert lines(people["eli"], "booking.moved") == [
        f"Moved Haircut from {when(ahead(2, 10))} to {when(ahead(2, 16))}."
    ]


@pytest.fixture
def booked(actor, catalogue, people):
    """Eli's massage, booked by Dora, three days ahead at 14:00; and his haircut at 16:00."""
    massage = book(actor, people["eli"], catalogue.massage, ahead(3, 14), by=people["dora"])
    book(actor, people["eli"], catalogue.haircut, ahead(3, 16))
    return massage


MOVE_REFUSALS = {
    "a past time": (
        lambda: timezone.now() - timedelta(hours=1),
        {},
        "^That time has passed; choose a time from now on\\.$",
    ),
    "the year 9999": (
        lambda: timezone.make_aware(datetime(9999, 12, 31, 23, 0)),
        {},
        "^Appointments may be booked up to two years ahead; choose a time before .+\\.$",
    ),
    "the time it has": (
        lambda: ahead(3, 14),
        {},
        "^That is the time it is booked for already; choose another time\\.$",
    ),
    "over another booking": (
        lambda: ahead(3, 15, 30),
        {},
        "^Eli Brown already has Haircut from 16:00 to 16:30 on ",
    ),
    "a stale version": (
        lambda: ahead(5, 9),
        {"version": 7},
        "^The appointment changed since you opened it\\. Reload and try again\\.$",
    ),
    "by someone who may not book for him": (
        lambda: ahead(5, 9),
        {"by": "hal"},
        "^Hal Hill may no longer manage Eli Brown's appointments\\.$",
    ),
}


@pytest.mark.parametrize("case", MOVE_REFUSALS, ids=list(MOVE_REFUSALS))
def test_a_move_is_refused_and_changes_nothing(actor, people, booked, case):
    to, options, message = MOVE_REFUSALS[case]
    by = people[options["by"]] if "by" in options else None
    error = StaleEdit if "version" in options else Exception
    refused(lambda: move(actor, booked, to(), by=by, version=options.get("version")), message, error=error)


def test_a_cancelled_appointment_is_not_moved(actor, people, booked):
    appointments.cancel(actor=actor, appointment_id=booked.pk, version=1)
    booked.refresh_from_db()
    refused(lambda: move(actor, booked, ahead(6)), "^That appointment is cancelled; it cannot be moved\\.$")


def test_a_started_appointment_is_not_moved(actor, catalogue, people):
    appointment = started(people["eli"], catalogue.haircut)
    refused(
        lambda: move(actor, appointment, ahead(1)), "^That appointment has started; it cannot be moved\\.$"
    )


def test_once_unlinked_the_agent_may_not_move_it(actor, people, booked):
    unlink(actor, people["links"]["dora"])
    refused(
        lambda: move(actor, booked, ahead(6), by=people["dora"]),
        "^Dora Brown may no longer manage Eli Brown's appointments\\.$",
    )


def text(response):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def move_url(customer, appointment):
    return reverse("bookings:move", args=[customer.pk, appointment.pk])


def form_time(moment):
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def test_change_time_from_the_agents_profile(
    desk, people, booked, bookings_on, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            move_url(people["dora"], booked), {"starts_at": form_time(ahead(5, 11)), "version": 1}
        )

    assert response.status_code == 302
    booked.refresh_from_db()
    assert (booked.starts_at, booked.version) == (ahead(5, 11), 2)
    assert len(emails("booking.changed")) == 3


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        ({"starts_at": "", "version": 1}, 400, "Choose when."),
        ({"starts_at": "tomorrow", "version": 1}, 400, "Enter a date and time."),
        (
            {"starts_at": "2001-01-01T10:00", "version": 1},
            400,
            "That time has passed; choose a time from now on.",
        ),
        ({"starts_at": "9999-12-31T23:59", "version": 1}, 400, "up to two years ahead"),
        ({"starts_at": "NEXT", "version": ""}, 400, "Reload and try again."),
        ({"starts_at": "NEXT", "version": 9}, 409, "The appointment changed since you opened it."),
    ],
    ids=["no time", "not a time", "the past", "too far ahead", "no version", "stale"],
)
def test_change_time_refusals_through_the_view(desk, people, booked, bookings_on, data, status, words):
    data = {
        **data,
        "starts_at": form_time(ahead(5, 11)) if data["starts_at"] == "NEXT" else data["starts_at"],
    }
    before = snapshot()
    response = desk.post(move_url(people["eli"], booked), data)
    assert response.status_code == status and words in text(response)
    assert snapshot() == before


def test_change_time_answers_404_from_a_profile_that_does_not_show_it(desk, people, booked, bookings_on):
    """Gus may book for Eli, but this appointment is neither his nor booked by him."""
    before = snapshot()
    response = desk.post(
        move_url(people["gus"], booked), {"starts_at": form_time(ahead(5, 11)), "version": 1}
    )
    assert response.status_code == 404 and snapshot() == before


def test_change_time_who_may(client, people, booked, staff_without_roles, front_desk_user, bookings_on):
    data = {"starts_at": form_time(ahead(5, 11)), "version": 1}
    url = move_url(people["eli"], booked)
    before = snapshot()
    anonymous = client.post(url, data)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/login/")
    nobody = Client()
    nobody.force_login(staff_without_roles)
    assert nobody.post(url, data).status_code == 403
    desk = Client()
    desk.force_login(front_desk_user)
    with override_switch(BOOKINGS, active=False):
        assert desk.post(url, data).status_code == 404
    assert snapshot() == before


# Reminders.


def test_reminders_go_once_per_appointment_and_recipient(
    actor, catalogue, people, mailoutbox, django_capture_on_commit_callbacks
):
    olly = CustomerFactory(first_name="Olly", last_name="Out", email="olly@example.com")
    now = timezone.now()
    soon = book(actor, people["eli"], catalogue.massage, now + timedelta(hours=2), by=people["dora"])
    book(actor, olly, catalogue.haircut, now + timedelta(hours=20))
    book(actor, olly, catalogue.haircut, now + timedelta(hours=30))  # too far ahead yet
    dropped = book(actor, olly, catalogue.massage, now + timedelta(hours=5))
    appointments.cancel(actor=actor, appointment_id=dropped.pk, version=1)
    started(olly, catalogue.massage, minutes_ago=200)  # begun already
    Email.objects.all().delete()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = reminders.send_reminders(now=now)
    with django_capture_on_commit_callbacks(execute=True):
        second = reminders.send_reminders(now=now + timedelta(minutes=30))

    # Eli, his copy to Dora, the copy logged for Nia (no address), and Olly's 20-hour one.
    assert (first, second) == (4, 0)
    assert sorted((row[0].first_name, row[1].first_name, row[3]) for row in emails("booking.reminder")) == [
        ("Dora", "Eli", SENT),
        ("Eli", "Eli", SENT),
        ("Nia", "Eli", NO_ADDRESS),
        ("Olly", "Olly", SENT),
    ]
    assert addresses(mailoutbox) == ["dora@example.com", "eli@example.com", "olly@example.com"]
    assert all(m.subject.startswith("Reminder: ") for m in mailoutbox)
    assert f"A reminder that Eli Brown has Massage on {notifications.when(soon.starts_at)}." in next(
        m.body for m in mailoutbox if m.to == ["eli@example.com"]
    )


def test_a_moved_appointment_is_reminded_of_its_new_time(
    actor, catalogue, people, django_capture_on_commit_callbacks
):
    now = timezone.now()
    appointment = book(actor, people["eli"], catalogue.haircut, now + timedelta(hours=3))
    reminders.send_reminders(now=now)
    move(actor, appointment, now + timedelta(hours=6))

    assert reminders.send_reminders(now=now) == 3
    assert reminders.send_reminders(now=now) == 0


def test_a_reminder_to_a_long_address_is_recorded_whole(actor, catalogue, django_capture_on_commit_callbacks):
    address = "appointments.and.reminders.for.the.whole.family@" + "long-family-domain-name." * 2 + "example"
    assert len(address) <= 254
    long = CustomerFactory(first_name="Lou", last_name="Long", email=address)
    book(actor, long, catalogue.haircut, timezone.now() + timedelta(hours=2))

    reminders.send_reminders()

    limit = Email._meta.get_field("once_key").max_length
    reminder = Email.objects.get(kind="booking.reminder")
    assert len(reminder.once_key) <= limit


# Delivery.


def test_a_failed_delivery_is_logged_with_the_mail_servers_words(
    actor, catalogue, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    def refuse(self, fail_silently=False):
        raise SMTPException("Connection refused by smtp.example.com")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    olly = CustomerFactory(first_name="Olly", last_name="Out", email="olly@example.com")

    delivered(django_capture_on_commit_callbacks, lambda: book(actor, olly, catalogue.haircut, ahead()))

    email = Email.objects.get()
    assert (email.status, email.sent_at) == (Email.Status.FAILED, None)
    assert email.error == "SMTPException: Connection refused by smtp.example.com"
    assert mailoutbox == []
    # The booking stands: a mail server's trouble never undoes the change it tells of.
    assert Appointment.objects.get().status == Status.BOOKED


def booked_while_the_mail_server_was_down(actor, catalogue, people, monkeypatch, capture):
    def refuse(self, fail_silently=False):
        raise SMTPException("Connection refused")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    delivered(capture, lambda: book(actor, people["eli"], catalogue.haircut, ahead()))
    monkeypatch.undo()


def test_a_failed_copy_goes_again_only_while_the_permission_lasts(
    actor, catalogue, people, monkeypatch, django_capture_on_commit_callbacks
):
    """Dora's copy failed; once her link is gone, Send Again refuses to send Eli's business to
    her. Eli's own email still goes again."""
    booked_while_the_mail_server_was_down(
        actor, catalogue, people, monkeypatch, django_capture_on_commit_callbacks
    )
    failed = {row.recipient.first_name: row for row in Email.objects.filter(status=Email.Status.FAILED)}
    assert set(failed) == {"Eli", "Dora"}

    unlink(actor, people["links"]["dora"])
    before = snapshot()
    refused(
        lambda: mail_services.send_email_again(actor=actor, email_id=failed["Dora"].pk),
        "^Dora Brown no longer gets copies for Eli Brown; nothing was sent\\.$",
    )
    assert snapshot() == before

    again = mail_services.send_email_again(actor=actor, email_id=failed["Eli"].pk)
    assert (again.recipient, again.to_address) == (people["eli"], "eli@example.com")


def test_a_failed_copy_goes_again_while_the_link_stands(
    actor, catalogue, people, monkeypatch, django_capture_on_commit_callbacks
):
    booked_while_the_mail_server_was_down(
        actor, catalogue, people, monkeypatch, django_capture_on_commit_callbacks
    )
    failed = Email.objects.get(status=Email.Status.FAILED, recipient=people["dora"])

    again = delivered(
        django_capture_on_commit_callbacks,
        lambda: mail_services.send_email_again(actor=actor, email_id=failed.pk),
    )
    again.refresh_from_db()

    assert (again.recipient, again.about, again.status) == (people["dora"], people["eli"], Email.Status.SENT)


def test_an_email_is_delivered_once(actor, catalogue, mailoutbox, django_capture_on_commit_callbacks):
    olly = CustomerFactory(first_name="Olly", last_name="Out", email="olly@example.com")
    delivered(django_capture_on_commit_callbacks, lambda: book(actor, olly, catalogue.haircut, ahead()))
    email = Email.objects.get()

    assert deliver_email.call(email.pk) == "not queued"
    assert len(mailoutbox) == 1


# The Emails tab.


def emails_tab(customer):
    return reverse("customers:profile_tab", args=[customer.pk, "emails"])


def test_the_emails_tab_shows_emails_to_and_about_the_customer(
    desk, actor, catalogue, people, django_capture_on_commit_callbacks
):
    eli, dora = people["eli"], people["dora"]
    delivered(
        django_capture_on_commit_callbacks, lambda: book(actor, eli, catalogue.massage, ahead(3, 14), by=dora)
    )

    elis = desk.get(emails_tab(eli))
    assert elis.status_code == 200
    words = text(elis)
    # His own confirmation and the copies about him, to Dora and to Nia (not sent: no address).
    assert words.count("Your appointment is booked: Massage") == 3
    assert "dora@example.com" in words and "Copy: about Eli" in words
    assert "Not sent: no email address" in words
    assert "gus@example.com" not in words

    doras = text(desk.get(emails_tab(dora)))
    assert doras.count("Your appointment is booked: Massage") == 1
    assert "Copy: about Eli Brown" in doras and "Sent" in doras

    assert "No emails to or about Gus." in text(desk.get(emails_tab(people["gus"])))


# Telling a principal someone may now act for them.


def granted():
    return list(Email.objects.filter(kind="link.granted").order_by("pk"))


def test_a_new_link_with_permissions_tells_the_principal(
    actor, types, linking_on, mailoutbox, django_capture_on_commit_callbacks
):
    ivy = CustomerFactory(first_name="Ivy", last_name="Ito", email="ivy@example.com")
    jon = CustomerFactory(first_name="Jon", last_name="Ito", email="jon@example.com")

    delivered(
        django_capture_on_commit_callbacks,
        lambda: link(actor, types, jon, ivy, agent_may={"can_book", "receives_copies"}),
    )

    (email,) = granted()
    assert (email.recipient, email.about, email.to_address) == (ivy, ivy, "ivy@example.com")
    assert email.subject == "Jon Ito may now act for you"
    assert (
        "  - Book and Manage Appointments\n  - Receive Copies of Appointment Notification Emails"
        in email.body
    )
    assert "Intake" not in email.body and "Packages" not in email.body
    assert [m.to for m in mailoutbox] == [["ivy@example.com"]]


def test_a_link_with_permissions_both_ways_tells_both(actor, types, linking_on):
    ivy = CustomerFactory(first_name="Ivy", last_name="Ito")
    jon = CustomerFactory(first_name="Jon", last_name="Ito")
    link(actor, types, jon, ivy, agent_may={"can_book"}, principal_may={"can_use_packages"})
    assert sorted((e.recipient.first_name, e.subject) for e in granted()) == [
        ("Ivy", "Jon Ito may now act for you"),
        ("Jon", "Ivy Ito may now act for you"),
    ]


def test_a_link_without_permissions_tells_nobody(actor, types, linking_on):
    link(actor, types, CustomerFactory(), CustomerFactory())
    assert granted() == []


def change(actor, side, agent_may, principal_may=()):
    side.refresh_from_db()
    return link_services.change_link(
        actor=actor,
        link_id=side.pk,
        version=side.version,
        type_id=side.type_id,
        agent_may=dict.fromkeys(agent_may, True),
        principal_may=dict.fromkeys(principal_may, True),
    )


def test_changing_a_link_tells_the_principal_only_of_what_is_new(actor, types, linking_on):
    ivy = CustomerFactory(first_name="Ivy", last_name="Ito")
    jon = CustomerFactory(first_name="Jon", last_name="Ito")
    side = link(actor, types, jon, ivy, agent_may={"can_book"})
    Email.objects.all().delete()

    change(actor, side, {"can_book", "can_complete_forms"})

    (email,) = granted()
    assert email.recipient == ivy
    assert "  - Complete Intake Forms" in email.body and "Book and Manage" not in email.body


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({"can_book", "receives_copies"}, {"can_book"}),
        ({"can_book"}, {"can_book"}),
        ({"can_book"}, set()),
    ],
    ids=["one unticked", "nothing changed", "everything unticked"],
)
def test_changing_a_link_without_granting_anything_new_tells_nobody(actor, types, linking_on, before, after):
    side = link(actor, types, CustomerFactory(), CustomerFactory(), agent_may=before)
    Email.objects.all().delete()
    change(actor, side, after)
    assert granted() == []


def test_the_link_email_is_sent_only_when_the_link_commits(
    actor, types, linking_on, mailoutbox, django_capture_on_commit_callbacks
):
    ivy = CustomerFactory(first_name="Ivy", last_name="Ito")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Undone):
        rolled_back(lambda: link(actor, types, CustomerFactory(), ivy, agent_may={"can_book"}))
    assert granted() == [] and mailoutbox == []
