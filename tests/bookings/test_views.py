"""The booking pages: who may use each URL, the switch and CSRF; the Bookings tab (upcoming,
past and its pages, the For dropdown, bookings made on someone's behalf); booking, cancelling
and marking through the views, with what bad input does; and the Day View."""

import html
import json
import re
from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from waffle.testutils import override_switch

from bookings.features import BOOKINGS
from bookings.models import Appointment, Service, Status
from customers import services as customer_services
from customers.merging import merge_token
from linking import services as link_services
from linking.features import ACCOUNT_LINKING
from tests.bookings.helpers import ahead, book, lines, local, made, snapshot, started, status_of
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def logged_in(user, **options):
    client = Client(**options)
    client.force_login(user)
    return client


def tab_url(customer):
    return reverse("customers:profile_tab", args=[customer.pk, "bookings"])


def book_url(customer):
    return reverse("bookings:book", args=[customer.pk])


def cancel_url(customer, appointment):
    return reverse("bookings:cancel", args=[customer.pk, appointment.pk])


def mark_url(appointment):
    return reverse("bookings:mark", args=[appointment.pk])


DAY = reverse("bookings:day")


def text(response):
    """The page's words, without tags and with whitespace collapsed, as a reader sees them."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def form_time(moment):
    """A time as the datetime-local input sends it."""
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def embedded_in(customer):
    """The headers of an htmx request from a form inside the customer's tabs."""
    return {**HTMX, "HX-Current-URL": "http://testserver" + tab_url(customer)}


@pytest.fixture
def world(actor, catalogue, browns, linking_on):
    """Dora booked a massage for Eli four days ahead; Eli's haircut began ten minutes ago."""
    return {
        **vars(browns),
        **vars(catalogue),
        "upcoming": book(actor, browns.eli, catalogue.massage, ahead(4, 11), by=browns.dora),
        "started": started(browns.eli, catalogue.haircut),
    }


def routes(w):
    """Every URL of the bookings app, and the tab, as (name, method, url, data)."""
    eli = w["eli"]
    return [
        ("day", "get", DAY, {}),
        ("tab", "get", tab_url(eli), {}),
        (
            "book",
            "post",
            book_url(eli),
            {"service": w["haircut"].pk, "starts_at": form_time(ahead(2, 12)), "for_whom": eli.pk},
        ),
        ("cancel", "post", cancel_url(eli, w["upcoming"]), {"version": 1}),
        ("mark", "post", mark_url(w["started"]), {"status": Status.ATTENDED, "version": 1}),
        ("services", "get", reverse("bookings:services"), {}),
        ("service_create", "get", reverse("bookings:service_create"), {}),
        (
            "service_create",
            "post",
            reverse("bookings:service_create"),
            {"name": "Yoga", "duration_minutes": "60", "price_text": "12.50", "is_active": "on"},
        ),
        (
            "service_edit",
            "post",
            reverse("bookings:service_edit", args=[w["haircut"].pk]),
            {"name": "Haircut", "duration_minutes": "45", "price_text": "25.00", "is_active": "on"},
        ),
    ]


#: What a Manager may do and the front desk may not.
MANAGERS_ONLY = {"service_create", "service_edit"}


def call(client, method, url, data, **options):
    return getattr(client, method)(url, data, **options)


# Who may.


def test_anonymous_visitors_are_sent_to_log_in(client, world, bookings_on):
    before = snapshot()
    for name, method, url, data in routes(world):
        response = call(client, method, url, data)
        assert response.status_code == 302 and response.url.startswith("/login/"), name
    assert snapshot() == before


def test_users_without_a_role_are_forbidden_everything(world, bookings_on, staff_without_roles, portal_user):
    before = snapshot()
    for user in (staff_without_roles, portal_user):
        client = logged_in(user)
        for name, method, url, data in routes(world):
            assert call(client, method, url, data).status_code == 403, (user, name)
    assert snapshot() == before


