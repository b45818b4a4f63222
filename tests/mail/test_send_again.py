"""Send Again on the Emails tab: an email that failed, or found no address, goes again as a new
email with the same words, logged beside the first; once only, and never for one that went."""

import pytest
from django.core import mail
from django.urls import reverse

from core.errors import KinshipError
from customers.models import Activity
from mail import services
from mail.models import Email
from mail.services import Recipient, queue
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HTMX_IN_TABS = {"HX-Request": "true", "HX-Current-URL": "http://testserver/customers/1/"}


@pytest.fixture
def ann():
    return CustomerFactory(first_name="Ann", last_name="Lee", email="ann@example.com")


def one_email(about, recipient, *, status=Email.Status.FAILED, kind="booking.confirmation"):
    (email,) = queue(
        kind=kind,
        subject="Your haircut on Friday",
        body="See you at 10:00.",
        about=about,
        recipients=[recipient],
    )
    Email.objects.filter(pk=email.pk).update(status=status, error="SMTPServerDisconnected: gone")
    return Email.objects.get(pk=email.pk)


def url(customer, email):
    return reverse("mail:send_email_again", args=[customer.pk, email.pk])


def test_a_failed_email_goes_again_to_the_address_on_file_now(
    ann, front_desk_user, django_capture_on_commit_callbacks
):
    failed = one_email(ann, Recipient(ann))
    ann.email = "ann.lee@example.com"
    ann.save()

    with django_capture_on_commit_callbacks(execute=True):
        again = services.send_email_again(actor=front_desk_user, email_id=failed.pk)

    again.refresh_from_db()
    failed.refresh_from_db()
    assert (again.status, again.to_address, again.subject, again.body, again.kind) == (
        Email.Status.SENT,
        "ann.lee@example.com",
        failed.subject,
        failed.body,
        failed.kind,
    )
    assert (again.recipient, again.about) == (ann, ann)
    assert failed.status == Email.Status.FAILED and failed.sent_again_as == again
    assert [m.to for m in mail.outbox] == [["ann.lee@example.com"]]
    line = Activity.objects.get(customer=ann, kind="email.sent_again")
    assert line.actor == front_desk_user
    assert line.sentence == "Email sent again to ann.lee@example.com: Your haircut on Friday"


def test_a_copy_goes_again_to_the_linked_client_and_both_histories_say_so(ann, front_desk_user):
    """A receipt goes where staff chose; a copy that follows a permission is checked in
    tests/bookings/test_notifications.py."""
    pat = CustomerFactory(first_name="Pat", email="pat@example.com")
    failed = one_email(ann, Recipient(pat), kind="package.receipt")

    again = services.send_email_again(actor=front_desk_user, email_id=failed.pk)

    assert (again.recipient, again.about, again.to_address) == (pat, ann, "pat@example.com")
    assert Activity.objects.filter(kind="email.sent_again").count() == 2
    assert {line.customer for line in Activity.objects.filter(kind="email.sent_again")} == {ann, pat}


def test_a_typed_address_is_used_again(ann, front_desk_user):
    failed = one_email(ann, Recipient(None, "friend@example.com"))

    again = services.send_email_again(actor=front_desk_user, email_id=failed.pk)

    assert (again.recipient, again.to_address) == (None, "friend@example.com")


def test_one_without_an_address_goes_once_the_customer_has_one(ann, front_desk_user):
    ann.email = ""
    ann.save()
    unsent = one_email(ann, Recipient(ann), status=Email.Status.NO_ADDRESS)

    with pytest.raises(KinshipError, match="Ann Lee has no email address; add one to their details first."):
        services.send_email_again(actor=front_desk_user, email_id=unsent.pk)
    assert Email.objects.count() == 1 and not Activity.objects.filter(kind="email.sent_again").exists()

    ann.email = "ann@example.com"
    ann.save()
    again = services.send_email_again(actor=front_desk_user, email_id=unsent.pk)
    assert again.to_address == "ann@example.com"


