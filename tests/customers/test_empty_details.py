"""A customer with nothing but a name: every page that shows them says "Not given" (or a
dash in a table) for what is missing, never Python's "None"."""

import html
import re

import pytest
from django.urls import reverse
from waffle.testutils import override_switch

from bookings.features import BOOKINGS
from client_groups import services as segment_services
from customers.models import Customer
from customers.tabs import registry
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def words(response):
    assert response.status_code == 200, response
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def sparse(db):
    return CustomerFactory(
        first_name="Nia", last_name="Sparse", email="", phone="", phone_digits="", date_of_birth=None
    )


@pytest.fixture
def everything_on(linking_on, billing_on, client_groups_on):
    with override_switch(BOOKINGS, active=True):
        yield


def test_the_summary_says_not_given_for_a_missing_email_phone_date_of_birth_and_partner(
    manager_user, client, sparse, everything_on
):
    client.force_login(manager_user)
    summary = words(client.get(reverse("customers:profile", args=[sparse.pk])))
    assert "Email Not given" in summary
    assert "Phone Not given" in summary
    assert "Date of birth not given" in summary
    assert "Partner Name Not given" in summary
    assert not re.search(r"\bNone\b", summary)


def test_no_page_or_tab_of_a_sparse_customer_says_none(manager_user, client, sparse, everything_on):
    client.force_login(manager_user)
    segment = segment_services.create_segment(actor=manager_user, name="Walk-ins")
    segment_services.add_customers(
        actor=manager_user, segment_id=segment.pk, customers=Customer.objects.filter(pk=sparse.pk)
    )
    pages = [
        reverse("customers:list"),
        reverse("customers:list") + "?q=Sparse",
        reverse("customers:desk", args=[sparse.pk]),
        reverse("customers:profile", args=[sparse.pk]),
        reverse("client_groups:detail", args=[segment.pk]),
    ]
    pages += [reverse("customers:profile_tab", args=[sparse.pk, slug]) for slug in registry.tabs]
    for url in pages:
        assert not re.search(r"\bNone\b", words(client.get(url))), url


def test_lists_show_a_dash_for_missing_details(manager_user, client, sparse, everything_on):
    client.force_login(manager_user)
    row = re.search(
        r"<td><a[^>]*>Sparse, Nia</a>.*?</tr>",
        client.get(reverse("customers:list")).content.decode(),
        re.S,
    )
    assert row is not None
    assert [cell.strip() for cell in re.findall(r"<td>([^<]*)</td>", row.group(0))][:3] == ["—", "—", "—"]