@pytest.mark.parametrize("role", ["front desk", "manager"])
def test_front_desk_and_managers_book_cancel_mark_and_view_the_day_managers_keep_services(
    world, features_on, front_desk_user, manager_user, role
):
    client = logged_in(front_desk_user if role == "front desk" else manager_user)
    for name, method, url, data in routes(world):
        status = call(client, method, url, data).status_code
        if role == "front desk" and name in MANAGERS_ONLY:
            assert status == 403, (name, method, status)
        else:
            assert status == (200 if method == "get" else 302), (name, method, status)
    assert Service.objects.filter(name="Yoga").exists() is (role == "manager")
    assert Service.objects.get(pk=world["haircut"].pk).duration_minutes == (45 if role == "manager" else 30)
    eli = world["eli"]
    assert Appointment.objects.filter(attendee=eli, starts_at=ahead(2, 12), status=Status.BOOKED).exists()
    assert status_of(world["upcoming"]) == (Status.CANCELLED, 2)
    assert status_of(world["started"]) == (Status.ATTENDED, 2)


def test_switched_off_every_url_answers_404_and_the_tab_and_menu_are_gone(desk, world, linking_on):
    before = snapshot()
    with override_switch(BOOKINGS, active=False):
        for name, method, url, data in routes(world):
            assert call(desk, method, url, data).status_code == 404, name
            assert call(desk, method, url, data, headers=HTMX).status_code == 404, name
        for url in (reverse("customers:profile", args=[world["eli"].pk]), reverse("customers:front_desk")):
            page = desk.get(url).content.decode()
            assert 'id="tab-bookings"' not in page and "Day View" not in page, url
            assert reverse("bookings:day") not in page
    assert snapshot() == before
    # Switched on, the same pages have both: the check above is not vacuous.
    with override_switch(BOOKINGS, active=True):
        page = desk.get(reverse("customers:profile", args=[world["eli"].pk])).content.decode()
        assert 'id="tab-bookings"' in page and f'href="{DAY}"' in page and ">Day View</a>" in page


def test_posts_without_a_csrf_token_are_forbidden(world, features_on, front_desk_user):
    strict = logged_in(front_desk_user, enforce_csrf_checks=True)
    before = snapshot()
    for name, method, url, data in routes(world):
        if method == "post":
            assert call(strict, method, url, data).status_code == 403, name
            assert call(strict, method, url, data, headers=HTMX).status_code == 403, name
    assert snapshot() == before


# The Bookings tab.


def times(html):
    """The start times of the appointments listed, in page order."""
    return [datetime.fromisoformat(value) for value in re.findall(r'<time datetime="([^"]+)"', html)]


def sections(html):
    """(upcoming, past) parts of the Bookings tab."""
    upcoming, past = html.split("<h3>Past and cancelled</h3>")
    return upcoming.split("<h3>Upcoming</h3>")[1], past


def test_the_tab_lists_upcoming_soonest_first_and_past_newest_first_in_pages(
    desk, actor, catalogue, features_on
):
    fay = CustomerFactory(first_name="Fay", last_name="Field")
    soon, later = (
        book(actor, fay, catalogue.haircut, ahead(1, 9)),
        book(actor, fay, catalogue.haircut, ahead(3, 9)),
    )
    dropped = book(actor, fay, catalogue.haircut, ahead(2, 9))
    desk.post(cancel_url(fay, dropped), {"version": 1})
    # 25 past visits, one a day, the newest yesterday; and one happening now, still upcoming.
    past = [made(fay, catalogue.haircut, ahead(-day, 8), status=Status.ATTENDED) for day in range(1, 26)]
    now = started(fay, catalogue.haircut)

    first = desk.get(tab_url(fay)).content.decode()
    upcoming, older = sections(first)
    assert times(upcoming) == [now.starts_at, soon.starts_at, later.starts_at]
    # The cancelled one is the newest of the rest; then the visits, newest first, 20 a page.
    newest_first = [dropped.starts_at] + [visit.starts_at for visit in past]
    assert times(older) == newest_first[:20]
    assert ">Older</a>" in older and ">Newer</a>" not in older

    second = desk.get(tab_url(fay) + "?page=2", headers={**HTMX, "HX-Target": "customer-tabs"})
    html = second.content.decode()
    assert "<html" not in html  # the fragment htmx swaps in
    upcoming, older = sections(html)
    assert times(upcoming) == [now.starts_at, soon.starts_at, later.starts_at]
    assert times(older) == newest_first[20:]
    assert ">Newer</a>" in older and ">Older</a>" not in older
    # Only upcoming appointments have a Cancel button.
    assert html.count(">Cancel</button>") == 3


