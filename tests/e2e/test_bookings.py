"""Bookings in a real browser: services and appointments, the way the front desk works them.

A receptionist (`desk_page`) books from a customer's Bookings tab: for the customer, or,
through the For dropdown, for someone the customer may book for (a linked client whose link
ticks Book and Manage Appointments, or a Dependent of a group the customer owns or
administers; `linking.authority` decides). She cancels from either profile behind a
confirmation, and works through the day on the Day View. Each test logs in and
fails on any JavaScript error, failed load or CSP violation (`browser_problems`).

Bookings are behind the waffle switch `bookings`, booking on someone's behalf also behind
`account_linking`; both are off after every flush, and `bookings_on` / `linking_on` switch
them on in the database, where the live server reads them. Anna and Ben Smith, Cara Jones
and the Smiths' group (Anna Owner, Ben Dependent) come from conftest.py; the Parent link
between Anna and Ben from test_links.py.
"""

import re
from datetime import datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from waffle.models import Switch

from bookings.features import BOOKINGS
from bookings.models import Appointment, Service, Status
from bookings.services import appointments
from linking import services as linking_services
from tests.e2e.test_front_desk import expect_htmx_done, expect_same_document, mark_this_document
from tests.e2e.test_groups import assert_accessible, control, history_lines, needs_axe, toast
from tests.e2e.test_links import link

# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture
def bookings_on():
    """Bookings switched on, as a superuser would; asked for before the logged-in page."""
    Switch.objects.filter(name=BOOKINGS).update(active=True)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def haircut():
    return Service.objects.create(name="Haircut", duration_minutes=30, price=2500)


@pytest.fixture
def massage():
    return Service.objects.create(name="Massage", duration_minutes=60, price=5000)


@pytest.fixture
def anna_and_ben(front_desk_user, types, anna, ben):
    """Anna is Ben's Parent: her side of the link ticks Book and Manage Appointments."""
    side = link(front_desk_user, anna, ben, types["Parent"])
    assert side.can_book
    return side


@pytest.fixture(params=["group Owner", "Parent link"])
def anna_books_for_ben(request, linking_on):
    """The two ways Anna may book for Ben: she owns the group he is a Dependent of, or her
    Parent link to him ticks Book and Manage Appointments."""
    return request.getfixturevalue("smiths" if request.param == "group Owner" else "anna_and_ben")


# --- Helpers --------------------------------------------------------------------------------


def tomorrow_at(hour, minute=0):
    """An aware moment tomorrow, in the business's time zone (the one the form is read in)."""
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def typed(moment):
    """What a datetime-local input holds for `moment`."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def shown(moment):
    """How the Bookings tab shows a start, "Fri 20 Nov 2026, 10:00"."""
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def started_earlier_today(attendee, service, booked_by=None):
    """An appointment that began up to 50 minutes ago, today; made directly, since the
    service refuses a time that has passed."""
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    starts_at = max(midnight, timezone.now() - timedelta(minutes=50)).replace(second=0, microsecond=0)
    return Appointment.objects.create(
        attendee=attendee,
        booked_by=booked_by,
        service=service,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=service.duration_minutes),
    )


def book_for(actor, attendee, service, starts_at, booked_by=None):
    """Book as the front desk would, without the browser."""
    return appointments.book(
        actor=actor,
        attendee_id=attendee.pk,
        service_id=service.pk,
        starts_at=starts_at,
        booked_by_id=booked_by.pk if booked_by else None,
    )


def open_bookings(page: Page, customer, where="customers"):
    """The customer's profile (or the front desk), then the Bookings tab, swapped in by htmx."""
    page.goto(f"/{where}/{customer.pk}/")
    page.get_by_role("tab", name="Bookings").click()
    expect(page).to_have_url(f"/{where}/{customer.pk}/bookings/")
    expect(bookings(page)).to_be_visible()
    expect_htmx_done(page)


def bookings(page: Page) -> Locator:
    return page.get_by_role("tabpanel", name="Bookings")


def book_form(page: Page) -> Locator:
    return page.get_by_role("form", name="Book Appointment")


def upcoming(page: Page) -> Locator:
    return page.get_by_role("table", name=re.compile(r"^Upcoming appointments, soonest first"))


