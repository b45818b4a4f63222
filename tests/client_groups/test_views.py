"""The client-group pages: who may use each URL, the switch, CSRF, the group forms, the
profile's panel and Add to Group, the client list's filter, badges and bulk actions, and
the CSV export."""

import csv
import io
import json
import re
from datetime import date
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from waffle.testutils import override_switch

from client_groups import services
from client_groups.features import CLIENT_GROUPS
from client_groups.models import Segment, SegmentMember
from customers.merging import merge_token
from customers.models import Activity, Customer
from customers.services import archive_customer, merge_customers
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
NOT_OFFERED = "That client group no longer exists or follows rules; choose another."


def logged_in(user, **options):
    client = Client(**options)
    client.force_login(user)
    return client


@pytest.fixture
def manager(manager_user, client_groups_on):
    """A Manager on a client of their own, so that a test may also use `desk`."""
    return logged_in(manager_user)


@pytest.fixture
def front(desk, client_groups_on):
    return desk


def only(*customers):
    return Customer.objects.filter(pk__in=[customer.pk for customer in customers])


@pytest.fixture
def world(manager_user):
    """Anna (an adult, in VIP), Ben (a child, in nothing), VIP (chosen by staff) and Adults (rules)."""
    anna = CustomerFactory(first_name="Anna", last_name="Archer", date_of_birth=date(1980, 1, 1))
    ben = CustomerFactory(first_name="Ben", last_name="Baker", date_of_birth=date(2015, 1, 1))
    vip = services.create_segment(actor=manager_user, name="VIP", description="Best clients")
    services.add_customers(actor=manager_user, segment_id=vip.pk, customers=only(anna))
    adults = services.create_segment(actor=manager_user, name="Adults", rules={"age_from": 18})
    return SimpleNamespace(anna=anna, ben=ben, vip=vip, adults=adults)


def snapshot():
    """Every group, membership and History line, to compare before and after a refusal."""
    return (
        list(Segment.objects.order_by("pk").values_list("pk", "name", "rules", "version")),
        list(SegmentMember.objects.order_by("pk").values_list("pk", "segment_id", "customer_id")),
        Activity.objects.count(),
        Customer.objects.count(),
    )


def text(response):
    """The page's words with whitespace collapsed, as a reader sees them."""
    return " ".join(response.content.decode().split())


def toasts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def routes(w):
    """Every client-group URL as (name, method, url, data), the one that deletes last."""
    vip, anna, ben = w.vip.pk, w.anna.pk, w.ben.pk
    return [
        ("list", "get", reverse("client_groups:list"), None),
        ("detail", "get", reverse("client_groups:detail", args=[vip]), None),
        ("export", "get", reverse("client_groups:export", args=[vip]), None),
        ("bulk", "get", reverse("client_groups:bulk"), {"customer": ben, "segment": vip}),
        ("bulk", "post", reverse("client_groups:bulk"), {"customer": ben, "segment": vip}),
        ("profile_add", "get", reverse("client_groups:profile_add", args=[ben]), None),
        ("profile_add", "post", reverse("client_groups:profile_add", args=[ben]), {"segment": vip}),
        ("profile_remove", "post", reverse("client_groups:profile_remove", args=[anna, vip]), None),
        ("create", "get", reverse("client_groups:create"), None),
        ("create", "post", reverse("client_groups:create"), {"name": "New", "members": "manual"}),
        ("edit", "get", reverse("client_groups:edit", args=[vip]), None),
        ("edit", "post", reverse("client_groups:edit", args=[vip]), {"name": "Renamed", "version": 1}),
        ("delete", "post", reverse("client_groups:delete", args=[vip]), None),
    ]


def call(client, method, url, data):
    return getattr(client, method)(url, data or {})


FRONT_DESK_MAY = {"list", "detail", "export", "bulk", "profile_add", "profile_remove"}


# Who may.


def test_anonymous_visitors_are_sent_to_log_in(client, world, client_groups_on):
    before = snapshot()
    for name, method, url, data in routes(world):
        response = call(client, method, url, data)
        assert response.status_code == 302 and response.url.startswith("/login/"), (name, method)
    assert snapshot() == before


def test_users_without_a_role_are_forbidden_everything(
    world, client_groups_on, staff_without_roles, portal_user
):
    before = snapshot()
    for user in (staff_without_roles, portal_user):
        client = logged_in(user)
        for name, method, url, data in routes(world):
            assert call(client, method, url, data).status_code == 403, (user, name, method)
    assert snapshot() == before