def test_upcoming_appointments_page_on_their_own_keeping_the_past_lists_page(desk, catalogue, features_on):
    """A weekly regular has more upcoming visits than one page holds: none is hidden."""
    gil = CustomerFactory(first_name="Gil", last_name="Grey")
    weekly = [made(gil, catalogue.haircut, ahead(7 * week + 1, 9)) for week in range(22)]
    visits = [made(gil, catalogue.haircut, ahead(-day, 8), status=Status.ATTENDED) for day in range(1, 23)]

    first = desk.get(tab_url(gil)).content.decode()
    upcoming, older = sections(first)
    assert times(upcoming) == [visit.starts_at for visit in weekly[:20]]
    assert f'href="{tab_url(gil)}?upcoming=2"' in upcoming and ">Sooner</a>" not in upcoming

    # Later upcoming ones, with the past list still on its second page.
    both = desk.get(tab_url(gil) + "?page=2&upcoming=2").content.decode()
    upcoming, older = sections(both)
    assert times(upcoming) == [visit.starts_at for visit in weekly[20:]]
    assert times(older) == [visit.starts_at for visit in visits[20:]]
    # Each pager changes its own number and keeps the other's.
    assert f'href="{tab_url(gil)}?page=2&amp;upcoming=1"' in upcoming and ">Later</a>" not in upcoming
    assert f'href="{tab_url(gil)}?page=1&amp;upcoming=2"' in older
    # The Cancel buttons are there on the later page too.
    assert upcoming.count(">Cancel</button>") == 2


def test_a_customer_with_no_appointments_sees_empty_lists(desk, features_on):
    page = text(desk.get(tab_url(CustomerFactory())))
    assert "No upcoming appointments." in page and "No past appointments." in page


def for_options(html):
    """The For dropdown's choices as (customer id, words), or None when there is none."""
    found = re.search(r'<select name="for_whom"[^>]*>(.*?)</select>', html, re.S)
    if found is None:
        return None
    return [
        (int(pk), words) for pk, words in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', found[1])
    ]


@pytest.fixture
def people(actor, family, types, linking_on):
    """The Smiths (Anna Owner, Ben Dependent, Cara Admin); Anna may also book for Kit Jones by a
    link; Lou and Mo may book for Anna but not she for them (Lou's link has other things ticked
    for Anna)."""
    kit = CustomerFactory(first_name="Kit", last_name="Jones")
    lou = CustomerFactory(first_name="Lou", last_name="Able")
    mo = CustomerFactory(first_name="Mo", last_name="Able")
    anna = family["anna"]
    for agent, principal, agent_may, principal_may in (
        (anna, kit, {"can_book": True}, {}),
        (anna, lou, {"can_complete_forms": True, "receives_copies": True}, {"can_book": True}),
        (mo, anna, {"can_book": True}, {}),
    ):
        link_services.link_customers(
            actor=actor,
            agent_id=agent.pk,
            principal_id=principal.pk,
            type_id=types["Other"].pk,
            agent_may=agent_may,
            principal_may=principal_may,
        )
    return {**family, "kit": kit, "lou": lou, "mo": mo}


