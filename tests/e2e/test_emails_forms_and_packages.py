"""More of bookings in a real browser: notification emails and their copies, intake forms,
packages of sessions, Change Time, and the Manager's Intake Forms and Access Reviews pages.

What ties these together is `linking.authority`: a linked client (or a group's Owner and
Admins) may receive copies of someone's emails, complete their intake forms and use
sessions from their packages, and loses all of it the moment the link goes. Each test logs
in as a receptionist (`desk_page`) or a Manager (`manager_page`),
and fails on any JavaScript error, failed load or CSP violation (`browser_problems`).

The switches `bookings`, `account_linking` and `billing` are off after every flush;
`bookings_on`, `linking_on` and `billing_on` switch them on where the live server reads
them. Appointments that have started are made with the ORM (`started_earlier_today`), as
the services refuse a time that has passed. Anna and Ben Smith, Cara Jones and the
Smiths' group come from conftest.py; the helpers from test_bookings.py.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from bookings.models import FormRequest, IntakeForm, Package, Redemption, Status
from bookings.services import appointments, intake, packages
from customers.models import Customer
from linking import services as linking_services
from linking.models import AccessReview, Link
from mail.models import Email
from mail.services import Recipient
from mail.services import queue as mail_queue
from tests.e2e import test_billing, test_bookings, test_groups
from tests.e2e.test_billing import expect_balances, ledger_rows, open_billing
from tests.e2e.test_bookings import (
    book,
    book_for,
    bookings,
    day_rows,
    open_bookings,
    past,
    refusals_of,
    rows,
    started_earlier_today,
    tomorrow_at,
    typed,
    upcoming,
)
from tests.e2e.test_front_desk import expect_htmx_done, expect_same_document, mark_this_document
from tests.e2e.test_groups import assert_accessible, control, history_lines, needs_axe, toast
from tests.e2e.test_links import link, link_row, links_panel, links_table

# The fixtures shared with the other e2e modules, under the names the tests ask for.
bookings_on = test_bookings.bookings_on
haircut = test_bookings.haircut
massage = test_bookings.massage
billing_on = test_billing.billing_on
family = test_groups.family  # the Smiths with Cara Jones, their nanny, as an Admin

EVERYTHING = {"can_book": True, "can_complete_forms": True, "receives_copies": True, "can_use_packages": True}

# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture
def anna_and_ben(front_desk_user, types, anna, ben):
    """Anna is Ben's Parent: her side ticks all four permissions, his none."""
    return link(front_desk_user, anna, ben, types["Parent"])


@pytest.fixture
def partners(front_desk_user, types, anna, cara):
    """Anna and Cara are Partners: each may book for the other, receives copies and may use
    the other's packages (the Partner type's usual permissions), but not complete forms."""
    return link(front_desk_user, anna, cara, types["Partner"])


@pytest.fixture
def close_partners(front_desk_user, types, anna, cara):
    """Anna and Cara are Partners who may do everything for each other, forms included."""
    return linking_services.link_customers(
        actor=front_desk_user,
        agent_id=anna.pk,
        principal_id=cara.pk,
        type_id=types["Partner"].pk,
        agent_may=EVERYTHING,
        principal_may=EVERYTHING,
    )


@pytest.fixture
def health_form():
    """An intake form in use, with a required question and two optional ones."""
    return IntakeForm.objects.create(
        name="Health Questions",
        questions=[
            {"text": "Any allergies?", "kind": "text", "required": True},
            {"text": "Are you pregnant?", "kind": "yes_no", "required": False},
            {"text": "How many visits so far?", "kind": "number", "required": False},
        ],
    )


# --- Helpers --------------------------------------------------------------------------------


def open_tab(page: Page, customer, name, slug):
    """The customer's profile, then one of its tabs, swapped in by htmx."""
    page.goto(f"/customers/{customer.pk}/")
    page.get_by_role("tab", name=name).click()
    expect(page).to_have_url(f"/customers/{customer.pk}/{slug}/")
    expect(page.get_by_role("tabpanel", name=name)).to_be_visible()
    expect_htmx_done(page)
    return page.get_by_role("tabpanel", name=name)


def email_rows(page: Page, customer) -> Locator:
    """The rows of the Emails tab, newest first."""
    open_tab(page, customer, "Emails", "emails")
    return page.get_by_role("table", name=re.compile(r"^Emails to ")).locator("tbody tr")


def short(moment):
    """How an email's subject names a time, "Sat 21 Nov at 10:00"."""
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


def long(moment):
    """How an email's words name a time, "Saturday 21 November 2026 at 10:00"."""
    local = timezone.localtime(moment)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def package_form(page: Page) -> Locator:
    return page.get_by_role("form", name="Sell Package")


def packages_table(page: Page, customer) -> Locator:
    return page.get_by_role("table", name=f"{customer.full_name}'s packages, newest first")


def forms_for_others(page: Page, customer) -> Locator:
    return page.get_by_role(
        "table", name=f"Forms waiting for people {customer.full_name} may complete forms for"
    )


def forms_about(page: Page, customer) -> Locator:
    return page.get_by_role("table", name=f"Forms asked of {customer.full_name}, newest first")


def watch(page: Page, problems):
    """Report a second tab's JavaScript errors, failed loads and CSP violations, as
    `browser_problems` does for the first."""
    page.on(
        "console",
        lambda message: (
            message.type == "error" and problems.append(f"{message.text} ({message.location.get('url')})")
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"Uncaught: {error}"))


def pay_with(page: Page, attendee) -> Locator:
    return page.get_by_label(f"Pay {attendee.full_name}'s visit with")


def buy(customer, service, sessions=5, price=10000, actor=None):
    """Sell a package as the front desk would, without the browser."""
    return packages.buy_package(
        actor=actor, customer_id=customer.pk, service_id=service.pk, sessions=sessions, price=price
    )


def years_ago(years, days=0):
    """The date `years` years and `days` days ago (29 February becomes the 28th)."""
    today = timezone.localdate()
    try:
        then = today.replace(year=today.year - years)
    except ValueError:
        then = today.replace(year=today.year - years, day=28)
    return then - timedelta(days=days)


# --- Notification emails --------------------------------------------------------------------


