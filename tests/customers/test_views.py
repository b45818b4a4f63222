"""Every customer page: who may see it, what it shows, and what bad input does."""

import pytest
from django.urls import reverse

from customers.models import Activity, Customer
from tests.factories import ActivityFactory, CustomerFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def anna():
    return CustomerFactory(
        first_name="Anna", last_name="Smith", email="anna@example.com", phone="07700 900111"
    )


def pages(customer):
    """Every GET page of the app, for the access matrix."""
    return [
        reverse("customers:front_desk"),
        reverse("customers:front_desk") + "?q=smith",
        reverse("customers:desk", args=[customer.pk]),
        reverse("customers:desk_tab", args=[customer.pk, "history"]),
        reverse("customers:list"),
        reverse("customers:create"),
        reverse("customers:profile", args=[customer.pk]),
        reverse("customers:profile_tab", args=[customer.pk, "history"]),
        reverse("customers:edit", args=[customer.pk]),
    ]


def test_anonymous_users_are_sent_to_log_in(client, anna):
    for url in pages(anna):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login") + "?next="), url


def test_logged_in_non_staff_get_403(client, portal_user, anna):
    client.force_login(portal_user)
    for url in pages(anna):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You can't do that" in response.content.decode()


def test_staff_without_a_role_get_403(client, staff_without_roles, anna):
    client.force_login(staff_without_roles)
    for url in pages(anna):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("user", ["front_desk_user", "manager_user"])
def test_both_roles_can_use_every_page(client, request, user, anna):
    client.force_login(request.getfixturevalue(user))
    for url in pages(anna):
        assert client.get(url).status_code == 200, url


def test_posts_need_staff_with_the_permission(client, staff_without_roles, anna):
    client.force_login(staff_without_roles)
    for name in ("customers:archive", "customers:restore", "customers:edit"):
        assert client.post(reverse(name, args=[anna.pk])).status_code == 403
    assert client.post(reverse("customers:create"), {"first_name": "X", "last_name": "Y"}).status_code == 403
    assert Customer.objects.count() == 1
    assert not Activity.objects.exists()


def test_unknown_customers_and_tabs_are_404(desk, anna):
    assert desk.get(reverse("customers:profile", args=[99999])).status_code == 404
    assert desk.get(reverse("customers:desk", args=[99999])).status_code == 404
    assert desk.get(reverse("customers:profile_tab", args=[anna.pk, "nonsense"])).status_code == 404
    assert desk.get(reverse("customers:edit", args=[99999])).status_code == 404
    response = desk.post(reverse("customers:archive", args=[99999]))
    assert response.status_code == 404
    assert b"Not found" in response.content


def test_wrong_methods_are_refused(desk, anna):
    assert desk.post(reverse("customers:list")).status_code == 405
    assert desk.get(reverse("customers:archive", args=[anna.pk])).status_code == 405