def test_front_desk_works_with_members_but_not_with_the_groups_themselves(front, world):
    for name, method, url, data in routes(world):
        status = call(front, method, url, data).status_code
        if name in FRONT_DESK_MAY:
            assert status in (200, 302), (name, method, status)
        else:
            assert status == 403, (name, method, status)
    assert (
        Segment.objects.filter(name="VIP", version=1).exists()
        and not Segment.objects.filter(name="New").exists()
    )
    # The bulk POST added Ben; the badge's X took Anna out.
    assert set(SegmentMember.objects.values_list("customer_id", flat=True)) == {world.ben.pk}


def test_front_desk_is_not_offered_what_it_may_not_do(front, world):
    for page in (
        front.get(reverse("client_groups:list")),
        front.get(reverse("client_groups:detail", args=[world.vip.pk])),
    ):
        html = page.content.decode()
        assert "Create Group" not in html
        assert reverse("client_groups:edit", args=[world.vip.pk]) not in html
        assert reverse("client_groups:delete", args=[world.vip.pk]) not in html


def test_a_manager_may_do_everything(manager, world):
    for name, method, url, data in routes(world):
        assert call(manager, method, url, data).status_code in (200, 302), (name, method)
    assert set(Segment.objects.values_list("name", flat=True)) == {
        "Adults",
        "New",
    }  # VIP was renamed, then deleted


def test_switched_off_every_url_is_gone_and_so_are_the_links(manager_user, world):
    manager = logged_in(manager_user)  # the switch is off unless a test turns it on
    before = snapshot()
    for name, method, url, data in routes(world):
        assert call(manager, method, url, data).status_code == 404, (name, method)
        if method == "get":
            assert manager.post(url, data or {}).status_code in (404, 405), name
    # A page opened before the switch went off hears why its request failed.
    response = manager.post(
        reverse("client_groups:profile_remove", args=[world.anna.pk, world.vip.pk]), headers=HTMX
    )
    assert response.status_code == 404
    assert "switched off" in json.loads(response.headers["HX-Trigger"])["messages"][0]["text"]
    assert snapshot() == before

    def screens():
        listing = manager.get(reverse("customers:list"), {"client_group": world.vip.pk}).content.decode()
        profile = manager.get(world.anna.get_absolute_url()).content.decode()
        return listing, profile

    listing, profile = screens()
    assert "Client Groups" not in listing and "Client Groups" not in profile
    assert 'id="panel-client-groups"' not in profile and "segment-badge" not in listing
    assert 'name="client_group"' not in listing and "Bulk Actions" not in listing
    assert f'value="{world.ben.pk}"' not in listing  # no checkboxes without bulk actions…
    assert "Baker, Ben" in listing  # …and the filter for VIP is not applied
    with override_switch(CLIENT_GROUPS, active=True):
        listing, profile = screens()
        assert listing.count("Client Groups") == 1 and 'id="panel-client-groups"' in profile
        assert "Baker, Ben" not in listing and "Archer, Anna" in listing


def test_a_post_without_a_csrf_token_is_refused(manager_user, world, client_groups_on):
    strict = logged_in(manager_user, enforce_csrf_checks=True)
    before = snapshot()
    for name, method, url, data in routes(world):
        if method == "post":
            assert strict.post(url, data or {}).status_code == 403, name
    assert snapshot() == before


# Creating, editing and deleting groups.


def create(client, **data):
    return client.post(reverse("client_groups:create"), {"name": "Students", "members": "manual", **data})


def test_create_a_group_whose_members_staff_choose(manager):
    response = create(manager, description="  Full-time  ")
    students = Segment.objects.get(name="Students")
    assert response.status_code == 302 and response.url == reverse("client_groups:detail", args=[students.pk])
    assert (students.description, students.rules) == ("Full-time", {})
    assert toasts(response) == ["The client group “Students” was created."]