def test_the_for_dropdown_lists_exactly_whom_the_customer_may_book_for(desk, people, bookings_on):
    p = people
    anna = desk.get(tab_url(p["anna"])).content.decode()
    assert for_options(anna) == [
        (p["anna"].pk, "Anna Smith (themselves)"),
        (p["kit"].pk, "Kit Jones"),
        (p["ben"].pk, "Ben Smith"),
    ]
    assert "may book for the people listed under For" in anna
    assert for_options(desk.get(tab_url(p["cara"])).content.decode()) == [
        (p["cara"].pk, "Cara Jones (themselves)"),
        (p["ben"].pk, "Ben Smith"),
    ]
    # Mo and Lou may book for Anna (the links' other sides), though she may not for them.
    for name in ("mo", "lou"):
        assert for_options(desk.get(tab_url(p[name])).content.decode())[1:] == [(p["anna"].pk, "Anna Smith")]
    # Those who may book for nobody get no dropdown, only themselves in a hidden field.
    for name in ("ben", "kit"):
        html = desk.get(tab_url(p[name])).content.decode()
        assert for_options(html) is None, name
        assert f'<input type="hidden" name="for_whom" value="{p[name].pk}">' in html
        assert "listed under For" not in html


def test_without_account_linking_there_is_no_for_dropdown(desk, people, bookings_on):
    with override_switch(ACCOUNT_LINKING, active=False):
        html = desk.get(tab_url(people["anna"])).content.decode()
    assert for_options(html) is None
    assert "Book Appointment" in html


def test_an_archived_customer_has_no_booking_form(desk, actor, people, bookings_on):
    customer_services.archive_customer(actor=actor, customer_id=people["anna"].pk)
    html = desk.get(tab_url(people["anna"])).content.decode()
    assert "Book Appointment" not in html and 'name="for_whom"' not in html


def test_an_archived_agents_profile_offers_nothing_for_the_people_they_booked_for(
    desk, actor, world, bookings_on
):
    customer_services.archive_customer(actor=actor, customer_id=world["dora"].pk)
    html = desk.get(tab_url(world["dora"])).content.decode()
    assert "Massage" in html and 'aria-label="Cancel ' not in html and "Change Time" not in html
    assert "Dora may no longer manage it." in text(desk.get(tab_url(world["dora"])))


def test_a_booking_on_behalf_shows_on_both_profiles(desk, world, bookings_on):
    dora, eli = desk.get(tab_url(world["dora"])), desk.get(tab_url(world["eli"]))
    assert "Massage For Eli Brown — another client" in text(dora)
    assert "Massage Booked by Dora Brown" in text(eli)
    assert "another client" not in text(eli) and "Booked by" not in text(dora)
    # Each may cancel it from their own profile.
    assert cancel_url(world["dora"], world["upcoming"]) in dora.content.decode()
    assert cancel_url(world["eli"], world["upcoming"]) in eli.content.decode()
    assert "may no longer manage it" not in text(dora)


def test_once_unlinked_the_agents_profile_still_lists_it_but_offers_no_cancel(
    desk, actor, world, bookings_on
):
    link_services.unlink(actor=actor, link_id=world["link"].pk)
    dora, eli = desk.get(tab_url(world["dora"])), desk.get(tab_url(world["eli"]))
    assert "Massage For Eli Brown — another client" in text(dora)
    assert "Dora may no longer manage it." in text(dora)
    assert cancel_url(world["dora"], world["upcoming"]) not in dora.content.decode()
    assert cancel_url(world["eli"], world["upcoming"]) in eli.content.decode()
    assert "Booked by Dora Brown" in text(eli)


# Booking through the view.


def booking(service, starts_at, for_whom, **extra):
    return {"service": service.pk, "starts_at": form_time(starts_at), "for_whom": for_whom.pk, **extra}


def test_booking_from_the_tab_with_htmx_reloads_the_tabs(desk, world, bookings_on):
    dora, eli = world["dora"], world["eli"]
    response = desk.post(
        book_url(dora),
        booking(world["haircut"], ahead(2, 15), eli, next=tab_url(dora)),
        headers=embedded_in(dora),
    )

    assert response.status_code == 204
    assert json.loads(response.headers["HX-Location"]) == {
        "path": tab_url(dora),
        "target": "#customer-tabs",
        "swap": "outerHTML",
    }
    made_now = Appointment.objects.get(starts_at=ahead(2, 15))
    assert (made_now.attendee, made_now.booked_by, made_now.service) == (eli, dora, world["haircut"])
    assert lines(dora, "booking")[-1].endswith("for Eli Brown.")