def past(page: Page) -> Locator:
    return page.get_by_role("table", name=re.compile(r"^Past and cancelled appointments"))


def rows(table: Locator) -> Locator:
    return table.locator("tbody tr")


def book(page: Page, service, when, for_whom=None):
    """Fill in Book Appointment and press Book; the tabs reload, or the form comes back."""
    form = book_form(page)
    form.get_by_label("Service").select_option(label=service)
    form.get_by_label("When").fill(when)
    if for_whom is not None:
        form.get_by_label("For").select_option(label=for_whom)
    with page.expect_response(lambda response: response.url.endswith("/bookings/book/")):
        form.get_by_role("button", name="Book").click()
    expect_htmx_done(page)


def day_rows(page: Page) -> Locator:
    return page.get_by_role("table", name=re.compile(r"^Appointments on ")).locator("tbody tr")


def long_day(day):
    """The Day View's heading date, "Friday 20 November 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def refusals_of(browser_problems, url, status):
    """Take out of `browser_problems` the console reports of one refusal the test expects:
    the failed load and htmx's responseError, both naming the URL and the status."""
    browser_problems[:] = [
        problem for problem in browser_problems if not (url in problem and str(status) in problem)
    ]


# --- Booking --------------------------------------------------------------------------------


def test_receptionist_books_for_a_dependent_through_the_for_dropdown(
    bookings_on,
    anna_books_for_ben,
    desk_page,
    anna,
    ben,
    cara,
    haircut,
    massage,
    front_desk_user,
    browser_problems,
):
    starts_at = tomorrow_at(10)
    page = desk_page
    open_bookings(page, anna)
    mark_this_document(page)
    form = book_form(page)
    expect(form.get_by_label("Service").locator("option")).to_have_text(
        ["Choose a service…", "Haircut", "Massage"]
    )
    # Anna herself first, then whom she may book for; never Cara, who is nothing to her.
    expect(form.get_by_label("For").locator("option")).to_have_text(["Anna Smith (themselves)", "Ben Smith"])
    expect(form.get_by_label("For")).to_have_value(str(anna.pk))
    expect(form).to_contain_text("Anna may book for the people listed under For")
    expect(bookings(page)).to_contain_text("No upcoming appointments.")

    book(page, "Haircut", typed(starts_at), for_whom="Ben Smith")
    expect(toast(page, "Haircut was booked for Ben Smith.")).to_be_visible()
    expect(rows(upcoming(page))).to_have_count(1)
    row = rows(upcoming(page)).first
    expect(row.get_by_role("cell").first).to_have_text(f"{shown(starts_at)}–10:30")
    expect(row).to_contain_text("Haircut")
    expect(row).to_contain_text("For Ben Smith — another client")
    expect(row.get_by_role("cell").nth(2)).to_have_text("Booked")
    # The tabs reloaded in place, with a fresh form.
    expect(book_form(page).get_by_label("Service")).to_have_value("")
    expect(page).to_have_url(f"/customers/{anna.pk}/bookings/")
    expect_same_document(page)

    open_bookings(page, ben)
    row = rows(upcoming(page)).first
    expect(rows(upcoming(page))).to_have_count(1)
    expect(row).to_contain_text("Haircut")
    expect(row).to_contain_text("Booked by Anna Smith")
    expect(row).not_to_contain_text("another client")

    appointment = Appointment.objects.get()
    assert (appointment.attendee_id, appointment.booked_by_id, appointment.service_id) == (
        ben.pk,
        anna.pk,
        haircut.pk,
    )
    assert (appointment.starts_at, appointment.ends_at) == (starts_at, starts_at + timedelta(minutes=30))
    assert appointment.status == Status.BOOKED
    assert appointment.created_by_id == front_desk_user.pk
    # Both Histories say so.
    when = f"{shown(starts_at).rsplit(',', 1)[0]} at 10:00"
    expect(history_lines(page, ben).first).to_contain_text(f"Booked Haircut on {when}, by Anna Smith.")
    expect(history_lines(page, anna).first).to_contain_text(f"Booked Haircut on {when} for Ben Smith.")
    assert browser_problems == []