def test_booking_for_a_dependent_emails_him_and_copies_the_owner_and_the_nanny(
    bookings_on, linking_on, family, desk_page, anna, ben, cara, haircut, browser_problems
):
    starts_at = tomorrow_at(10)
    page = desk_page
    open_bookings(page, anna)
    book(page, "Haircut", typed(starts_at), for_whom="Ben Smith")
    expect(toast(page, "Haircut was booked for Ben Smith.")).to_be_visible()
    subject = f"Your appointment is booked: Haircut, {short(starts_at)}"

    # Anna's Emails: her copy, about Ben, which leads to his profile.
    emails = email_rows(page, anna)
    expect(emails).to_have_count(1)
    copy = emails.first
    expect(copy.get_by_role("cell").nth(1)).to_contain_text("Anna Smith")
    expect(copy.get_by_role("cell").nth(1)).to_contain_text("anna@example.com")
    expect(copy.get_by_role("cell").nth(1)).to_contain_text("Copy: about Ben Smith")
    expect(copy.get_by_role("link", name="Ben Smith")).to_have_attribute("href", f"/customers/{ben.pk}/")
    expect(copy.locator("summary")).to_have_text(subject)
    # The body opens under the subject, and says why she has it.
    body = copy.locator("pre")
    expect(body).to_be_hidden()
    copy.get_by_text(subject).click()
    expect(body).to_be_visible()
    expect(body).to_contain_text(f"Haircut is booked for Ben Smith on {long(starts_at)}.")
    expect(body).to_contain_text("Booked by Anna Smith.")
    expect(body).to_contain_text("You are receiving a copy because you are linked to Ben Smith.")

    # Ben's Emails: his confirmation (no copy note), and the two copies about him; below
    # them, the emails that told him Anna and Cara may act for him.
    emails = email_rows(page, ben)
    expect(emails.locator("summary")).to_have_text(
        [subject] * 3 + ["Cara Jones may now act for you", "Anna Smith may now act for you"]
    )
    emails = emails.filter(has_text=subject)
    own = emails.filter(has_text="ben@example.com")
    expect(own).to_have_count(1)
    expect(own).not_to_contain_text("Copy:")
    expect(own.locator("summary")).to_have_text(subject)
    own.get_by_text(subject).click()
    expect(own.locator("pre")).to_contain_text(f"Haircut is booked for Ben Smith on {long(starts_at)}.")
    expect(own.locator("pre")).not_to_contain_text("receiving a copy")
    for address, name in (("anna@example.com", "Anna Smith"), ("cara@example.com", "Cara Jones")):
        row = emails.filter(has_text=address)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Copy: about Ben")
        expect(row.get_by_role("link", name=name)).to_be_visible()

    # Cara, the nanny (an Admin of the group), has her copy too.
    emails = email_rows(page, cara)
    expect(emails).to_have_count(1)
    expect(emails.first).to_contain_text("Copy: about Ben Smith")
    assert sorted(
        Email.objects.filter(kind="booking.confirmation").values_list("to_address", "about__first_name")
    ) == [
        ("anna@example.com", "Ben"),
        ("ben@example.com", "Ben"),
        ("cara@example.com", "Ben"),
    ]
    assert browser_problems == []


def test_send_again_on_the_emails_tab_resends_a_failed_email_once(desk_page, anna, ben, browser_problems):
    """A confirmation that the mail server refused goes again from Anna's Emails tab; one to Ben,
    who had no address, is refused until he has one."""
    failed = _logged_email(anna, "Your appointment is booked", status=Email.Status.FAILED)
    Email.objects.filter(pk=failed.pk).update(error="SMTPRecipientsRefused: mailbox full")
    page = desk_page

    row = email_rows(page, anna).first
    expect(row).to_contain_text("Failed")
    expect(row).to_contain_text("SMTPRecipientsRefused: mailbox full")
    row.get_by_role("button", name="Send Again: Your appointment is booked").click()
    expect(toast(page, "“Your appointment is booked” was sent again to anna@example.com.")).to_be_visible()
    expect_htmx_done(page)
    rows = page.get_by_role("table", name=re.compile(r"^Emails to ")).locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Sent")
    expect(rows.nth(1)).to_contain_text("Sent again")
    expect(rows.nth(1).get_by_role("button")).to_have_count(0)

    Customer.objects.filter(pk=ben.pk).update(email="")
    unsent = _logged_email(ben, "Your form", status=Email.Status.NO_ADDRESS)
    url = f"/customers/{ben.pk}/emails/{unsent.pk}/send-again/"
    row = email_rows(page, ben).filter(has_text="Your form")
    expect(row).to_contain_text("Not sent: no email address")
    row.get_by_role("button", name="Send Again: Your form").click()
    expect(toast(page, "Ben Smith has no email address; add one to their details first.")).to_be_visible()
    refusals_of(browser_problems, url, 400)
    expect(row).to_contain_text("Not sent: no email address")
    assert list(Email.objects.filter(about=ben).values_list("pk", "sent_again_as")) == [(unsent.pk, None)]
    assert browser_problems == []


def _logged_email(customer, subject, *, status):
    (email,) = mail_queue(
        kind="booking.confirmation",
        subject=subject,
        body="Hello.",
        about=customer,
        recipients=[Recipient(customer)],
    )
    Email.objects.filter(pk=email.pk).update(status=status)
    return email