def test_booking_without_javascript_redirects_to_the_tab(desk, world, bookings_on):
    eli = world["eli"]
    response = desk.post(book_url(eli), booking(world["haircut"], ahead(2, 15), eli))
    assert response.status_code == 302 and response.url == tab_url(eli)
    made_now = Appointment.objects.get(starts_at=ahead(2, 15))
    assert (made_now.attendee, made_now.booked_by) == (eli, None)
    assert "Haircut was booked." in text(desk.get(response.url))


def bad_bookings(w):
    """(what is wrong, form data, the message shown)."""
    eli, haircut = w["eli"], w["haircut"]
    fine = booking(haircut, ahead(2, 15), eli)
    return {
        "no service": ({**fine, "service": ""}, "Choose a service."),
        "a retired service": ({**fine, "service": w["retired"].pk}, "That service is no longer offered."),
        "an unknown service": ({**fine, "service": 999_999}, "That service is no longer offered."),
        "no time": ({**fine, "starts_at": ""}, "Choose when."),
        "a bad date": ({**fine, "starts_at": "2026-02-31T10:00"}, "Enter a date and time."),
        "words for a date": ({**fine, "starts_at": "next tuesday"}, "Enter a date and time."),
        "a past time": (
            {**fine, "starts_at": form_time(timezone.now() - timedelta(hours=1))},
            "That time has passed; choose a time from now on.",
        ),
        "a time more than two years ahead": (
            {**fine, "starts_at": form_time(timezone.now() + timedelta(days=800))},
            "Appointments may be booked up to two years ahead; choose a time before ",
        ),
        "the last minute of the year 9999": (
            {**fine, "starts_at": "9999-12-31T23:59"},
            "Appointments may be booked up to two years ahead; choose a time before ",
        ),
        "an overlapping time": (
            booking(w["massage"], ahead(4, 10, 30), eli),
            f"Eli Brown already has Massage from 11:00 to 12:00 on {ahead(4).day} {ahead(4):%b}; "
            "choose another time.",
        ),
    }


BAD = [
    "no service",
    "a retired service",
    "an unknown service",
    "no time",
    "a bad date",
    "words for a date",
    "a past time",
    "a time more than two years ahead",
    "the last minute of the year 9999",
    "an overlapping time",
]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("wrong", BAD)
def test_bad_input_shows_the_form_again_with_why_and_books_nothing(desk, world, bookings_on, wrong, htmx):
    data, message = bad_bookings(world)[wrong]
    before = snapshot()

    response = desk.post(book_url(world["eli"]), data, headers=embedded_in(world["eli"]) if htmx else {})

    assert response.status_code == 200
    assert message in text(response)
    assert ("<html" in response.content.decode()) is not htmx
    assert snapshot() == before


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_for_id_the_customer_may_not_book_for_is_refused(desk, world, bookings_on, htmx):
    """A crafted request from Dora's profile (she has the dropdown) naming a stranger."""
    stranger = CustomerFactory()
    before = snapshot()
    response = desk.post(
        book_url(world["dora"]),
        booking(world["haircut"], ahead(2, 15), stranger),
        headers=embedded_in(world["dora"]) if htmx else {},
    )
    assert response.status_code == 200
    assert STALE_CHOICE in text(response)
    assert snapshot() == before


STALE_CHOICE = "That client may no longer be booked from here (their link changed)."


@pytest.mark.parametrize("how", ["crafted", "stale after unlink"])
def test_a_for_id_is_refused_with_a_message_where_there_is_no_dropdown(desk, actor, world, bookings_on, how):
    """The For field is hidden there, so its error must be said above the form: else the form
    came back with no word of why, and a second Book would book for the profile customer."""
    if how == "crafted":  # Eli may book for nobody; the request names Dora
        profile, for_whom = world["eli"], world["dora"]
    else:  # Dora's form listed Eli; the link went at another desk before she pressed Book
        link_services.unlink(actor=actor, link_id=world["link"].pk)
        profile, for_whom = world["dora"], world["eli"]
    before = snapshot()
    response = desk.post(book_url(profile), booking(world["haircut"], ahead(2, 15), for_whom))
    assert response.status_code == 200
    assert snapshot() == before
    assert STALE_CHOICE in text(response)
    assert (
        f"{profile.full_name} may book for nobody else now, so Book books for {profile.first_name}."
        in text(response)
    )