def test_a_customer_who_may_book_for_nobody_has_no_for_dropdown_and_books_for_themselves(
    bookings_on, linking_on, smiths, desk_page, cara, haircut, browser_problems
):
    starts_at = tomorrow_at(15, 30)
    page = desk_page
    open_bookings(page, cara)
    form = book_form(page)
    expect(form.get_by_label("Service")).to_be_visible()
    expect(form.get_by_label("For")).to_have_count(0)
    expect(form.get_by_role("combobox")).to_have_count(1)
    expect(form).not_to_contain_text("may book for the people listed under For")

    book(page, "Haircut", typed(starts_at))
    expect(toast(page, "Haircut was booked.")).to_be_visible()
    row = rows(upcoming(page)).first
    expect(rows(upcoming(page))).to_have_count(1)
    expect(row.get_by_role("cell").first).to_have_text(f"{shown(starts_at)}–16:00")
    # Her own booking: no note about anyone else.
    expect(row.locator(".note")).to_have_count(0)
    appointment = Appointment.objects.get()
    assert (appointment.attendee_id, appointment.booked_by_id) == (cara.pk, None)
    assert browser_problems == []


def test_with_account_linking_off_even_the_groups_owner_books_only_for_herself(
    bookings_on, smiths, desk_page, anna, haircut, browser_problems
):
    page = desk_page
    open_bookings(page, anna)
    expect(book_form(page).get_by_label("Service")).to_be_visible()
    expect(book_form(page).get_by_label("For")).to_have_count(0)
    book(page, "Haircut", typed(tomorrow_at(9)))
    expect(rows(upcoming(page))).to_have_count(1)
    appointment = Appointment.objects.get()
    assert (appointment.attendee_id, appointment.booked_by_id) == (anna.pk, None)
    assert browser_problems == []


def test_receptionist_books_from_the_front_desk_and_stays_on_the_desk(
    bookings_on, linking_on, anna_and_ben, desk_page, anna, ben, haircut, browser_problems
):
    page = desk_page
    open_bookings(page, anna, where="desk")
    mark_this_document(page)
    book(page, "Haircut", typed(tomorrow_at(9)), for_whom="Ben Smith")
    expect(toast(page, "Haircut was booked for Ben Smith.")).to_be_visible()
    expect(rows(upcoming(page)).first).to_contain_text("For Ben Smith — another client")
    expect(page).to_have_url(f"/desk/{anna.pk}/bookings/")
    expect(page.get_by_role("heading", name="Front desk")).to_be_visible()
    expect_same_document(page)
    assert Appointment.objects.get().attendee_id == ben.pk
    assert browser_problems == []


def test_a_past_time_or_an_overlap_for_the_attendee_shows_in_the_form_and_books_nothing(
    bookings_on,
    anna_books_for_ben,
    desk_page,
    anna,
    ben,
    haircut,
    massage,
    front_desk_user,
    browser_problems,
):
    existing = book_for(front_desk_user, ben, haircut, tomorrow_at(10))
    page = desk_page
    open_bookings(page, anna)
    mark_this_document(page)
    form = book_form(page)

    # An hour ago.
    an_hour_ago = timezone.now() - timedelta(hours=1)
    book(page, "Massage", typed(an_hour_ago), for_whom="Ben Smith")
    when = book_form(page).get_by_label("When")
    expect(book_form(page).locator(".field.has-error .error")).to_have_text(
        ["That time has passed; choose a time from now on."]
    )
    expect(when).to_have_accessible_description("That time has passed; choose a time from now on.")
    # What she chose is still there to correct.
    expect(form.get_by_label("Service")).to_have_value(str(massage.pk))
    expect(form.get_by_label("For")).to_have_value(str(ben.pk))
    expect(when).to_have_value(typed(an_hour_ago))
    assert Appointment.objects.count() == 1

    # 10:15 tomorrow: Ben's haircut runs 10:00–10:30.
    when.fill(typed(tomorrow_at(10, 15)))
    with page.expect_response(lambda response: response.url.endswith("/bookings/book/")):
        form.get_by_role("button", name="Book").click()
    expect_htmx_done(page)
    day = timezone.localdate() + timedelta(days=1)
    expect(form.get_by_role("alert")).to_have_text(
        f"Ben Smith already has Haircut from 10:00 to 10:30 on {day.day} {day:%b}; choose another time."
    )
    expect(form.locator(".field.has-error")).to_have_count(0)
    expect(form.get_by_label("For")).to_have_value(str(ben.pk))
    expect(bookings(page)).to_contain_text("No upcoming appointments.")
    expect_same_document(page)
    assert list(Appointment.objects.values_list("pk", flat=True)) == [existing.pk]

    # The same time for Anna herself is free: the rule is per attendee.
    form.get_by_label("For").select_option(label="Anna Smith (themselves)")
    with page.expect_response(lambda response: response.url.endswith("/bookings/book/")):
        form.get_by_role("button", name="Book").click()
    expect(toast(page, "Massage was booked.")).to_be_visible()
    expect(rows(upcoming(page))).to_have_count(1)
    assert Appointment.objects.filter(attendee=anna, starts_at=tomorrow_at(10, 15)).exists()
    assert browser_problems == []