def test_front_desk_search_returns_just_the_results_for_htmx(desk, anna):
    response = desk.get("/?q=smi", headers={**HTMX, "HX-Target": "search-results"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="search-results"' in html
    assert "Anna Smith" in html
    assert "Load Customer" in html and "Go to Profile" in html


def test_front_desk_search_without_javascript_shows_the_whole_page(desk, anna):
    html = desk.get("/?q=anna").content.decode()
    assert "<html" in html and "Anna Smith" in html


def test_front_desk_search_says_when_nothing_matches(desk, anna):
    html = desk.get("/?q=zzzz", headers={**HTMX, "HX-Target": "search-results"}).content.decode()
    assert "No customers match" in html


def test_loading_a_customer_returns_the_desk_fragment(desk, anna):
    url = reverse("customers:desk", args=[anna.pk])
    html = desk.get(url, headers={**HTMX, "HX-Target": "desk-customer"}).content.decode()
    assert "<html" not in html
    assert 'id="desk-customer"' in html and "Anna Smith" in html
    assert 'aria-selected="true"' in html and "Summary" in html
    assert reverse("customers:desk_tab", args=[anna.pk, "history"]) in html


def test_a_tab_request_returns_the_tab_strip_and_panel(desk, anna):
    ActivityFactory(customer=anna, message="Phoned about parking.")
    url = reverse("customers:profile_tab", args=[anna.pk, "history"])
    html = desk.get(url, headers={**HTMX, "HX-Target": "customer-tabs"}).content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<div id="customer-tabs"')
    assert "Phoned about parking." in html


def test_history_restore_and_boosted_requests_get_the_whole_page(desk, anna):
    url = reverse("customers:profile_tab", args=[anna.pk, "history"])
    restore = desk.get(
        url, headers={**HTMX, "HX-History-Restore-Request": "true", "HX-Target": "customer-tabs"}
    )
    assert b"<html" in restore.content
    boosted = desk.get(url, headers={**HTMX, "HX-Boosted": "true"})
    assert b"<html" in boosted.content


def test_profile_summary_shows_details_and_age(desk):
    customer = CustomerFactory(
        first_name="Ola", last_name="Nowak", notes="Prefers mornings.", date_of_birth=None
    )
    html = desk.get(customer.get_absolute_url()).content.decode()
    assert "Ola Nowak" in html and "Prefers mornings." in html
    assert "Date of birth not given" in html


def test_history_is_newest_first_and_paged(desk, anna):
    for number in range(25):
        ActivityFactory(customer=anna, message=f"Line {number}.")
    url = reverse("customers:profile_tab", args=[anna.pk, "history"])
    first = desk.get(url).content.decode()
    assert first.index("Line 24.") < first.index("Line 5.")
    assert "Line 4." not in first and "Older" in first
    second = desk.get(url + "?page=2").content.decode()
    assert "Line 4." in second and "Newer" in second and "Older" not in second


def test_customer_list_searches_and_pages(desk, anna):
    CustomerFactory.create_batch(30, first_name="Zoe", last_name="Zed")
    page_one = desk.get(reverse("customers:list")).content.decode()
    assert "Smith, Anna" in page_one and "Next" in page_one
    page_two = desk.get(reverse("customers:list") + "?page=2").content.decode()
    assert "Previous" in page_two and "Smith, Anna" not in page_two
    found = desk.get(
        reverse("customers:list") + "?q=anna", headers={**HTMX, "HX-Target": "customer-results"}
    ).content.decode()
    assert "<html" not in found and "Smith, Anna" in found and "Zed" not in found
    odd_page = desk.get(reverse("customers:list") + "?page=abc&status=bogus")
    assert odd_page.status_code == 200


def test_create_customer_redirects_to_the_profile_with_history(desk):
    response = desk.post(
        reverse("customers:create"),
        {"first_name": "Ben", "last_name": "Ito", "email": "ben@example.com", "phone": "07700 900222"},
    )
    customer = Customer.objects.get(last_name="Ito")
    assert response.status_code == 302 and response.url == customer.get_absolute_url()
    assert customer.activities.get().sentence == "Customer created."
    assert "Ben Ito was added." in desk.get(response.url).content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"first_name": " ", "last_name": "Ito"}, "Enter the customer&#x27;s first name."),
        ({"first_name": "Ben", "last_name": ""}, "Enter the customer&#x27;s last name."),
        ({"first_name": "Ben", "last_name": "Ito", "email": "not-an-email"}, "Enter a valid email address."),
        ({"first_name": "Ben", "last_name": "Ito", "phone": "call me"}, "Enter a phone number"),
        ({"first_name": "Ben", "last_name": "Ito", "date_of_birth": "2999-01-01"}, "cannot be in the future"),
        ({"first_name": "Ben", "last_name": "Ito", "date_of_birth": "31/02/2000"}, "Enter a valid date."),
        ({"first_name": "B" * 101, "last_name": "Ito"}, "at most 100 characters"),
    ],
)
def test_bad_input_shows_clear_errors_and_changes_nothing(desk, data, error):
    response = desk.post(reverse("customers:create"), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Customer.objects.exists()
    assert not Activity.objects.exists()


def test_edit_saves_and_records_what_changed(desk, anna):
    url = reverse("customers:edit", args=[anna.pk])
    form = desk.get(url).content.decode()
    assert 'name="version" value="1"' in form
    data = {"first_name": "Anna", "last_name": "Smith", "email": anna.email, "phone": "07700 900999"}
    data["date_of_birth"] = anna.date_of_birth.isoformat()
    response = desk.post(url, {**data, "version": 1})
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.phone == "07700 900999"
    assert anna.activities.get().sentence == "Details changed: phone."


def test_a_stale_edit_is_refused_with_409_and_changes_nothing(desk, anna):
    url = reverse("customers:edit", args=[anna.pk])
    desk.post(url, {"first_name": "Annie", "last_name": "Smith", "version": 1})
    response = desk.post(url, {"first_name": "Ann", "last_name": "Smith", "version": 1})
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    anna.refresh_from_db()
    assert anna.first_name == "Annie"


def test_archive_and_restore_from_the_profile(desk, anna):
    response = desk.post(reverse("customers:archive", args=[anna.pk]), follow=True)
    assert "Anna Smith was archived." in response.content.decode()
    anna.refresh_from_db()
    assert anna.is_archived
    again = desk.post(reverse("customers:archive", args=[anna.pk]), follow=True)
    assert "already archived" in again.content.decode()
    desk.post(reverse("customers:restore", args=[anna.pk]))
    anna.refresh_from_db()
    assert not anna.is_archived


def test_missing_csrf_token_is_403_and_changes_nothing(client, front_desk_user, anna):
    client = type(client)(enforce_csrf_checks=True)
    client.force_login(front_desk_user)
    response = client.post(reverse("customers:archive", args=[anna.pk]))
    assert response.status_code == 403
    anna.refresh_from_db()
    assert not anna.is_archived


def test_a_merged_customers_old_address_leads_to_the_survivor(desk, anna):
    tombstone = CustomerFactory(
        first_name="Anne", last_name="Smith", merged_into=anna, merged_at=anna.created_at
    )
    for old, new in [
        (tombstone.get_absolute_url(), anna.get_absolute_url()),
        (reverse("customers:desk", args=[tombstone.pk]), reverse("customers:desk", args=[anna.pk])),
    ]:
        response = desk.get(old, follow=True)
        assert response.redirect_chain == [(new, 302)]
        assert f"Anne Smith (#{tombstone.pk}) was merged into this account" in response.content.decode()
    assert desk.get(reverse("customers:edit", args=[tombstone.pk])).status_code == 404


def test_htmx_messages_arrive_as_a_trigger_event(desk, anna):
    desk.post(reverse("customers:archive", args=[anna.pk]))
    response = desk.get(
        reverse("customers:front_desk") + "?q=anna", headers={**HTMX, "HX-Target": "search-results"}
    )
    assert '"messages"' in response.headers["HX-Trigger"]
    assert "Anna Smith was archived." in response.headers["HX-Trigger"]