def test_change_time_from_the_parents_profile_moves_it_and_everyone_is_emailed_it_has_moved(
    bookings_on, linking_on, anna_and_ben, desk_page, anna, ben, haircut, front_desk_user, browser_problems
):
    was, to = tomorrow_at(10), tomorrow_at(11, 30)
    appointment = book_for(front_desk_user, ben, haircut, was, booked_by=anna)
    page = desk_page
    open_bookings(page, anna)
    mark_this_document(page)
    row = rows(upcoming(page)).first
    new_time = row.get_by_label("New time")
    expect(new_time).to_be_hidden()
    row.get_by_text("Change Time").click()
    expect(new_time).to_be_visible()
    expect(new_time).to_have_value(typed(was))

    new_time.fill(typed(to))
    with page.expect_response(lambda r: r.url.endswith(f"/bookings/{appointment.pk}/move/")):
        control(row, "button", "Move").click()
    local = timezone.localtime(to)
    expect(toast(page, f"Haircut was moved to {local.day} {local:%b}, 11:30.")).to_be_visible()
    expect_htmx_done(page)
    expect_same_document(page)
    row = rows(upcoming(page)).first
    expect(row.get_by_role("cell").first).to_contain_text("11:30–12:00")
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.ends_at, appointment.version) == (
        to,
        to + timedelta(minutes=30),
        2,
    )

    # Ben is told it has moved, and Anna, who receives copies for him, has a copy.
    subject = f"Your appointment has moved: Haircut, {short(to)}"
    emails = email_rows(page, ben)
    moved = emails.filter(has_text=subject)
    expect(moved).to_have_count(2)
    to_ben = moved.filter(has_text="ben@example.com")
    to_ben.get_by_text(subject).click()
    expect(to_ben.locator("pre")).to_contain_text(
        f"Ben Smith's Haircut has moved to {long(to)} (it was {long(was)})."
    )
    expect(moved.filter(has_text="anna@example.com")).to_contain_text("Copy: about Ben")
    expect(email_rows(page, anna).filter(has_text=subject)).to_have_count(1)
    assert Email.objects.filter(kind="booking.changed").count() == 2

    # Both Histories say so.
    expect(history_lines(page, ben).first).to_contain_text("Moved Haircut from")
    expect(history_lines(page, ben).first).to_contain_text(", by Anna Smith.")
    expect(history_lines(page, anna).first).to_contain_text("for Ben Smith.")
    assert browser_problems == []


# --- Intake forms ---------------------------------------------------------------------------


def test_a_linked_client_completes_an_intake_form_from_her_own_forms_tab(
    bookings_on,
    linking_on,
    anna_and_ben,
    desk_page,
    anna,
    ben,
    haircut,
    health_form,
    front_desk_user,
    browser_problems,
):
    appointment = book_for(front_desk_user, ben, haircut, tomorrow_at(10), booked_by=anna)
    asked = intake.request_form(actor=front_desk_user, appointment_id=appointment.pk, form_id=health_form.pk)
    page = desk_page

    # Anna's Forms tab: nothing about her, one form to fill in for Ben.
    panel = open_tab(page, anna, "Forms", "forms")
    expect(panel).to_contain_text("No forms have been asked of Anna.")
    expect(panel.get_by_role("heading", name="Forms Anna may fill in for others")).to_be_visible()
    waiting = forms_for_others(page, anna).locator("tbody tr")
    expect(waiting).to_have_count(1)
    expect(waiting.first.get_by_role("cell").nth(0)).to_have_text("Health Questions")
    expect(waiting.first.get_by_role("cell").nth(1)).to_have_text("Ben Smith")
    control(waiting.first, "link", "Fill In").click()

    # The fill-in page: about Ben, the questions by kind, and Anna filling it in.
    expect(page).to_have_url(re.compile(rf"/customers/{anna.pk}/forms/{asked.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Health Questions")
    expect(page.get_by_text("About Ben Smith, for Haircut on")).to_be_visible()
    by = page.get_by_label("Filled in by")
    expect(by.locator("option")).to_have_text(["Ben Smith (themselves)", "Anna Smith (linked client)"])
    expect(by).to_have_value(str(anna.pk))
    expect(page.get_by_label("Are you pregnant?").locator("option")).to_have_text(["—", "Yes", "No"])

    # Without the required answer it comes back, saying so, and saves nothing.
    page.get_by_label("Are you pregnant?").select_option("No")
    page.get_by_role("button", name="Save Answers").click()
    expect(page.locator(".field.has-error .error")).to_have_text(["Answer “Any allergies?”."])
    expect(page.get_by_label("Any allergies?")).to_have_accessible_description("Answer “Any allergies?”.")
    expect(page.get_by_label("Are you pregnant?")).to_have_value("No")
    asked.refresh_from_db()
    assert not asked.is_complete

    page.get_by_label("Any allergies?").fill("Peanuts")
    page.get_by_label("How many visits so far?").fill("3")
    page.get_by_role("button", name="Save Answers").click()
    expect(page).to_have_url(f"/customers/{anna.pk}/forms/")
    expect(toast(page, "“Health Questions” was filled in for Ben Smith.")).to_be_visible()
    # Filled in, it is no longer waiting for her.
    expect(page.get_by_role("heading", name="Forms Anna may fill in for others")).to_have_count(0)

    # Ben's Forms tab says who completed it, and shows the answers.
    open_tab(page, ben, "Forms", "forms")
    row = forms_about(page, ben).locator("tbody tr")
    expect(row).to_have_count(1)
    today = timezone.localdate()
    expect(row.get_by_role("cell").nth(2)).to_have_text(
        f"Completed {today.day} {today:%b %Y} by Anna Smith (linked client)"
    )
    expect(row.get_by_role("link", name="Anna Smith")).to_have_attribute("href", f"/customers/{anna.pk}/")
    row.get_by_text("Health Questions").click()
    expect(row.locator("dd")).to_have_text(["Peanuts", "No", "3"])
    expect(row).not_to_contain_text("Fill In")

    asked.refresh_from_db()
    assert (asked.completed_by_id, asked.answers) == (anna.pk, {"0": "Peanuts", "1": "No", "2": "3"})
    assert asked.entered_by_id == front_desk_user.pk
    expect(history_lines(page, ben).first).to_contain_text("“Health Questions” was filled in by Anna Smith.")
    expect(history_lines(page, anna).first).to_contain_text("Filled in “Health Questions” for Ben Smith.")
    assert browser_problems == []


def test_a_manager_adds_an_intake_form_and_requests_it_for_an_appointment(
    bookings_on, manager_page, cara, haircut, manager_user, browser_problems
):
    appointment = book_for(manager_user, cara, haircut, tomorrow_at(14))
    page = manager_page
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Intake Forms").click()
    expect(page).to_have_url("/intake-forms/")
    expect(nav.get_by_role("link", name="Intake Forms")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("No intake forms yet.")).to_be_visible()
    page.get_by_role("link", name="Add Form").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add Form")

    page.get_by_label("Name").fill("Patch Test")
    expect(page.get_by_label("In use")).to_be_checked()
    page.get_by_label("Question 1", exact=True).fill("Any reaction to dyes?")
    page.get_by_label("Answer to question 1").select_option(label="Yes or no")
    page.get_by_label("Question 1 must be answered").check()
    page.get_by_label("Question 2", exact=True).fill("Anything else we should know?")
    page.get_by_label("Answer to question 2").select_option(label="Paragraph")
    page.get_by_role("button", name="Save Form").click()

    expect(page).to_have_url("/intake-forms/")
    expect(toast(page, "The form “Patch Test” was saved.")).to_be_visible()
    row = page.get_by_role("table", name="Intake forms, those in use first").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(0)).to_have_text("Patch Test")
    expect(row.get_by_role("cell").nth(1)).to_have_text(
        "Any reaction to dyes? *; Anything else we should know?"
    )
    expect(row.get_by_role("cell").nth(2)).to_have_text("Yes")
    form = IntakeForm.objects.get()
    assert form.questions == [
        {"text": "Any reaction to dyes?", "kind": "yes_no", "required": True},
        {"text": "Anything else we should know?", "kind": "long", "required": False},
    ]

    # On Cara's Bookings tab, the appointment offers the form.
    open_bookings(page, cara)
    mark_this_document(page)
    upcoming_row = rows(upcoming(page)).first
    choose = upcoming_row.get_by_role("combobox", name=re.compile(r"^Form to request for Haircut on "))
    expect(choose.locator("option")).to_have_text(["Patch Test"])
    with page.expect_response(lambda r: r.url.endswith(f"/bookings/{appointment.pk}/forms/")):
        control(upcoming_row, "button", "Request Form").click()
    expect(toast(page, "“Patch Test” was requested from Cara Jones.")).to_be_visible()
    expect_htmx_done(page)
    expect_same_document(page)
    asked = FormRequest.objects.get()
    assert (asked.appointment_id, asked.subject_id, asked.form_id) == (appointment.pk, cara.pk, form.pk)

    # Her Forms tab has it waiting, to fill in there; she is emailed the request.
    open_tab(page, cara, "Forms", "forms")
    waiting = forms_about(page, cara).locator("tbody tr")
    expect(waiting).to_have_count(1)
    expect(waiting.get_by_role("cell").nth(2)).to_contain_text("Waiting")
    expect(control(waiting, "link", "Fill In")).to_be_visible()
    expect(email_rows(page, cara).filter(has_text="Please fill in: Patch Test")).to_have_count(1)
    assert browser_problems == []


