"""History lines: an action code and its data, put into words when shown; the History tab's
filter by area; the admin's list of lines."""

import pytest
from django.urls import reverse

from core import hooks
from customers import history
from customers.models import Activity
from customers.services import activity_line, record_activity
from tests.factories import ActivityFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def tab(client, customer, query="", **headers):
    url = reverse("customers:profile_tab", args=[customer.pk, "history"]) + query
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


# Rendering


def test_a_line_written_before_data_was_kept_shows_its_stored_sentence():
    line = ActivityFactory(kind="group.member_added", message="Added to “Lee family” as Child.", data={})
    assert line.sentence == str(line) == "Added to “Lee family” as Child."


def test_a_new_line_is_put_into_words_when_shown_from_its_action_and_data(front_desk_user):
    customer = CustomerFactory()
    [line] = record_activity(
        customers=[customer],
        actor=front_desk_user,
        action="group.member_added",
        data={"group": "Lee family", "role": "dependent", "label": "Child"},
    )
    line = Activity.objects.get(pk=line.pk)
    assert (line.kind, line.data) == (
        "group.member_added",
        {"group": "Lee family", "role": "dependent", "label": "Child"},
    )
    assert line.sentence == "Added to “Lee family” as Dependent (Child)."
    # The stored sentence is a snapshot only: the words come from the data.
    Activity.objects.filter(pk=line.pk).update(message="Something else.")
    assert Activity.objects.get(pk=line.pk).sentence == "Added to “Lee family” as Dependent (Child)."


def test_amounts_and_moments_are_kept_as_data_and_said_when_shown(front_desk_user, settings):
    settings.TIME_ZONE = "Europe/London"
    customer = CustomerFactory()
    record_activity(
        customers=[customer],
        actor=None,
        action="package.bought",
        data={"sessions": 5, "service": "Swim", "price": 4500},
    )
    record_activity(
        customers=[customer],
        actor=None,
        action="booking.attended",
        data={"service": "Swim", "starts_at": "2026-07-01T09:30:00Z"},
    )
    bought, attended = Activity.objects.filter(customer=customer).order_by("id")
    assert bought.data["price"] == 4500
    assert bought.sentence == "Bought a package of 5 × Swim for £45.00."
    assert attended.sentence == "Swim on Wed 1 Jul 2026 at 10:30: Attended."


def test_one_action_reads_right_from_either_side():
    member_side = activity_line(
        customer=None, actor=None, action="group.member_removed", data={"group": "Lee family"}
    )
    owner_side = activity_line(
        customer=None,
        actor=None,
        action="group.member_removed",
        data={"group": "Lee family", "member": "Tom Lee"},
    )
    assert member_side.sentence == "Removed from “Lee family”."
    assert owner_side.sentence == "Tom Lee was removed from “Lee family”."


def test_an_action_no_app_declares_is_refused():
    with pytest.raises(history.UnknownAction):
        record_activity(customers=[CustomerFactory()], actor=None, action="customer.danced", data={})
    assert not Activity.objects.exists()


def test_a_line_whose_action_is_no_longer_declared_shows_its_stored_sentence():
    line = ActivityFactory(kind="retired.action", data={"x": 1}, message="What it said then.")
    assert line.sentence == "What it said then."


def test_data_its_sentence_cannot_use_falls_back_to_the_stored_sentence():
    line = ActivityFactory(kind="group.renamed", data={"unexpected": 1}, message="The group was renamed.")
    assert line.sentence == "The group was renamed."


def test_the_catalogue_gives_every_action_an_area_and_no_code_twice():
    declared = hooks.entries("history_action")
    codes = [action.code for action in declared]
    assert len(codes) == len(set(codes))
    assert {action.area for action in declared} == set(history.Area.values)
    assert set(history.actions()) == set(codes)


def test_an_area_from_the_query_string_is_one_of_the_four_or_none():
    assert history.area_of("money") == history.Area.MONEY
    assert [history.area_of(value) for value in (None, "", "Money", "all", "x" * 5000)] == [None] * 5


# The History tab's filter