@pytest.mark.parametrize("status", [Email.Status.SENT, Email.Status.QUEUED])
def test_an_email_that_went_or_is_going_is_not_sent_again(ann, front_desk_user, status):
    email = one_email(ann, Recipient(ann), status=status)

    with pytest.raises(KinshipError, match="Only an email that failed or had no address can be sent again."):
        services.send_email_again(actor=front_desk_user, email_id=email.pk)
    assert Email.objects.count() == 1


def test_sending_again_twice_sends_once(ann, front_desk_user):
    failed = one_email(ann, Recipient(ann))
    services.send_email_again(actor=front_desk_user, email_id=failed.pk)

    with pytest.raises(KinshipError, match="That email was already sent again."):
        services.send_email_again(actor=front_desk_user, email_id=failed.pk)
    assert Email.objects.count() == 2
    assert Activity.objects.filter(kind="email.sent_again").count() == 1


def test_send_again_from_the_emails_tab(ann, desk):
    failed = one_email(ann, Recipient(ann))
    emails_tab = reverse("customers:profile_tab", args=[ann.pk, "emails"])
    assert 'aria-label="Send Again: Your haircut on Friday"' in desk.get(emails_tab).text

    response = desk.post(url(ann, failed), headers=HTMX_IN_TABS)

    assert response.status_code == 204 and emails_tab in response.headers["HX-Location"]
    page = desk.get(emails_tab).text
    assert "Sent again" in page and "Send Again" not in page
    assert "“Your haircut on Friday” was sent again to ann@example.com." in page


def test_send_again_on_the_front_desk_stays_on_the_front_desk(ann, desk):
    failed = one_email(ann, Recipient(ann))
    desk_emails = reverse("customers:desk_tab", args=[ann.pk, "emails"])
    page = desk.get(desk_emails).text
    assert f'name="next" value="{desk_emails}"' in page

    response = desk.post(url(ann, failed), {"next": desk_emails})

    assert response.status_code == 302 and response.url == desk_emails


def test_a_plain_post_redirects_and_a_refusal_says_why(ann, desk):
    failed = one_email(ann, Recipient(ann))
    assert desk.post(url(ann, failed)).status_code == 302

    response = desk.post(url(ann, failed))

    assert response.status_code == 400
    assert "That email was already sent again." in response.text
    assert Email.objects.count() == 2


def test_an_email_neither_to_nor_about_the_customer_is_not_found(ann, desk):
    stranger = CustomerFactory(email="s@example.com")
    failed = one_email(stranger, Recipient(stranger))

    assert desk.post(url(ann, failed)).status_code == 404
    assert Email.objects.count() == 1


def test_staff_without_a_role_may_not_send_again(ann, client, staff_without_roles):
    failed = one_email(ann, Recipient(ann))
    client.force_login(staff_without_roles)

    assert client.post(url(ann, failed)).status_code == 403
    assert Email.objects.count() == 1


def test_an_email_waiting_to_be_tried_again_says_so_and_offers_no_send_again(ann, desk):
    waiting = one_email(ann, Recipient(ann), status=Email.Status.QUEUED)
    Email.objects.filter(pk=waiting.pk).update(attempts=1)
    page = desk.get(reverse("customers:profile_tab", args=[ann.pk, "emails"])).text
    assert "Trying again shortly; last time: SMTPServerDisconnected: gone" in page
    assert "Send Again" not in page


def test_an_email_being_sent_says_so_and_may_not_be_sent_again(ann, desk, front_desk_user):
    """A worker has claimed it and is talking to the mail server (it tried once before):
    the tab says Sending, and Send Again could send it twice, so neither tab nor service offers it."""
    sending = one_email(ann, Recipient(ann), status=Email.Status.QUEUED)
    # A claim is a time with the status: the schema refuses Sending without one.
    Email.objects.filter(pk=sending.pk).update(
        status=Email.Status.SENDING, claimed_at=sending.created_at, attempts=1
    )
    page = desk.get(reverse("customers:profile_tab", args=[ann.pk, "emails"])).text
    assert "<td>Sending<br>" in page
    assert "Trying again now; last time: SMTPServerDisconnected: gone" in page
    assert "Send Again" not in page
    with pytest.raises(KinshipError, match="Only an email that failed or had no address can be sent again."):
        services.send_email_again(actor=front_desk_user, email_id=sending.pk)
