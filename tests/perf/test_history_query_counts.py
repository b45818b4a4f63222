"""The History tab runs the same number of queries for one line as for fifty, filtered to
an area or not: the lines and who wrote them come in one query, and each sentence is put
together from the line's own data, with no query of its own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers import history
from customers.models import Activity
from customers.services import activity_line
from tests.factories import ActivityFactory, CustomerFactory
from tests.perf.test_query_counts import AUTH, HTMX, PERMS, SWITCH

pytestmark = pytest.mark.django_db

#: Lines of every area, as the services write them (with data), and one as lines were
#: written before the data was kept.
LINES = [
    ("billing.posted", {"kind": "charge", "amount": 1250, "memo": "Shampoo"}),
    ("booking.booked", {"service": "Haircut", "starts_at": "2026-03-02T10:00:00Z", "agent": "Pat Lee"}),
    ("group.member_added", {"group": "Lee family", "role": "dependent", "label": "Child"}),
    ("customer.updated", {"fields": ["phone", "email"]}),
]


def add_lines(customer, actor, count):
    Activity.objects.bulk_create(
        activity_line(customer=customer, actor=actor, action=LINES[n % 4][0], data=LINES[n % 4][1])
        for n in range(count)
    )
    ActivityFactory(customer=customer, kind="billing.posted", message="Charged £1.00 (an old line).")


def count(client, url, headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("area", ["", "money", "bookings", "family", "details", "nonsense"])
@pytest.mark.parametrize("headers", [{}, {**HTMX, "HX-Target": "customer-tabs"}], ids=["page", "fragment"])
def test_history_tab_query_count_is_fixed_filtered_or_not(desk, front_desk_user, area, headers):
    customer = CustomerFactory()
    url = reverse("customers:profile_tab", args=[customer.pk, "history"]) + (f"?area={area}" if area else "")
    desk.get(url, headers=headers)  # fill the shared cache of switches
    add_lines(customer, front_desk_user, 1)
    small, _ = count(desk, url, headers)
    add_lines(customer, front_desk_user, 50)
    large, response = count(desk, url, headers)
    assert small == large == AUTH + PERMS + 2 + SWITCH
    lines = Activity.objects.filter(customer=customer)
    if history.area_of(area):
        lines = lines.filter(kind__in=history.codes_in(area))
    assert response.content.count(b"<time datetime=") == min(20, lines.count()) > 10


def test_the_next_page_of_a_filtered_history_is_as_cheap(desk, front_desk_user):
    customer = CustomerFactory()
    add_lines(customer, front_desk_user, 120)
    url = reverse("customers:profile_tab", args=[customer.pk, "history"]) + "?area=money&page=2"
    desk.get(url)
    queries, response = count(desk, url, {})
    assert queries == AUTH + PERMS + 2 + SWITCH
    assert b"Charged \xc2\xa312.50 to the house account: Shampoo." in response.content