def test_booking_for_an_archived_customer_says_why(desk, actor, world, bookings_on):
    customer_services.archive_customer(actor=actor, customer_id=world["eli"].pk)
    before = snapshot()
    response = desk.post(book_url(world["eli"]), booking(world["haircut"], ahead(2, 15), world["eli"]))
    assert response.status_code == 200
    assert "Eli Brown is archived; restore them before booking an appointment." in text(response)
    assert snapshot() == before


def test_booking_for_an_unknown_or_merged_customer_answers_404(desk, actor, world, bookings_on):
    tombstone = CustomerFactory()
    survivor = CustomerFactory()
    customer_services.merge_customers(
        actor=actor, survivor_id=survivor.pk, absorbed_id=tombstone.pk, token=merge_token(survivor, tombstone)
    )
    before = snapshot()
    for customer_id in (tombstone.pk, 999_999):
        data = {"service": world["haircut"].pk, "starts_at": form_time(ahead(2, 15)), "for_whom": customer_id}
        assert desk.post(reverse("bookings:book", args=[customer_id]), data).status_code == 404
    assert snapshot() == before


def test_booking_is_post_only(desk, world, bookings_on):
    assert desk.get(book_url(world["eli"])).status_code == 405


# Cancelling through the view.


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("profile", ["eli", "dora"], ids=["attendee's profile", "agent's profile"])
def test_cancelling_from_either_profile(desk, world, bookings_on, profile, htmx):
    customer = world[profile]
    response = desk.post(
        cancel_url(customer, world["upcoming"]), {"version": 1}, headers=embedded_in(customer) if htmx else {}
    )
    if htmx:
        assert response.status_code == 204
        assert json.loads(response.headers["HX-Location"])["path"] == tab_url(customer)
    else:
        assert response.status_code == 302 and response.url == tab_url(customer)
    assert status_of(world["upcoming"]) == (Status.CANCELLED, 2)
    # Dora booked it: her History says so, from whichever profile it was cancelled.
    assert len(lines(world["dora"], "booking.cancelled")) == 1


def test_an_appointment_that_is_not_the_profile_customers_answers_404(desk, world, bookings_on):
    stranger = CustomerFactory()
    theirs = book(None, stranger, world["haircut"], ahead(5, 9))
    before = snapshot()
    for url in (
        cancel_url(stranger, world["upcoming"]),  # Eli's, from a stranger's profile
        cancel_url(world["eli"], theirs),  # the stranger's, from Eli's
        cancel_url(world["dora"], world["started"]),  # Eli's own, from Dora's
        reverse("bookings:cancel", args=[world["eli"].pk, 999_999]),
        reverse("bookings:cancel", args=[999_999, world["upcoming"].pk]),
    ):
        assert desk.post(url, {"version": 1}).status_code == 404, url
    assert snapshot() == before


@pytest.mark.parametrize("version", ["2", "0", "", "x"])
def test_cancelling_from_a_stale_form_answers_409(desk, world, bookings_on, version):
    before = snapshot()
    response = desk.post(cancel_url(world["eli"], world["upcoming"]), {"version": version})
    assert response.status_code == 409
    assert "The appointment changed since you opened it." in text(response)
    assert snapshot() == before


def test_once_unlinked_the_agent_cannot_cancel_from_their_profile(desk, actor, world, bookings_on):
    link_services.unlink(actor=actor, link_id=world["link"].pk)
    before = snapshot()

    response = desk.post(cancel_url(world["dora"], world["upcoming"]), {"version": 1}, headers=HTMX)

    assert response.status_code == 400
    assert "Dora Brown may no longer manage Eli Brown&#x27;s appointments." in response.content.decode()
    assert snapshot() == before
    # From Eli's own profile it still can be.
    assert desk.post(cancel_url(world["eli"], world["upcoming"]), {"version": 1}).status_code == 302
    assert status_of(world["upcoming"]) == (Status.CANCELLED, 2)