def test_create_a_group_that_follows_rules(manager, world):
    response = create(
        manager,
        members="rules",
        age_from="18",
        age_to="25",
        in_family_group="no",
        not_in_segment=world.vip.pk,
    )
    assert response.status_code == 302
    students = Segment.objects.get(name="Students")
    assert students.rules == {
        "age_from": 18,
        "age_to": 25,
        "in_family_group": "no",
        "not_in_segment": world.vip.pk,
    }
    detail = text(manager.get(response.url))
    assert "Rule-based" in detail and "Aged 18 to 25" in detail and "Not in VIP" in detail


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "vip"}, "There is already a client group with that name."),
        ({"name": "   "}, "Give the client group a name."),
        ({"members": "rules"}, "Choose at least one rule for the members to follow."),
        (
            {"members": "rules", "age_from": "30", "age_to": "20"},
            "The upper age must be at least the lower one.",
        ),
        ({"members": "rules", "created_since": "2999-01-01"}, "Choose a date that is not in the future."),
        ({"members": "rules", "age_from": "-1"}, "Ensure this value is greater than or equal to 0."),
    ],
    ids=["duplicate name", "blank name", "no rule", "ages reversed", "future", "negative"],
)
def test_bad_create_input_shows_why_and_creates_nothing(manager, world, data, message):
    before = snapshot()
    response = create(manager, **data)
    assert response.status_code == 200
    assert message in text(response)
    assert snapshot() == before


def test_rules_left_in_a_group_whose_members_staff_choose_are_ignored(manager):
    # Picking "Chosen by staff" hides the rules the form had; what they still hold is dropped.
    response = create(manager, members="manual", age_from="18", in_family_group="yes")
    assert response.status_code == 302
    assert Segment.objects.get(name="Students").rules == {}


def test_a_group_cannot_require_and_exclude_the_same_group(manager, world):
    before = snapshot()
    response = create(manager, members="rules", in_segment=world.vip.pk, not_in_segment=world.vip.pk)
    assert response.status_code == 200 and "cannot be both required and excluded" in text(response)
    assert snapshot() == before


def test_edit_a_group_and_a_stale_edit_is_refused_with_409(manager, world):
    url = reverse("client_groups:edit", args=[world.adults.pk])
    form = manager.get(url).content.decode()
    assert 'name="version" value="1"' in form
    assert f'<option value="{world.adults.pk}"' not in form  # its rules cannot name itself
    response = manager.post(url, {"name": "Grown-ups", "version": 1, "age_from": "21"})
    assert response.status_code == 302 and toasts(response) == ["The client group “Grown-ups” was saved."]
    stale = manager.post(url, {"name": "Stale", "version": 1, "age_from": "30"})
    assert stale.status_code == 409
    assert "Someone else changed this client group since you opened it." in text(stale)
    adults = Segment.objects.get(pk=world.adults.pk)
    assert (adults.name, adults.rules, adults.version) == ("Grown-ups", {"age_from": 21}, 2)


def test_a_group_whose_members_staff_choose_has_no_rules_to_edit(manager, world):
    url = reverse("client_groups:edit", args=[world.vip.pk])
    assert 'name="age_from"' not in manager.get(url).content.decode()
    response = manager.post(url, {"name": "VIP", "description": "", "version": 1, "age_from": "18"})
    assert response.status_code == 302 and Segment.objects.get(pk=world.vip.pk).rules == {}


def test_delete_goes_back_to_the_list_and_says_the_clients_stay(manager, world):
    response = manager.post(reverse("client_groups:delete", args=[world.vip.pk]))
    assert response.status_code == 302 and response.url == reverse("client_groups:list")
    assert toasts(response) == ["The client group “VIP” was deleted; its clients stay."]
    assert not Segment.objects.filter(pk=world.vip.pk).exists() and not SegmentMember.objects.exists()
    assert Customer.objects.filter(pk__in=[world.anna.pk, world.ben.pk]).count() == 2
    assert Activity.objects.filter(customer=world.anna, kind="segment.deleted").exists()