@pytest.fixture
def lines(front_desk_user):
    customer = CustomerFactory()
    record_activity(
        customers=[customer],
        actor=front_desk_user,
        action="billing.posted",
        data={"kind": "charge", "amount": 500},
    )
    record_activity(
        customers=[customer],
        actor=front_desk_user,
        action="booking.booked",
        data={"service": "Haircut", "starts_at": "2026-03-02T10:00:00Z"},
    )
    record_activity(
        customers=[customer], actor=front_desk_user, action="group.renamed", data={"was": "A", "name": "B"}
    )
    record_activity(customers=[customer], actor=front_desk_user, action="customer.archived")
    ActivityFactory(
        customer=customer, kind="billing.posted", message="Took a payment of £3.00 (an old line)."
    )
    return customer


MONEY = ["Charged £5.00 to the house account.", "Took a payment of £3.00 (an old line)."]
OTHERS = ["Booked Haircut on", "The group “A” was renamed “B”.", "Customer archived."]


@pytest.mark.parametrize(
    ("area", "shown", "hidden"),
    [
        ("", MONEY + OTHERS, []),
        ("?area=money", MONEY, OTHERS),
        ("?area=bookings", ["Booked Haircut on"], MONEY + OTHERS[1:]),
        ("?area=family", ["The group “A” was renamed “B”."], MONEY + ["Booked", "Customer archived."]),
        ("?area=details", ["Customer archived."], MONEY + OTHERS[:2]),
    ],
)
def test_the_filter_narrows_the_history_to_one_area(desk, lines, area, shown, hidden):
    page = tab(desk, lines, area)
    for words in shown:
        assert words in page
    for words in hidden:
        assert words not in page


@pytest.mark.parametrize(
    "query", ["?area=nonsense", "?area=", "?area=MONEY", "?area=%00", "?area=money&area=x"]
)
def test_an_unknown_area_shows_everything(desk, lines, query):
    page = tab(desk, lines, query)
    for words in MONEY + OTHERS:
        assert words in page
    assert '<a href="/customers/' in page and 'aria-current="true">All</a>' in page


def test_the_filter_is_links_that_work_without_javascript_and_swap_the_tab_with_htmx(desk, lines):
    url = reverse("customers:profile_tab", args=[lines.pk, "history"])
    page = tab(desk, lines, "?area=money")
    assert f'href="{url}?area=bookings" hx-get="{url}?area=bookings" hx-target="#customer-tabs"' in page
    assert f'<a href="{url}?" hx-get="{url}?"' in page  # All
    assert 'aria-current="true">Money</a>' in page
    fragment = tab(desk, lines, "?area=money", **{"HX-Request": "true", "HX-Target": "customer-tabs"})
    assert (
        "<html" not in fragment
        and "Took a payment of £3.00" in fragment
        and "Customer archived." not in fragment
    )


def test_paging_keeps_the_filter_and_the_filter_starts_at_the_first_page(desk, front_desk_user):
    customer = CustomerFactory()
    for amount in range(1, 26):
        record_activity(
            customers=[customer],
            actor=None,
            action="billing.posted",
            data={"kind": "payment", "amount": amount * 100},
        )
        record_activity(customers=[customer], actor=None, action="customer.archived")
    url = reverse("customers:profile_tab", args=[customer.pk, "history"])
    first = tab(desk, customer, "?area=money")
    assert f'href="{url}?area=money&amp;page=2"' in first
    second = tab(desk, customer, "?area=money&page=2")
    assert "£5.00" in second and "£1.00" in second and "£6.00" not in second
    assert "Customer archived." not in second
    assert f'href="{url}?area=details"' in second  # another area starts again at its first page


def test_an_area_with_nothing_says_so(desk):
    customer = CustomerFactory()
    record_activity(customers=[customer], actor=None, action="customer.archived")
    assert "Nothing of this kind has happened on this account yet." in tab(desk, customer, "?area=money")


# The admin


def test_the_admin_shows_each_line_in_words_and_filters_by_action_and_area(admin_client, lines):
    url = reverse("admin:customers_activity_changelist")
    page = admin_client.get(url).content.decode()
    assert "Charged £5.00 to the house account." in page and "Customer archived." in page
    page = admin_client.get(url + "?action=billing.posted").content.decode()
    assert "Charged £5.00 to the house account." in page and "Took a payment of £3.00" in page
    assert "Customer archived." not in page
    page = admin_client.get(url + "?area=details").content.decode()
    assert "Customer archived." in page and "Charged £5.00" not in page
    line = Activity.objects.get(kind="group.renamed")
    page = admin_client.get(reverse("admin:customers_activity_change", args=[line.pk])).content.decode()
    assert "The group “A” was renamed “B”." in page