def test_cancelling_twice_is_refused(desk, world, bookings_on):
    desk.post(cancel_url(world["eli"], world["upcoming"]), {"version": 1})
    before = snapshot()
    response = desk.post(cancel_url(world["eli"], world["upcoming"]), {"version": 2})
    assert response.status_code == 400 and "it cannot be cancelled" in text(response)
    assert snapshot() == before


# Marking through the view.


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_marking_a_started_appointment_goes_back_to_the_day(desk, world, bookings_on, htmx):
    """The Day View has no customer tabs to reload: htmx is told to draw the page again."""
    back = DAY + "?date=" + timezone.localdate().isoformat()
    data = {"status": Status.NO_SHOW, "version": 1, "next": back}
    response = desk.post(
        mark_url(world["started"]), data, headers={**HTMX, "HX-Current-URL": back} if htmx else {}
    )
    if htmx:
        assert response.status_code == 200 and response.headers["HX-Redirect"] == back
    else:
        assert response.status_code == 302 and response.url == back
    assert status_of(world["started"]) == (Status.NO_SHOW, 2)
    assert "Eli Brown: Haircut marked." in text(desk.get(back))


def test_only_a_started_appointment_offers_marking_and_only_one_to_come_offers_change_time(
    desk, world, bookings_on
):
    started_on = timezone.localtime(world["started"].starts_at).date()
    day = desk.get(DAY, {"date": started_on.isoformat()}).content.decode()
    assert day.count(">Attended</button>") == 1 and day.count(">No-show</button>") == 1
    assert 'aria-label="Attended: Eli Brown' in day

    tab = desk.get(tab_url(world["started"].attendee)).content.decode()
    # Both may still be cancelled; only the one not yet begun may be moved.
    assert tab.count('aria-label="Cancel ') == 2
    assert tab.count("<summary>Change Time</summary>") == 1
    assert (
        f'action="{reverse("bookings:move", args=[world["upcoming"].attendee_id, world["upcoming"].pk])}"'
        in tab
    )


def test_marking_refusals(desk, world, bookings_on):
    before = snapshot()
    cases = [
        (mark_url(world["upcoming"]), {"status": Status.ATTENDED, "version": 1}, 400, "has not started yet"),
        (
            mark_url(world["started"]),
            {"status": Status.CANCELLED, "version": 1},
            400,
            "attended or a no-show",
        ),
        (mark_url(world["started"]), {"status": Status.ATTENDED, "version": 5}, 409, "changed since"),
        (mark_url(world["started"]), {"status": Status.ATTENDED}, 409, "changed since"),
        (reverse("bookings:mark", args=[999_999]), {"status": Status.ATTENDED, "version": 1}, 404, ""),
    ]
    for url, data, status, words in cases:
        response = desk.post(url, data)
        assert response.status_code == status, (url, data)
        assert words in text(response)
    assert snapshot() == before


# The Day View.


def rows(html):
    """The Day View's rows as (time, client), in page order."""
    return re.findall(r'<td class="nowrap">([\d:]+)–[\d:]+</td>\s*<td><a [^>]*>([^<]+)</a>', html)