def test_delete_by_htmx_redirects_the_page(manager, world):
    response = manager.post(reverse("client_groups:delete", args=[world.vip.pk]), headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Redirect"] == reverse("client_groups:list")


def test_delete_of_a_group_other_rules_use_is_refused_with_the_reason(manager, world, manager_user):
    services.create_segment(actor=manager_user, name="Not VIP", rules={"not_in_segment": world.vip.pk})
    before = snapshot()
    response = manager.post(reverse("client_groups:delete", args=[world.vip.pk]))
    assert response.status_code == 400
    assert "The rules of Not VIP use “VIP”; change them before deleting it." in text(response)
    assert snapshot() == before


# The profile.


def test_summary_shows_the_client_groups_panel_with_badges(front, world):
    page = front.get(world.anna.get_absolute_url()).content.decode()
    assert 'id="panel-client-groups"' in page and ">Client Groups</h3>" in page
    for segment in (world.vip, world.adults):
        assert f'<a href="{reverse("client_groups:detail", args=[segment.pk])}">{segment.name}</a>' in page
    # Only the group staff chose has an X; the rule-based one says why it has none.
    assert reverse("client_groups:profile_remove", args=[world.anna.pk, world.vip.pk]) in page
    assert reverse("client_groups:profile_remove", args=[world.anna.pk, world.adults.pk]) not in page
    assert "(follows rules)" in page and "Add to Group" in page
    ben = front.get(world.ben.get_absolute_url()).content.decode()
    assert "Ben is not in any client group." in ben


def test_the_badges_x_takes_the_customer_out(front, world):
    profile = world.anna.get_absolute_url()
    url = reverse("client_groups:profile_remove", args=[world.anna.pk, world.vip.pk])
    response = front.post(url, {"next": profile})
    assert response.status_code == 302 and response.url == profile
    assert toasts(response) == ["Anna Archer was removed from “VIP”."]
    assert not SegmentMember.objects.exists()
    assert Activity.objects.filter(customer=world.anna, kind="segment.removed").count() == 1


@pytest.mark.parametrize("which", ["rule-based", "unknown"])
def test_the_x_on_a_group_that_cannot_lose_members_by_hand_is_refused(front, world, which):
    segment_id = world.adults.pk if which == "rule-based" else 999_999
    before = snapshot()
    response = front.post(reverse("client_groups:profile_remove", args=[world.anna.pk, segment_id]))
    assert response.status_code == 400 and "Nothing was changed." in text(response)
    assert ("follows rules" if which == "rule-based" else "That client group no longer exists.") in text(
        response
    )
    assert snapshot() == before


def test_add_to_group_offers_only_groups_whose_members_staff_choose(front, world):
    response = front.get(reverse("client_groups:profile_add", args=[world.ben.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "Add Ben Baker to a client group" in page
    assert f'<option value="{world.vip.pk}">VIP</option>' in page
    assert f'<option value="{world.adults.pk}"' not in page


def test_add_to_group_from_the_profile(front, world):
    url = reverse("client_groups:profile_add", args=[world.ben.pk])
    response = front.post(url, {"segment": world.vip.pk})
    assert response.status_code == 302 and response.url == world.ben.get_absolute_url()
    assert toasts(response) == ["Ben Baker was added to “VIP”."]
    assert SegmentMember.objects.filter(segment=world.vip, customer=world.ben).exists()


def test_adding_someone_already_in_says_so_and_changes_nothing(front, world):
    before = snapshot()
    response = front.post(
        reverse("client_groups:profile_add", args=[world.anna.pk]), {"segment": world.vip.pk}
    )
    assert response.status_code == 302
    assert toasts(response) == ["Anna Archer is already in “VIP”."]
    assert snapshot() == before


@pytest.mark.parametrize("which", ["rule-based", "unknown", "none"])
def test_add_to_group_refuses_a_group_it_does_not_offer(front, world, which):
    chosen = {"rule-based": world.adults.pk, "unknown": 999_999, "none": ""}[which]
    before = snapshot()
    response = front.post(reverse("client_groups:profile_add", args=[world.ben.pk]), {"segment": chosen})
    assert response.status_code == 200
    assert (NOT_OFFERED if which != "none" else "Choose a client group.") in text(response)
    assert snapshot() == before


def test_archived_customers_cannot_be_added(front, world, front_desk_user):
    archive_customer(actor=front_desk_user, customer_id=world.ben.pk)
    assert "Add to Group" not in front.get(world.ben.get_absolute_url()).content.decode()
    before = snapshot()
    response = front.post(
        reverse("client_groups:profile_add", args=[world.ben.pk]), {"segment": world.vip.pk}
    )
    assert response.status_code == 200
    assert "Ben Baker is archived; restore them before adding them to a client group." in text(response)
    assert snapshot() == before


def test_merged_customers_have_no_add_to_group(front, world, front_desk_user):
    survivor = CustomerFactory()
    merge_customers(
        actor=front_desk_user,
        survivor_id=survivor.pk,
        absorbed_id=world.ben.pk,
        token=merge_token(survivor, world.ben),
    )
    assert front.get(reverse("client_groups:profile_add", args=[world.ben.pk])).status_code == 404
    assert (
        front.post(
            reverse("client_groups:profile_add", args=[world.ben.pk]), {"segment": world.vip.pk}
        ).status_code
        == 404
    )


# The customer list: filter, badges and count.


def listed(response):
    """The customers on a page of the client list, by their checkboxes."""
    return {int(pk) for pk in re.findall(r'name="customer" value="(\d+)"', response.content.decode())}


def test_filter_the_list_by_one_or_several_groups(front, world):
    cara = CustomerFactory(first_name="Cara", date_of_birth=None)
    everyone = {world.anna.pk, world.ben.pk, cara.pk}
    url = reverse("customers:list")
    assert listed(front.get(url)) == everyone
    assert listed(front.get(url, {"client_group": world.vip.pk})) == {world.anna.pk}
    assert listed(front.get(url, {"client_group": world.adults.pk})) == {world.anna.pk}
    services.add_customers(actor=None, segment_id=world.vip.pk, customers=only(cara))
    both = front.get(url, {"client_group": [world.vip.pk, world.adults.pk]})
    assert listed(both) == {world.anna.pk, cara.pk}
    assert "selected>VIP</option>" in both.content.decode()
    assert listed(front.get(url, {"client_group": [999_999, "x"]})) == set()


def test_the_list_shows_each_customers_groups_as_badges(front, world):
    page = front.get(reverse("customers:list")).content.decode()
    row = next(row for row in page.split("<tr") if "Archer, Anna" in row)
    assert (
        'class="badge segment-badge badge-rule"' in row and ">Adults<span" in row and "(follows rules)" in row
    )
    assert 'class="badge segment-badge"' in row and ">VIP</a>" in row
    ben = next(row for row in page.split("<tr") if "Baker, Ben" in row)
    assert "segment-badge" not in ben


def test_the_list_with_badges_costs_the_same_queries_however_many_rows(front, world):
    """Guards against a query per row for badges."""

    def queries_for_list():
        with CaptureQueriesContext(connection) as run:
            assert front.get(reverse("customers:list")).status_code == 200
        return len(run)

    queries_for_list()  # the first request fills the switches' cache
    few = queries_for_list()
    for customer in CustomerFactory.create_batch(20):
        services.add_customers(actor=None, segment_id=world.vip.pk, customers=only(customer))
    assert queries_for_list() == few


def test_count_of_every_matching_customer(front, world):
    CustomerFactory.create_batch(2)
    count = reverse("customers:count")
    assert 'data-count="4">4</span>' in front.get(count).content.decode()
    assert 'data-count="1">1</span>' in front.get(count, {"client_group": world.vip.pk}).content.decode()
    both = {"client_group": [world.vip.pk, world.adults.pk], "q": "archer"}
    assert 'data-count="1">1</span>' in front.get(count, both).content.decode()


# Bulk actions.


def bulk(client, method="get", headers=None, **params):
    return getattr(client, method)(reverse("client_groups:bulk"), params, headers=headers)


def test_bulk_confirmation_counts_those_who_change(front, world):
    cara = CustomerFactory(first_name="Cara", last_name="Cole")
    ticked = [world.anna.pk, world.ben.pk, cara.pk]
    preview = text(bulk(front, customer=ticked, segment=world.vip.pk))
    assert "Add <strong>2 customers</strong> to “VIP”?" in preview
    assert "1 of the 3 chosen is in it already and stays as it is." in preview
    assert "Add 2 to Group" in preview
    preview = text(bulk(front, action="remove", customer=ticked, segment=world.vip.pk))
    assert "Remove <strong>1 customer</strong> from “VIP”? Their profiles stay." in preview
    assert "2 of the 3 chosen are not in it." in preview


def test_bulk_without_a_group_asks_for_one(front, world):
    page = text(bulk(front, customer=[world.ben.pk]))
    assert "Add to Group" in page and "Choose a client group…" in page
    assert f'<option value="{world.adults.pk}"' not in page


def test_bulk_add_does_it_and_goes_back_to_the_list(front, world):
    cara = CustomerFactory(first_name="Cara")
    response = bulk(
        front, "post", customer=[world.anna.pk, world.ben.pk, cara.pk], segment=world.vip.pk, q="a"
    )
    assert response.status_code == 302 and response.url == reverse("customers:list") + "?q=a"
    assert toasts(response) == ["2 customers added to “VIP”. 1 was in it already."]
    assert set(SegmentMember.objects.values_list("customer_id", flat=True)) == {
        world.anna.pk,
        world.ben.pk,
        cara.pk,
    }
    line = Activity.objects.get(customer=cara, kind="segment.added")
    assert line.sentence == "Added to client group “VIP” (a bulk action on 3 customers)."


def test_bulk_remove_by_htmx_redirects_the_page(front, world):
    response = bulk(
        front, "post", action="remove", customer=[world.anna.pk], segment=world.vip.pk, headers=HTMX
    )
    assert response.status_code == 200 and response.headers["HX-Redirect"] == reverse("customers:list")
    assert not SegmentMember.objects.exists()


@pytest.fixture
def bulkleys(db):
    """60 active Bulkleys (three pages of the list), one archived, and three other customers."""
    people = CustomerFactory.create_batch(60, last_name="Bulkley")
    archived = CustomerFactory(last_name="Bulkley", archived_at="2024-01-01T00:00Z")
    CustomerFactory.create_batch(3, last_name="Other")
    return SimpleNamespace(active={p.pk for p in people}, archived=archived)


def test_select_all_matching_means_every_page(front, world, bulkleys):
    filters = {"q": "bulkley", "status": "active"}
    listing = reverse("customers:list")
    assert 'rel="next"' in front.get(listing, filters).content.decode()
    assert 'rel="next"' not in front.get(listing, {**filters, "page": 3}).content.decode()
    assert len(listed(front.get(listing, {**filters, "page": 3}))) == 10
    preview = text(bulk(front, all_matching=1, segment=world.vip.pk, **filters))
    assert "Add <strong>60 customers</strong> to “VIP”?" in preview
    response = bulk(front, "post", all_matching=1, segment=world.vip.pk, **filters)
    assert response.status_code == 302
    back = urlsplit(response.url)
    assert back.path == listing and parse_qs(back.query) == {"q": ["bulkley"], "status": ["active"]}
    assert toasts(response) == ["60 customers added to “VIP”."]
    in_vip = set(SegmentMember.objects.filter(segment=world.vip).values_list("customer_id", flat=True))
    assert in_vip == bulkleys.active | {world.anna.pk}


def test_select_all_matching_follows_the_client_group_filter(front, world, bulkleys, manager_user):
    bulkley_ids = bulkleys.active | {bulkleys.archived.pk}
    # The archived one joined before being archived; taking them out again is allowed.
    SegmentMember.objects.bulk_create(SegmentMember(segment=world.vip, customer_id=pk) for pk in bulkley_ids)
    filters = {"q": "bulkley", "status": "all", "client_group": world.vip.pk}
    preview = text(bulk(front, action="remove", all_matching=1, segment=world.vip.pk, **filters))
    assert "Remove <strong>61 customers</strong> from “VIP”?" in preview
    response = bulk(front, "post", action="remove", all_matching=1, segment=world.vip.pk, **filters)
    assert parse_qs(urlsplit(response.url).query) == {
        "q": ["bulkley"],
        "status": ["all"],
        "client_group": [str(world.vip.pk)],
    }
    # Anna is in VIP but does not match the search: she stays.
    assert set(SegmentMember.objects.values_list("customer_id", flat=True)) == {world.anna.pk}


def test_select_all_matching_refuses_archived_customers(front, world, bulkleys):
    before = snapshot()
    response = bulk(front, "post", all_matching=1, segment=world.vip.pk, q="bulkley", status="all")
    assert response.status_code == 200
    assert "is archived; restore them before adding them to a client group." in text(response)
    assert snapshot() == before


def merged(actor, customer):
    survivor = CustomerFactory()
    merge_customers(
        actor=actor, survivor_id=survivor.pk, absorbed_id=customer.pk, token=merge_token(survivor, customer)
    )
    return customer.pk


STALE = "Some of the chosen customers no longer exist or were merged into another account."
BAD_CASES = {
    "unknown customer": ({"customer": ["{ben}", "999999"]}, STALE),
    "merged customer": ({"customer": ["{ben}", "{merged}"]}, STALE),
    "not a number": ({"customer": ["{ben}", "abc"]}, "Some of the chosen customers no longer exist."),
    "nobody ticked": ({}, "Tick the customers to change, or select all that match."),
    "rule-based group": ({"customer": ["{ben}"], "segment": "{adults}"}, NOT_OFFERED),
    "unknown group": ({"customer": ["{ben}"], "segment": "999999"}, NOT_OFFERED),
}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("case", BAD_CASES, ids=list(BAD_CASES))
def test_bad_bulk_input_says_why_and_changes_nothing(front, world, manager_user, method, case):
    params, message = BAD_CASES[case]
    values = {
        "ben": world.ben.pk,
        "adults": world.adults.pk,
        "merged": merged(manager_user, CustomerFactory()),
    }

    def filled(value):
        return [filled(each) for each in value] if isinstance(value, list) else str(value).format(**values)

    data = {"segment": world.vip.pk, **{name: filled(value) for name, value in params.items()}}
    before = snapshot()
    response = bulk(front, method, **data)
    assert response.status_code == 200
    assert message in text(response)
    assert snapshot() == before


def test_ids_of_unusual_digits_are_refused_politely(manager_user, world, client_groups_on):
    lenient = logged_in(manager_user, raise_request_exception=False)
    assert lenient.get(reverse("customers:list"), {"client_group": "²"}).status_code == 200
    response = lenient.get(reverse("client_groups:bulk"), {"customer": "²", "segment": world.vip.pk})
    assert response.status_code == 200 and "no longer exist" in text(response)


def test_select_all_on_a_list_filtered_by_a_deleted_group_changes_nothing(
    manager_user, world, client_groups_on
):
    lenient = logged_in(manager_user, raise_request_exception=False)
    trade = services.create_segment(actor=manager_user, name="Trade")
    services.add_customers(actor=manager_user, segment_id=trade.pk, customers=only(world.ben))
    filters = {"all_matching": 1, "client_group": trade.pk, "segment": world.vip.pk}
    assert "Add <strong>1 customer</strong>" in text(lenient.get(reverse("client_groups:bulk"), filters))
    services.delete_segment(actor=manager_user, segment_id=trade.pk)  # at another desk, before confirming
    before = snapshot()
    response = lenient.post(reverse("client_groups:bulk"), filters)
    assert response.status_code in (200, 302)
    assert snapshot() == before


# Export.


def export(client, segment):
    response = client.get(reverse("client_groups:export", args=[segment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    return response, list(csv.reader(io.StringIO(body)))


def test_export_a_group_as_csv(front, world, manager_user):
    cara = CustomerFactory(
        first_name="Cara", last_name="Cole", email="cara@example.com", phone="07700 900001"
    )
    services.add_customers(actor=manager_user, segment_id=world.vip.pk, customers=only(cara))
    response, rows = export(front, world.vip)
    assert response["Content-Disposition"] == 'attachment; filename="vip-members.csv"'
    assert rows[0] == [
        "Customer ID",
        "First name",
        "Last name",
        "Email",
        "Phone",
        "Date of birth",
        "Client since",
    ]
    assert [row[:5] for row in rows[1:]] == [  # one row each, by name
        [str(world.anna.pk), "Anna", "Archer", world.anna.email, world.anna.phone],
        [str(cara.pk), "Cara", "Cole", "cara@example.com", "07700 900001"],
    ]
    assert rows[1][5] == "1980-01-01"


def test_export_of_a_rule_based_group_lists_who_follows_its_rules(front, world):
    response, rows = export(front, world.adults)
    assert response["Content-Disposition"] == 'attachment; filename="adults-members.csv"'
    assert [row[0] for row in rows[1:]] == [str(world.anna.pk)]


def test_export_cells_that_a_spreadsheet_would_run_are_made_text(front, world, manager_user):
    sly = CustomerFactory(
        first_name='=HYPERLINK("http://x")', last_name="@Sum", phone="+44 7700 900002", notes=""
    )
    services.add_customers(actor=manager_user, segment_id=world.vip.pk, customers=only(sly))
    _, rows = export(front, world.vip)
    row = next(row for row in rows if row[0] == str(sly.pk))
    assert row[1:3] == ['\'=HYPERLINK("http://x")', "'@Sum"]
    assert row[4] == "'+44 7700 900002"


def test_export_filename_of_a_name_without_letters(front, manager_user):
    stars = services.create_segment(actor=manager_user, name="★★★")
    response, rows = export(front, stars)
    assert response["Content-Disposition"] == 'attachment; filename="client-group-members.csv"'
    assert len(rows) == 1  # just the heading
