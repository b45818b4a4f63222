"""An email never fails because of what a name holds (issue 15).

A first name "Evil\\r\\nBcc: …" made the "may now act for you" email fail: Django refuses a
line break in a subject (it would start a new header), so the principal was never told.
Forms refuse such names now, but names stored before that, or written where no form
checks them, still reach the subjects; mail.services makes every subject one line.
"""

import pytest

from customers.models import Customer
from mail.models import Email
from mail.services import Recipient, queue
from mail.tasks import deliver_email
from tests.bookings.acting_for_others import link
from tests.bookings.helpers import ahead, book
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

EVIL = "Evil\r\nBcc: x@example.com"


def stored_as(customer, first_name):
    """The name written straight to the table, as it was before the forms refused it."""
    Customer.objects.filter(pk=customer.pk).update(first_name=first_name)
    customer.refresh_from_db()
    return customer


def assert_one_clean_message(mailoutbox, to):
    (message,) = mailoutbox
    assert message.recipients() == [to]  # nobody added by a Bcc
    assert "\r" not in message.subject and "\n" not in message.subject
    headers = message.message()
    assert headers["Bcc"] is None
    assert headers["Subject"] == message.subject
    return message


def test_the_may_now_act_for_you_email_goes_whatever_the_agents_name_holds(
    actor, types, linking_on, mailoutbox, django_capture_on_commit_callbacks
):
    ivy = CustomerFactory(first_name="Ivy", last_name="Ito", email="ivy@example.com")
    evil = stored_as(CustomerFactory(last_name="Ito", email="evil@example.com"), EVIL)

    with django_capture_on_commit_callbacks(execute=True):
        link(actor, types, evil, ivy, agent_may={"can_book"})

    email = Email.objects.get(kind="link.granted")
    assert email.status == Email.Status.SENT and email.error == ""
    assert email.subject == "Evil Bcc: x@example.com Ito may now act for you"
    message = assert_one_clean_message(mailoutbox, "ivy@example.com")
    assert message.subject == email.subject


def test_an_appointment_email_goes_whatever_the_names_hold(
    actor, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    evil = stored_as(CustomerFactory(last_name="Ito", email="evil@example.com"), EVIL)
    # A service name goes into the subject itself: stored with a line break, as a name could be.
    type(catalogue.haircut).objects.filter(pk=catalogue.haircut.pk).update(name="Cut\nBcc: y@example.com")
    catalogue.haircut.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        book(actor, evil, catalogue.haircut, ahead(2, 10))

    email = Email.objects.get(kind="booking.confirmation")
    assert email.status == Email.Status.SENT
    assert email.subject.startswith("Your appointment is booked: Cut Bcc: y@example.com, ")
    assert_one_clean_message(mailoutbox, "evil@example.com")
    assert EVIL in email.body  # the body may hold line breaks; only headers may not


@pytest.mark.parametrize(
    "subject",
    ["Evil\r\nBcc: x@example.com may now act for you", "Ann\x1b[31m\u202egnp.exe", "\n"],
    ids=["header injection", "escape and override", "nothing but a line break"],
)
def test_an_email_queued_with_a_subject_of_several_lines_is_sent_on_one(
    mailoutbox, django_capture_on_commit_callbacks, subject
):
    anna = CustomerFactory(first_name="Anna", email="anna@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        (email,) = queue(kind="test", subject=subject, body="Hello", about=anna, recipients=[Recipient(anna)])
    email.refresh_from_db()
    assert email.status == Email.Status.SENT
    assert_one_clean_message(mailoutbox, "anna@example.com")


def test_an_email_stored_before_subjects_were_one_line_is_still_sent(mailoutbox):
    """A row queued before this fix keeps its old subject; delivering it must not fail."""
    anna = CustomerFactory(first_name="Anna", email="anna@example.com")
    email = Email.objects.create(
        recipient=anna,
        about=anna,
        to_address="anna@example.com",
        kind="link.granted",
        subject=EVIL,
        body="Hi",
    )
    deliver_email.call(email.pk)
    email.refresh_from_db()
    assert email.status == Email.Status.SENT
    message = assert_one_clean_message(mailoutbox, "anna@example.com")
    assert message.subject == "Evil Bcc: x@example.com"