# --- Cancelling -----------------------------------------------------------------------------


def test_cancelling_from_the_parents_profile_asks_first_and_moves_it_to_past_on_both(
    bookings_on, anna_books_for_ben, desk_page, anna, ben, haircut, front_desk_user, browser_problems
):
    starts_at = tomorrow_at(11)
    appointment = book_for(front_desk_user, ben, haircut, starts_at, booked_by=anna)
    page = desk_page
    open_bookings(page, anna)
    mark_this_document(page)
    expect(bookings(page)).to_contain_text("No past appointments.")
    row = rows(upcoming(page)).first
    cancel = control(row, "button", "Cancel")
    dialog = page.get_by_role("dialog")
    local = timezone.localtime(starts_at)
    question = f"Cancel Haircut for Ben Smith on {local:%a} {local.day} {local:%b, %H:%M}?"

    # She presses Cancel, reads the question, and keeps the appointment after all.
    cancel.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(question)
    dialog.get_by_role("button", name="Cancel", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(rows(upcoming(page))).to_have_count(1)
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED

    cancel.click()
    dialog.get_by_role("button", name="Cancel Appointment").click()
    expect(toast(page, "Haircut was cancelled.")).to_be_visible()
    expect(bookings(page)).to_contain_text("No upcoming appointments.")
    expect(rows(past(page))).to_have_count(1)
    expect(rows(past(page)).first).to_contain_text("For Ben Smith — another client")
    expect(rows(past(page)).first.get_by_role("cell").nth(2)).to_have_text("Cancelled")
    # No Cancel on what is cancelled.
    expect(past(page).get_by_role("button")).to_have_count(0)
    expect(page).to_have_url(f"/customers/{anna.pk}/bookings/")
    expect_same_document(page)

    open_bookings(page, ben)
    expect(bookings(page)).to_contain_text("No upcoming appointments.")
    expect(rows(past(page))).to_have_count(1)
    expect(rows(past(page)).first).to_contain_text("Booked by Anna Smith")
    expect(rows(past(page)).first.get_by_role("cell").nth(2)).to_have_text("Cancelled")

    appointment.refresh_from_db()
    assert (appointment.status, appointment.version) == (Status.CANCELLED, 2)
    expect(history_lines(page, ben).first).to_contain_text("Cancelled Haircut on")
    expect(history_lines(page, ben).first).to_contain_text(", by Anna Smith.")
    expect(history_lines(page, anna).first).to_contain_text("for Ben Smith.")
    assert browser_problems == []


def test_after_the_link_is_removed_a_stale_cancel_is_refused_and_the_for_dropdown_drops_him(
    bookings_on, linking_on, anna_and_ben, desk_page, anna, ben, haircut, front_desk_user, browser_problems
):
    appointment = book_for(front_desk_user, ben, haircut, tomorrow_at(11), booked_by=anna)
    page = desk_page
    open_bookings(page, anna)
    mark_this_document(page)
    expect(book_form(page).get_by_label("For").locator("option")).to_have_text(
        ["Anna Smith (themselves)", "Ben Smith"]
    )

    # Another desk removes the link while Anna's Bookings tab is open here.
    linking_services.unlink(actor=front_desk_user, link_id=anna_and_ben.pk)

    control(rows(upcoming(page)).first, "button", "Cancel").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel Appointment").click()
    expect(toast(page, "Anna Smith may no longer manage Ben Smith's appointments.")).to_be_visible()
    expect_htmx_done(page)
    expect_same_document(page)
    appointment.refresh_from_db()
    assert (appointment.status, appointment.version) == (Status.BOOKED, 1)
    refusals_of(browser_problems, f"/customers/{anna.pk}/bookings/{appointment.pk}/cancel/", 400)

    # Reloaded, the form offers nobody else: there is no For at all.
    open_bookings(page, anna)
    expect(book_form(page).get_by_label("For")).to_have_count(0)

    # Ben's appointment stands, on his profile, still saying who booked it.
    open_bookings(page, ben)
    expect(rows(upcoming(page))).to_have_count(1)
    expect(rows(upcoming(page)).first).to_contain_text("Booked by Anna Smith")
    expect(rows(upcoming(page)).first.get_by_role("cell").nth(2)).to_have_text("Booked")
    # ...and can still be cancelled from there.
    control(rows(upcoming(page)).first, "button", "Cancel").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel Appointment").click()
    expect(toast(page, "Haircut was cancelled.")).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert browser_problems == []


def test_booking_through_a_stale_for_dropdown_after_the_link_is_removed_says_why(
    bookings_on, linking_on, anna_and_ben, desk_page, anna, ben, haircut, front_desk_user, browser_problems
):
    page = desk_page
    open_bookings(page, anna)
    linking_services.unlink(actor=front_desk_user, link_id=anna_and_ben.pk)

    book(page, "Haircut", typed(tomorrow_at(9)), for_whom="Ben Smith")
    assert not Appointment.objects.exists()
    # She must be told that Anna can no longer book for Ben, not left with a form that, sent
    # again as it stands, books the haircut for Anna.
    form = book_form(page)
    expect(form.get_by_role("alert").or_(form.locator(".field.has-error"))).to_contain_text(
        "That client may no longer be booked from here (their link changed).", timeout=2000
    )
    assert not Appointment.objects.exists()
    assert browser_problems == []


# --- Day View -------------------------------------------------------------------------------


def test_day_view_lists_the_day_by_time_with_who_booked_and_pages_through_days(
    bookings_on,
    linking_on,
    smiths,
    desk_page,
    anna,
    ben,
    cara,
    haircut,
    massage,
    front_desk_user,
    browser_problems,
):
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    earlier = started_earlier_today(ben, haircut, booked_by=anna)
    book_for(front_desk_user, cara, massage, tomorrow_at(14))
    book_for(front_desk_user, ben, haircut, tomorrow_at(9, 30), booked_by=anna)
    book_for(front_desk_user, anna, haircut, tomorrow_at(9))

    page = desk_page
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Day View").click()
    expect(page).to_have_url("/bookings/day/")
    expect(nav.get_by_role("link", name="Day View")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Day View: {long_day(today)}")
    expect(day_rows(page)).to_have_count(1)
    row = day_rows(page).first
    expect(row.get_by_role("cell").first).to_have_text(
        f"{timezone.localtime(earlier.starts_at):%H:%M}–{timezone.localtime(earlier.ends_at):%H:%M}"
    )
    expect(row).to_contain_text("Ben Smith")
    expect(row).to_contain_text("Booked by Anna Smith")

    # Tomorrow, by time, each with who booked it.
    page.get_by_role("link", name="Next day").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Day View: {long_day(tomorrow)}")
    expect(page).to_have_url(f"/bookings/day/?date={tomorrow:%Y-%m-%d}")
    expect(day_rows(page).locator("td:nth-child(1)")).to_have_text(
        ["09:00–09:30", "09:30–10:00", "14:00–15:00"]
    )
    expect(day_rows(page).locator("td:nth-child(2)")).to_have_text(
        [
            re.compile(r"^\s*Anna Smith\s*$"),
            re.compile(r"^\s*Ben Smith\s*Booked by Anna Smith\s*$"),
            "Cara Jones",
        ]
    )
    expect(day_rows(page).locator("td:nth-child(3)")).to_have_text(["Haircut", "Haircut", "Massage"])
    expect(day_rows(page).locator("td:nth-child(4)")).to_have_text(["Booked"] * 3)

    page.get_by_role("link", name="Next day").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Day View: {long_day(tomorrow + timedelta(days=1))}"
    )
    expect(page.get_by_text("No appointments on this day.")).to_be_visible()
    page.get_by_role("link", name="Previous day").click()
    page.get_by_role("link", name="Previous day").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Day View: {long_day(today)}")
    page.get_by_role("link", name="Next day").click()
    page.get_by_role("link", name="Today").click()
    expect(page).to_have_url("/bookings/day/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Day View: {long_day(today)}")

    # A client's name leads to their Bookings tab; what has started can be marked.
    row = day_rows(page).first
    expect(row.get_by_role("link", name="Ben Smith")).to_have_attribute(
        "href", f"/customers/{ben.pk}/bookings/"
    )
    expect(control(row, "button", "Attended")).to_be_visible()
    expect(control(row, "button", "No-show")).to_be_visible()
    row.get_by_role("link", name="Ben Smith").click()
    expect(page).to_have_url(f"/customers/{ben.pk}/bookings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Smith")
    assert browser_problems == []


def test_marking_a_started_appointment_attended_redraws_the_day_view(
    bookings_on, desk_page, anna, ben, haircut
):
    started = started_earlier_today(ben, haircut, booked_by=anna)
    page = desk_page
    page.goto("/bookings/day/")
    row = day_rows(page).first
    with page.expect_response(lambda response: response.url.endswith(f"/bookings/{started.pk}/mark/")):
        control(row, "button", "Attended").click()
    # The Day View is drawn again, with the toast.
    expect(toast(page, "Ben Smith: Haircut marked.")).to_be_visible()
    row = day_rows(page).first
    expect(row.get_by_role("cell").nth(3)).to_have_text("Attended")
    expect(row.get_by_role("button")).to_have_count(0)
    started.refresh_from_db()
    assert (started.status, started.version) == (Status.ATTENDED, 2)


# --- Accessibility --------------------------------------------------------------------------


@needs_axe
def test_the_bookings_tab_with_the_form_and_the_for_dropdown_is_accessible(
    bookings_on, linking_on, smiths, desk_page, anna, ben, haircut, massage, front_desk_user
):
    book_for(front_desk_user, ben, haircut, tomorrow_at(10), booked_by=anna)
    book_for(front_desk_user, anna, massage, tomorrow_at(12))
    gone = book_for(front_desk_user, anna, haircut, tomorrow_at(15))
    appointments.cancel(actor=front_desk_user, appointment_id=gone.pk)
    page = desk_page
    open_bookings(page, anna)
    expect(book_form(page).get_by_label("For")).to_be_visible()
    expect(rows(upcoming(page))).to_have_count(2)
    expect(rows(past(page))).to_have_count(1)
    assert_accessible(page, "Bookings tab with the form, For, Upcoming and Past")

    book(page, "Haircut", typed(timezone.now() - timedelta(hours=1)), for_whom="Ben Smith")
    expect(book_form(page).locator(".field.has-error")).to_have_count(1)
    assert_accessible(page, "Book Appointment with a field error")

    book(page, "Haircut", typed(tomorrow_at(10, 10)), for_whom="Ben Smith")
    expect(book_form(page).get_by_role("alert")).to_be_visible()
    assert_accessible(page, "Book Appointment with an overlap")

    control(rows(upcoming(page)).first, "button", "Cancel").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert_accessible(page, "Cancel confirmation")


@needs_axe
def test_the_day_view_is_accessible(bookings_on, smiths, desk_page, anna, ben, haircut, front_desk_user):
    started_earlier_today(ben, haircut, booked_by=anna)
    page = desk_page
    page.goto("/bookings/day/")
    expect(day_rows(page)).to_have_count(1)
    expect(control(day_rows(page).first, "button", "Attended")).to_be_visible()
    assert_accessible(page, "Day View with an appointment to mark")

    page.get_by_role("link", name="Next day").click()
    expect(page.get_by_text("No appointments on this day.")).to_be_visible()
    assert_accessible(page, "Day View of an empty day")