# --- Packages -------------------------------------------------------------------------------


def test_sell_package_charges_the_house_account(
    bookings_on, billing_on, desk_page, anna, haircut, massage, browser_problems
):
    page = desk_page
    open_bookings(page, anna)
    mark_this_document(page)
    expect(bookings(page)).to_contain_text("Anna has no packages.")
    form = package_form(page)
    expect(form).to_contain_text("The price is charged to Anna's house account.")
    expect(form.get_by_label("Sessions")).to_have_value("10")

    # A price that is not money comes back under its field.
    form.get_by_label("Service").select_option(label="Haircut")
    form.get_by_label("Sessions").fill("5")
    form.get_by_label("Price of the package").fill("a hundred")
    with page.expect_response(lambda r: r.url.endswith("/packages/buy/")):
        form.get_by_role("button", name="Sell Package").click()
    expect_htmx_done(page)
    expect(package_form(page).locator(".field.has-error .error")).to_have_text(
        ["Enter an amount such as 12.50."]
    )
    assert not Package.objects.exists()

    package_form(page).get_by_label("Price of the package").fill("100")
    with page.expect_response(lambda r: r.url.endswith("/packages/buy/")):
        package_form(page).get_by_role("button", name="Sell Package").click()
    expect(toast(page, "Anna bought 5 × Haircut.")).to_be_visible()
    expect_htmx_done(page)
    expect_same_document(page)
    row = packages_table(page, anna).locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(0)).to_contain_text("5 × Haircut")
    expect(row.get_by_role("cell").nth(1)).to_have_text("5 of 5")
    expect(row.get_by_role("cell").nth(2)).to_have_text("£100.00")
    expect(row.get_by_role("cell").nth(3)).to_have_text("Not used yet")
    # A fresh form, ready for the next sale.
    expect(package_form(page).get_by_label("Service")).to_have_value("")

    package = Package.objects.get()
    assert (package.owner_id, package.sessions, package.used, package.price) == (anna.pk, 5, 0, 10000)
    assert package.charge.amount == 10000

    # The Billing tab shows the charge on the house account.
    open_billing(page, anna)
    expect_balances(page, "£100.00", "£0.00")
    expect(ledger_rows(page)).to_have_count(1)
    expect(ledger_rows(page).first).to_contain_text("Package: 5 × Haircut")
    expect(history_lines(page, anna).first).to_contain_text("Bought a package of 5 × Haircut for £100.00.")
    assert browser_problems == []