def test_the_day_view_lists_the_days_appointments_by_time(desk, actor, world, bookings_on):
    fay = CustomerFactory(first_name="Fay", last_name="Field")
    gus = CustomerFactory(first_name="Gus", last_name="Grey")
    day = timezone.localdate() + timedelta(days=4)
    book(actor, fay, world["haircut"], local(day, 14))
    dropped = book(actor, gus, world["haircut"], local(day, 9))
    desk.post(cancel_url(gus, dropped), {"version": 1})
    # Not on that day: the evening before, and first thing the morning after.
    book(actor, fay, world["haircut"], local(day - timedelta(days=1), 23, 30))
    book(actor, fay, world["haircut"], local(day + timedelta(days=1), 0, 0))

    response = desk.get(DAY, {"date": day.isoformat()})

    html = response.content.decode()
    assert rows(html) == [("09:00", "Gus Grey"), ("11:00", "Eli Brown"), ("14:00", "Fay Field")]
    assert "Booked by Dora Brown" in text(response)
    # None has started yet: nothing to mark, but the desk sees when it can be.
    assert ">Attended</button>" not in html and ">No-show</button>" not in html
    assert text(response).count("Attended and No-show from") == 2
    assert f'href="?date={(day - timedelta(days=1)).isoformat()}"' in html
    assert f'href="?date={(day + timedelta(days=1)).isoformat()}"' in html


def test_the_day_view_shows_one_service_when_asked_and_keeps_it_from_day_to_day(
    desk, actor, world, bookings_on
):
    fay = CustomerFactory(first_name="Fay", last_name="Field")
    day = timezone.localdate() + timedelta(days=4)
    book(actor, fay, world["haircut"], local(day, 14))
    massage = world["massage"]

    response = desk.get(DAY, {"date": day.isoformat(), "service": massage.pk})

    html = response.content.decode()
    assert rows(html) == [("11:00", "Eli Brown")]
    assert f'<option value="{massage.pk}" selected>' in html
    assert f"Appointments on {day.day} {day:%B %Y} for Massage, by time" in html
    # Previous and Next keep the service; Today too.
    assert f'href="?date={(day + timedelta(days=1)).isoformat()}&amp;service={massage.pk}"' in html
    assert f'href="{DAY}?service={massage.pk}"' in html
    # An unknown service shows every one.
    assert rows(desk.get(DAY, {"date": day.isoformat(), "service": "999999"}).content.decode()) == [
        ("11:00", "Eli Brown"),
        ("14:00", "Fay Field"),
    ]


def test_the_day_view_of_the_day_the_clocks_go_back_runs_midnight_to_midnight(
    desk, actor, catalogue, bookings_on
):
    """25 hours in Europe/London: nothing of the next morning shows, and nothing is missed."""
    fay = CustomerFactory(first_name="Fay", last_name="Field")
    day = date(2027, 10, 31)
    late = made(fay, catalogue.haircut, local(day, 23, 30))
    made(fay, catalogue.haircut, local(day + timedelta(days=1), 0, 30))
    assert [time for time, _ in rows(desk.get(DAY, {"date": day.isoformat()}).content.decode())] == [
        f"{timezone.localtime(late.starts_at):%H:%M}"
    ]


@pytest.mark.parametrize("asked", ["garbage", "", "2026-02-30", "24/11/2026"])
def test_the_day_view_falls_back_to_today(desk, world, bookings_on, asked):
    today = timezone.localdate()
    response = desk.get(DAY, {"date": asked})
    assert response.status_code == 200
    assert f"Day View: {today:%A} {today.day} {today:%B %Y}" in text(response)
    # Eli's haircut began ten minutes ago (today, unless the day began less than ten ago).
    if timezone.localtime(world["started"].starts_at).date() == today:
        assert [client for _, client in rows(response.content.decode())] == ["Eli Brown"]


def test_the_day_view_without_a_date_is_today(desk, bookings_on):
    today = timezone.localdate()
    assert f"Day View: {today:%A} {today.day} {today:%B %Y}" in text(desk.get(DAY))


@pytest.mark.parametrize("asked", ["9999-12-31", "0001-01-01", "3000-01-01", "1899-12-31"])
def test_a_day_beyond_any_booking_shows_today(desk, bookings_on, asked):
    """Near the calendar's ends the previous and next days could not even be worked out."""
    response = desk.get(DAY, {"date": asked})
    today = timezone.localdate()
    assert response.status_code == 200
    assert f"Day View: {today:%A} {today.day} {today:%B %Y}" in text(response)


def test_the_day_view_is_get_only(desk, bookings_on):
    assert desk.post(DAY).status_code == 405
