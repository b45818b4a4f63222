"""Every page runs a fixed number of queries, whatever the amount of data behind it.

Each page is asked twice, once with a little data and once with a lot more, and must run
exactly the same, stated number of queries both times: this is what guards against N+1.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ActivityFactory, CustomerFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# Each logged-in request reads the session and the user; the permission check reads the
# user's permissions and their groups' permissions.
AUTH = 2
PERMS = 2
# Every full page asks, for its menu, whether client groups are switched on, and pages with
# a customer's tabs whether account linking is: one read of the shared cache for every
# switch at once (once it is warm; the first request fills it).
SWITCH = 1


def queries_for(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return len(captured)


def grow(customer, *, customers, history):
    CustomerFactory.create_batch(customers, first_name="Sam", last_name="Smithers")
    ActivityFactory.create_batch(history, customer=customer)


PAGES = [
    # (name, url builder, headers, expected queries beyond auth + permissions)
    ("front desk", lambda c: reverse("customers:front_desk"), {}, SWITCH),
    ("live search", lambda c: "/?q=smi", {**HTMX, "HX-Target": "search-results"}, 1),
    ("search page", lambda c: "/?q=smi", {}, 1 + SWITCH),
    ("desk, loaded", lambda c: reverse("customers:desk", args=[c.pk]), {}, 1 + SWITCH),
    ("desk, history", lambda c: reverse("customers:desk_tab", args=[c.pk, "history"]), {}, 2 + SWITCH),
    ("customer list", lambda c: reverse("customers:list"), {}, 1 + SWITCH),
    (
        "list search",
        lambda c: reverse("customers:list") + "?q=smi",
        {**HTMX, "HX-Target": "customer-results"},
        1 + SWITCH,  # the list asks whether client groups add their filter and column
    ),
    ("profile summary", lambda c: reverse("customers:profile", args=[c.pk]), {}, 1 + SWITCH),
    ("profile history", lambda c: reverse("customers:profile_tab", args=[c.pk, "history"]), {}, 2 + SWITCH),
    (
        "history tab fragment",
        lambda c: reverse("customers:profile_tab", args=[c.pk, "history"]),
        {**HTMX, "HX-Target": "customer-tabs"},
        2 + SWITCH,
    ),
    ("edit form", lambda c: reverse("customers:edit", args=[c.pk]), {}, 1 + SWITCH),
    ("add form", lambda c: reverse("customers:create"), {}, SWITCH),
]


@pytest.mark.parametrize(("name", "url", "headers", "extra"), PAGES, ids=[page[0] for page in PAGES])
def test_page_query_count_is_fixed(desk, name, url, headers, extra):
    customer = CustomerFactory(first_name="Ann", last_name="Smith")
    ActivityFactory(customer=customer)
    desk.get(url(customer), headers=headers)  # fill the shared cache of switches
    small = queries_for(desk, url(customer), **headers)
    grow(customer, customers=40, history=40)
    large = queries_for(desk, url(customer), **headers)
    assert small == large == AUTH + PERMS + extra, name


def test_health_is_one_query(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/health/").status_code == 200
    assert [query["sql"] for query in captured] == ["SELECT 1"]


@pytest.mark.parametrize("term", ["", "smi"])
def test_admin_changelist_query_count_is_fixed(admin_client, term):
    url = reverse("admin:customers_customer_changelist") + (f"?q={term}" if term else "")
    admin_client.get(url)  # warm the content-type and session caches
    CustomerFactory(last_name="Smith")
    small = queries_for(admin_client, url)
    CustomerFactory.create_batch(60, first_name="Sam", last_name="Smithers")
    large = queries_for(admin_client, url)
    assert small == large