def test_email_receipt_is_prefilled_with_the_owners_and_the_partners_addresses(
    bookings_on, linking_on, partners, anna_and_ben, desk_page, anna, ben, cara, haircut, browser_problems
):
    package = buy(anna, haircut, sessions=5, price=10000)
    page = desk_page
    open_bookings(page, anna)
    row = packages_table(page, anna).locator("tbody tr")
    control(row, "link", "Email Receipt").click()

    expect(page).to_have_url(re.compile(rf"/customers/{anna.pk}/packages/{package.pk}/receipt/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Email Receipt")
    expect(page.get_by_text("5 × Haircut, £100.00, bought")).to_be_visible()
    # Anna's, and Cara's (her Partner receives copies); never Ben's (Anna's Child receives none).
    send_to = page.get_by_label("Send to")
    expect(send_to).to_have_value("anna@example.com, cara@example.com")
    expect(
        page.get_by_text("Filled in: Anna Smith, Cara Jones (linked client, receives copies).")
    ).to_be_visible()

    # An address that is not one is refused under the field, and nothing is sent.
    send_to.fill("anna@example.com, not-an-address")
    page.get_by_role("button", name="Send Receipt").click()
    expect(page.locator(".field.has-error .error")).to_have_text(
        ["“not-an-address” is not an email address."]
    )
    expect(page.get_by_label("Send to")).to_have_value("anna@example.com, not-an-address")
    assert not Email.objects.filter(kind="package.receipt").exists()

    page.get_by_label("Send to").fill("anna@example.com, cara@example.com")
    page.get_by_role("button", name="Send Receipt").click()
    expect(page).to_have_url(f"/customers/{anna.pk}/bookings/")
    expect(toast(page, "The receipt was emailed to anna@example.com, cara@example.com.")).to_be_visible()

    # Both are in Anna's Emails; Cara's is a copy about Anna, and in Cara's Emails too.
    receipts = email_rows(page, anna).filter(has_text="Receipt: 5 × Haircut")
    expect(receipts).to_have_count(2)
    expect(receipts.filter(has_text="cara@example.com")).to_contain_text("Copy: about Anna")
    expect(receipts.filter(has_text="anna@example.com")).not_to_contain_text("Copy:")
    mine = receipts.filter(has_text="anna@example.com")
    mine.get_by_text("Receipt: 5 × Haircut").click()
    expect(mine.locator("pre")).to_contain_text("Paid: £100.00 (charged to the house account)")
    expect(mine.locator("pre")).to_contain_text("Sessions left: 5 of 5")
    copy = email_rows(page, cara).filter(has_text="Receipt: 5 × Haircut")
    expect(copy).to_have_count(1)
    expect(copy).to_contain_text("Copy: about Anna Smith")
    assert sorted(
        Email.objects.filter(kind="package.receipt").values_list("to_address", "recipient__first_name")
    ) == [("anna@example.com", "Anna"), ("cara@example.com", "Cara")]
    assert browser_problems == []


def test_a_partners_package_pays_for_her_visit_on_the_day_view_and_both_profiles_say_so(
    bookings_on, linking_on, partners, desk_page, anna, cara, haircut, massage, browser_problems
):
    anna_package = buy(anna, haircut, sessions=5)
    buy(cara, haircut, sessions=3)
    buy(anna, massage, sessions=2)  # another service: not offered for a haircut
    visit = started_earlier_today(cara, haircut)
    page = desk_page
    page.goto("/bookings/day/")
    row = day_rows(page).first
    # Her own package first (chosen unless she changes it), then none, then her Partner's:
    # pressing Attended without looking never spends someone else's session.
    select = pay_with(page, cara)
    expect(select.locator("option")).to_have_text(
        [
            "Session from own package (3 left)",
            "Not from a package",
            "Session from Anna Smith's package (5 left)",
        ]
    )
    select.select_option(label="Session from Anna Smith's package (5 left)")
    with page.expect_response(lambda r: r.url.endswith(f"/bookings/{visit.pk}/mark/")):
        control(row, "button", "Attended").click()
    expect(toast(page, "Cara Jones: Haircut marked.")).to_be_visible()
    row = day_rows(page).first
    expect(row.get_by_role("cell").nth(2)).to_have_text(
        re.compile(r"^\s*Haircut\s*Paid with a session from Anna Smith's package\s*$")
    )
    expect(row.get_by_role("cell").nth(3)).to_have_text("Attended")
    expect(pay_with(page, cara)).to_have_count(0)

    # Cara's Bookings tab: whose session paid for her visit.
    open_bookings(page, cara)
    expect(rows(past(page)).first).to_contain_text("Paid with a session from Anna Smith's package")
    expect(bookings(page)).to_contain_text("Cara may also use sessions from:")
    expect(bookings(page).get_by_role("listitem")).to_have_text(
        ["Anna Smith's 2 × Massage (2 left)", "Anna Smith's 5 × Haircut (4 left)"]
    )
    # Anna's Bookings tab: her package, used for Cara's visit. (Billing is off: packages
    # show, but none can be sold.)
    open_bookings(page, anna)
    expect(package_form(page)).to_have_count(0)
    haircuts = packages_table(page, anna).locator("tbody tr").filter(has_text="5 × Haircut")
    expect(haircuts.get_by_role("cell").nth(1)).to_have_text("4 of 5")
    today = timezone.localdate()
    expect(haircuts.get_by_role("cell").nth(3)).to_have_text(
        f"Cara Jones's visit on {today.day} {today:%b %Y}"
    )
    expect(haircuts.get_by_role("link", name="Cara Jones")).to_have_attribute(
        "href", f"/customers/{cara.pk}/"
    )
    # Anna herself never went: nothing in her own appointments.
    expect(bookings(page)).to_contain_text("No past appointments.")

    visit.refresh_from_db()
    anna_package.refresh_from_db()
    assert visit.status == Status.ATTENDED
    assert anna_package.used == 1
    assert Redemption.objects.get().appointment_id == visit.pk
    expect(history_lines(page, cara).first).to_contain_text(
        "was paid with a session from Anna Smith's package (4 of 5 left)."
    )
    expect(history_lines(page, anna).first).to_contain_text(
        "A session of this package paid for Cara Jones's Haircut on"
    )
    assert browser_problems == []


# --- When the link goes ---------------------------------------------------------------------


def test_removing_the_link_ends_packages_forms_and_cancelling_for_the_other(
    bookings_on,
    linking_on,
    close_partners,
    desk_page,
    anna,
    cara,
    haircut,
    health_form,
    front_desk_user,
    browser_problems,
):
    buy(anna, haircut, sessions=5)
    visit = started_earlier_today(cara, haircut)
    later = book_for(front_desk_user, cara, haircut, tomorrow_at(16), booked_by=anna)
    intake.request_form(actor=front_desk_user, appointment_id=later.pk, form_id=health_form.pk)
    page = desk_page
    # (The desk has Intake Forms in the top bar, to read; Access Reviews are for Managers.)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Intake Forms")).to_be_visible()
    expect(nav.get_by_role("link", name="Access Reviews")).to_have_count(0)

    # While they are linked: the form to fill in for Cara, Cancel and Change Time on what
    # Anna booked for her, and Anna's package for Cara's visit on the Day View.
    open_tab(page, anna, "Forms", "forms")
    expect(control(forms_for_others(page, anna).locator("tbody tr"), "link", "Fill In")).to_be_visible()
    open_bookings(page, anna)
    row = rows(upcoming(page)).first
    expect(control(row, "button", "Cancel")).to_be_visible()
    expect(row.get_by_text("Change Time")).to_be_visible()
    page.goto("/bookings/day/")
    expect(pay_with(page, cara).locator("option")).to_have_text(
        ["Not from a package", "Session from Anna Smith's package (5 left)"]
    )
    mark_this_document(page)

    # In another tab she removes the link from Anna's Summary, after confirming.
    other = page.context.new_page()
    watch(other, browser_problems)
    other.goto(f"/customers/{anna.pk}/")
    table = links_table(links_panel(other), anna)
    control(link_row(table, "Cara Jones"), "button", "Remove").click()
    other.get_by_role("dialog").get_by_role("button", name="Remove").click()
    expect(toast(other, "Anna Smith and Cara Jones are no longer linked.")).to_be_visible()
    expect(link_row(table, "Cara Jones")).to_have_count(0)
    other.close()
    assert not Link.objects.exists()

    # The Day View, still open, tries to use Anna's session for Cara: refused, nothing marked.
    pay_with(page, cara).select_option(label="Session from Anna Smith's package (5 left)")
    control(day_rows(page).first, "button", "Attended").click()
    expect(toast(page, "Cara Jones may not use sessions from Anna Smith's packages.")).to_be_visible()
    expect_htmx_done(page)
    expect_same_document(page)
    refusals_of(browser_problems, f"/bookings/{visit.pk}/mark/", 400)
    visit.refresh_from_db()
    assert (visit.status, Redemption.objects.count(), Package.objects.get().used) == (Status.BOOKED, 0, 0)
    # Drawn again, it no longer offers Anna's package: Cara has none to choose from.
    page.reload()
    expect(day_rows(page)).to_have_count(1)
    expect(control(day_rows(page).first, "button", "Attended")).to_be_visible()
    expect(pay_with(page, cara)).to_have_count(0)

    # Anna's Forms tab has nothing to fill in for others.
    panel = open_tab(page, anna, "Forms", "forms")
    expect(panel.get_by_role("heading", name="Forms Anna may fill in for others")).to_have_count(0)
    expect(panel.get_by_role("link", name=re.compile("Fill In", re.I))).to_have_count(0)
    # Her Bookings tab still lists what she booked for Cara, but she may no longer manage it.
    open_bookings(page, anna)
    row = rows(upcoming(page)).first
    expect(row).to_contain_text("For Cara Jones — another client")
    expect(row).to_contain_text("Anna may no longer manage it.")
    expect(control(row, "button", "Cancel")).to_have_count(0)
    expect(row.get_by_text("Change Time")).to_have_count(0)
    # Cara's own profile still fills the form in and cancels the appointment.
    open_tab(page, cara, "Forms", "forms")
    expect(control(forms_about(page, cara).locator("tbody tr"), "link", "Fill In")).to_be_visible()
    open_bookings(page, cara)
    expect(control(rows(upcoming(page)).first, "button", "Cancel")).to_be_visible()
    later.refresh_from_db()
    assert later.status == Status.BOOKED
    assert browser_problems == []


def test_saving_a_form_after_the_link_is_removed_says_why(
    bookings_on,
    linking_on,
    anna_and_ben,
    desk_page,
    anna,
    ben,
    haircut,
    health_form,
    front_desk_user,
    browser_problems,
):
    appointment = book_for(front_desk_user, ben, haircut, tomorrow_at(10), booked_by=anna)
    asked = intake.request_form(actor=front_desk_user, appointment_id=appointment.pk, form_id=health_form.pk)
    page = desk_page
    url = f"/customers/{anna.pk}/forms/{asked.pk}/"
    page.goto(url)
    page.get_by_label("Any allergies?").fill("Peanuts")
    # Another desk removes the link while the page is open.
    linking_services.unlink(actor=front_desk_user, link_id=anna_and_ben.pk)

    page.get_by_role("button", name="Save Answers").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state()
    # Whatever status the refusal comes with, its console report is expected here.
    browser_problems[:] = [problem for problem in browser_problems if url not in problem]
    asked.refresh_from_db()
    assert not asked.is_complete
    # She must be told that Anna may no longer fill in Ben's forms, not that the page is gone.
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Not found", timeout=1000)
    expect(page.locator("main")).to_contain_text(re.compile(r"no longer|link changed|may not complete"))


# --- Access reviews -------------------------------------------------------------------------


def test_access_reviews_lists_a_dependent_who_turned_18_and_mark_reviewed_clears_the_flag(
    bookings_on, linking_on, smiths, manager_page, anna, ben, cara, types, front_desk_user, browser_problems
):
    # Ben, a Dependent of Anna's group, turned 18 three days ago; Cara, whom Anna is Parent
    # of, turns 18 tomorrow; Anna is 40, and nobody acts for her.
    Customer.objects.filter(pk=ben.pk).update(date_of_birth=years_ago(18, days=3))
    Customer.objects.filter(pk=cara.pk).update(date_of_birth=years_ago(18, days=-1))
    Customer.objects.filter(pk=anna.pk).update(date_of_birth=years_ago(40))
    link(front_desk_user, anna, cara, types["Parent"])
    page = manager_page

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Access Reviews").click()
    expect(page).to_have_url("/access-reviews/")
    expect(nav.get_by_role("link", name="Access Reviews")).to_have_attribute("aria-current", "page")
    table = page.get_by_role("table", name="Clients due a review of access, most recently 18 first")
    expect(table.locator("tbody tr")).to_have_count(1)
    row = table.locator("tbody tr").first
    expect(row.get_by_role("link", name="Ben Smith")).to_have_attribute(
        "href", f"/customers/{ben.pk}/linked-accounts/"
    )
    expect(row).not_to_contain_text("Cara")

    # The Summary tabs say it too: on Ben's, and on Anna's, who acts for him.
    page.goto(f"/customers/{ben.pk}/")
    due = links_panel(page).get_by_role("status")
    expect(due).to_contain_text("Review of access due.")
    expect(due).to_contain_text("Ben has turned 18 and others may still act for them")
    expect(control(due, "button", "Mark Reviewed")).to_be_visible()
    page.goto(f"/customers/{anna.pk}/")
    due = links_panel(page).get_by_role("status")
    expect(due).to_contain_text("Review of access due.")
    expect(due).to_contain_text("Ben Smith has turned 18: Anna's say over them is due for review.")
    expect(due).not_to_contain_text("Cara")
    expect(control(due, "button", "Mark Reviewed")).to_have_count(0)

    # The Manager marks it reviewed, with a note.
    page.goto("/access-reviews/")
    row = table.locator("tbody tr").first
    row.get_by_label("Note on Ben Smith's review").fill("Ben wants Anna to keep booking.")
    control(row, "button", "Mark Reviewed").click()
    expect(toast(page, "Ben Smith's access was reviewed.")).to_be_visible()
    expect(page).to_have_url("/access-reviews/")
    expect(page.get_by_text("No reviews are due.")).to_be_visible()
    review = AccessReview.objects.get()
    assert (review.customer_id, review.note) == (ben.pk, "Ben wants Anna to keep booking.")

    # Both Summaries are clear; the review is in Ben's History.
    page.goto(f"/customers/{ben.pk}/")
    expect(links_panel(page)).not_to_contain_text("Review of access due.")
    page.goto(f"/customers/{anna.pk}/")
    expect(links_panel(page)).not_to_contain_text("Review of access due.")
    expect(history_lines(page, ben).first).to_contain_text(
        "Access reviewed at 18: Ben wants Anna to keep booking."
    )
    assert browser_problems == []


def test_the_turned_18_column_says_when_they_turned_18(linking_on, smiths, manager_page, ben):
    Customer.objects.filter(pk=ben.pk).update(date_of_birth=years_ago(18, days=3))
    turned = timezone.localdate() - timedelta(days=3)
    page = manager_page
    page.goto("/access-reviews/")
    table = page.get_by_role("table", name="Clients due a review of access, most recently 18 first")
    expect(table.get_by_role("columnheader").nth(1)).to_have_text("Turned 18")
    expect(table.locator("tbody tr").first.get_by_role("cell").nth(1)).to_contain_text(
        f"{turned.day} {turned:%b %Y}", timeout=1000
    )


# --- Accessibility --------------------------------------------------------------------------


@needs_axe
def test_the_forms_tab_and_the_fill_in_page_are_accessible(
    bookings_on, linking_on, anna_and_ben, desk_page, anna, ben, haircut, health_form, front_desk_user
):
    appointment = book_for(front_desk_user, ben, haircut, tomorrow_at(10), booked_by=anna)
    done = intake.request_form(actor=front_desk_user, appointment_id=appointment.pk, form_id=health_form.pk)
    intake.complete_form(
        actor=front_desk_user, request_id=done.pk, completed_by_id=anna.pk, answers={"0": "None"}
    )
    other = IntakeForm.objects.create(
        name="Consent", questions=[{"text": "Date of birth", "kind": "date", "required": True}]
    )
    intake.request_form(actor=front_desk_user, appointment_id=appointment.pk, form_id=other.pk)
    page = desk_page
    open_tab(page, ben, "Forms", "forms")
    rows_about = forms_about(page, ben).locator("tbody tr")
    expect(rows_about).to_have_count(2)
    rows_about.get_by_text("Health Questions").click()
    assert_accessible(page, "Forms tab: one waiting, one completed by a linked client")

    open_tab(page, anna, "Forms", "forms")
    expect(forms_for_others(page, anna)).to_be_visible()
    assert_accessible(page, "Forms tab with forms to fill in for others")

    control(forms_for_others(page, anna).locator("tbody tr"), "link", "Fill In").click()
    expect(page.get_by_label("Filled in by")).to_be_visible()
    assert_accessible(page, "Fill-in page")
    page.get_by_role("button", name="Save Answers").click()
    expect(page.locator(".field.has-error")).to_have_count(1)
    assert_accessible(page, "Fill-in page with an error")


@needs_axe
def test_the_bookings_tab_with_packages_and_the_receipt_page_are_accessible(
    bookings_on,
    billing_on,
    linking_on,
    partners,
    desk_page,
    anna,
    cara,
    haircut,
    health_form,
    front_desk_user,
):
    anna_package = buy(anna, haircut, sessions=5)
    buy(cara, haircut, sessions=2)
    visit = started_earlier_today(cara, haircut)
    appointments.mark(
        actor=front_desk_user, appointment_id=visit.pk, status=Status.ATTENDED, package_id=anna_package.pk
    )
    started_earlier_today(anna, haircut)
    book_for(front_desk_user, cara, haircut, tomorrow_at(9), booked_by=anna)
    book_for(front_desk_user, anna, haircut, tomorrow_at(11))
    page = desk_page
    open_bookings(page, anna)
    expect(package_form(page)).to_be_visible()
    expect(packages_table(page, anna)).to_be_visible()
    expect(bookings(page)).to_contain_text("Anna may also use sessions from:")
    assert_accessible(page, "Bookings tab with Sell Package, Packages and Request Form")

    # Not simply the first: in the first hour after midnight the visit that "started earlier
    # today" is still going on, listed first among the upcoming, and cannot be moved.
    row = rows(upcoming(page)).filter(has_text="Change Time").first
    row.get_by_text("Change Time").click()
    expect(row.get_by_label("New time")).to_be_visible()
    assert_accessible(page, "Bookings tab with Change Time open")

    with page.expect_response(lambda r: r.url.endswith("/packages/buy/")):
        package_form(page).get_by_role("button", name="Sell Package").click()
    expect_htmx_done(page)
    expect(package_form(page).locator(".field.has-error")).not_to_have_count(0)
    assert_accessible(page, "Sell Package with errors")

    open_bookings(page, cara)
    expect(rows(past(page)).first).to_contain_text("Paid with a session from Anna Smith's package")
    assert_accessible(page, "Bookings tab of a visit paid from a partner's package")

    open_bookings(page, anna)
    control(
        packages_table(page, anna).locator("tbody tr").filter(has_text="5 × Haircut"), "link", "Email Receipt"
    ).click()
    expect(page.get_by_label("Send to")).to_be_visible()
    assert_accessible(page, "Email Receipt")
    page.get_by_label("Send to").fill("nobody")
    page.get_by_role("button", name="Send Receipt").click()
    expect(page.locator(".field.has-error")).to_have_count(1)
    assert_accessible(page, "Email Receipt with an error")

    open_tab(page, anna, "Emails", "emails")
    assert_accessible(page, "Emails tab with copies")

    page.goto("/bookings/day/")
    expect(pay_with(page, anna).locator("option")).to_have_text(
        [
            "Session from own package (4 left)",
            "Not from a package",
            "Session from Cara Jones's package (2 left)",
        ]
    )
    assert_accessible(page, "Day View with packages to pay with")


@needs_axe
def test_the_intake_forms_pages_and_access_reviews_are_accessible(
    bookings_on, linking_on, smiths, manager_page, anna, ben, health_form
):
    Customer.objects.filter(pk=ben.pk).update(date_of_birth=years_ago(18, days=10))
    page = manager_page
    page.goto("/intake-forms/")
    expect(page.get_by_role("table", name="Intake forms, those in use first")).to_be_visible()
    assert_accessible(page, "Intake Forms")

    page.get_by_role("link", name="Change: Health Questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Health Questions")
    expect(page.get_by_label("Question 1", exact=True)).to_have_value("Any allergies?")
    assert_accessible(page, "Intake Forms edit page")
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Save Form").click()
    expect(page.locator(".field.has-error")).to_have_count(1)
    assert_accessible(page, "Intake Forms edit page with an error")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Access Reviews").click()
    expect(page.get_by_role("link", name="Ben Smith")).to_be_visible()
    assert_accessible(page, "Access Reviews with a client due")

    page.goto(f"/customers/{ben.pk}/")
    expect(links_panel(page).get_by_text("Review of access due.")).to_be_visible()
    assert_accessible(page, "Summary with a review due")


@needs_axe
def test_a_weekly_regular_pages_to_later_appointments_and_cancels_one_there(
    bookings_on, desk_page, anna, haircut, front_desk_user, browser_problems
):
    """Anna comes every week: 22 visits booked ahead, more than one page. The later ones are
    a click away, and can be cancelled from there, the page staying where it was."""
    weekly = [
        book_for(front_desk_user, anna, haircut, tomorrow_at(9) + timedelta(weeks=n)) for n in range(22)
    ]
    page = desk_page
    open_bookings(page, anna)
    mark_this_document(page)
    expect(rows(upcoming(page))).to_have_count(20)
    pager = page.get_by_role("navigation", name="Upcoming appointment pages")
    expect(pager.get_by_role("link", name="Sooner")).to_have_count(0)

    pager.get_by_role("link", name="Later").click()
    expect(page).to_have_url(f"/customers/{anna.pk}/bookings/?upcoming=2")
    expect(rows(upcoming(page))).to_have_count(2)
    assert_accessible(page, "Bookings tab on its second page of upcoming appointments")
    last = timezone.localtime(weekly[-1].starts_at)
    expect(rows(upcoming(page)).last).to_contain_text(f"{last:%a} {last.day} {last:%b %Y}, 09:00")
    expect_same_document(page)

    control(rows(upcoming(page)).last, "button", "Cancel").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel Appointment").click()
    expect(toast(page, "Haircut was cancelled.")).to_be_visible()
    expect_htmx_done(page)
    expect(page).to_have_url(f"/customers/{anna.pk}/bookings/?upcoming=2")
    expect(rows(upcoming(page))).to_have_count(1)
    weekly[-1].refresh_from_db()
    assert weekly[-1].status == Status.CANCELLED

    page.get_by_role("navigation", name="Upcoming appointment pages").get_by_role(
        "link", name="Sooner"
    ).click()
    expect(rows(upcoming(page))).to_have_count(20)
    assert browser_problems == []


@needs_axe
def test_the_day_view_says_when_a_visit_to_come_can_be_marked(
    bookings_on, desk_page, anna, ben, haircut, front_desk_user, browser_problems
):
    later = book_for(front_desk_user, anna, haircut, tomorrow_at(15))
    begun = started_earlier_today(ben, haircut)
    page = desk_page
    page.goto(f"/bookings/day/?date={timezone.localtime(later.starts_at).date().isoformat()}")
    row = day_rows(page).filter(has_text="Anna Smith")
    expect(row).to_contain_text("Attended and No-show from 15:00")
    expect(row.get_by_role("button")).to_have_count(0)
    assert_accessible(page, "Day View of appointments still to come")

    page.goto(f"/bookings/day/?date={timezone.localtime(begun.starts_at).date().isoformat()}")
    row = day_rows(page).filter(has_text="Ben Smith")
    expect(row.get_by_role("button", name=re.compile("^Attended"))).to_be_visible()
    expect(row.get_by_role("button", name=re.compile("^No-show"))).to_be_visible()
    assert browser_problems == []


def test_the_day_view_shows_one_service_and_keeps_it_from_day_to_day(
    bookings_on, desk_page, anna, ben, haircut, massage, front_desk_user, browser_problems
):
    book_for(front_desk_user, anna, haircut, tomorrow_at(10))
    book_for(front_desk_user, ben, massage, tomorrow_at(11))
    book_for(front_desk_user, ben, massage, tomorrow_at(11) + timedelta(days=1))
    page = desk_page
    page.goto(f"/bookings/day/?date={timezone.localtime(tomorrow_at(10)).date().isoformat()}")
    expect(day_rows(page)).to_have_count(2)

    page.get_by_label("Service", exact=True).select_option(label="Massage")
    page.get_by_role("button", name="Show").click()
    expect(day_rows(page)).to_have_count(1)
    expect(day_rows(page).first).to_contain_text("Ben Smith")
    expect(page.get_by_label("Service", exact=True)).to_have_value(str(massage.pk))

    page.get_by_role("link", name="Next day").click()
    expect(day_rows(page)).to_have_count(1)
    expect(page.get_by_label("Service", exact=True)).to_have_value(str(massage.pk))
    page.get_by_label("Service", exact=True).select_option(label="Every service")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_label("Service", exact=True)).to_have_value("")
    assert browser_problems == []
