"""The demo data command and the Django admin for customers."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import reverse

from core.admin import CappedCountPaginator
from customers.models import Activity, Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_demo_data_loads_logins_and_families_once(capsys):
    call_command("load_demo_data", customers=120)
    first = Customer.objects.count()
    assert first >= 120
    created = Activity.objects.filter(kind="customer.created")
    assert created.count() == first  # and later apps' demo steps add their own lines
    families = Customer.objects.values("last_name").order_by().distinct().count()
    assert families < first  # people share family names: there are families to link later
    assert Customer.objects.filter(date_of_birth__isnull=False).exists()
    out = capsys.readouterr().out
    assert "frontdesk" in out and "manager" in out and "kinship-demo" in out

    call_command("load_demo_data", customers=120)
    assert Customer.objects.count() == first
    assert created.count() == first

    frontdesk = authenticate(username="frontdesk", password="kinship-demo")
    manager = authenticate(username="manager", password="kinship-demo")
    admin = authenticate(username="admin", password="kinship-demo")
    assert frontdesk.groups.get().name == "Front desk" and not frontdesk.is_superuser
    assert manager.groups.get().name == "Manager"
    assert admin.is_superuser and admin.is_staff


def test_scale_mode_adds_customers_in_bulk(django_assert_max_num_queries):
    # Three batches, the history lines, and each app's scale step: a handful of statements
    # each (client groups' bulk add, billing's ledger), never one per customer.
    with django_assert_max_num_queries(40):
        call_command("load_demo_data", scale=3000, batch=1000)
    assert Customer.objects.count() >= 3000
    assert Activity.objects.filter(kind="customer.created").count() == Customer.objects.count()
    sample = Customer.objects.exclude(phone="").first()
    assert sample.phone_digits and sample.search_text.startswith(sample.last_name.lower())


def test_admin_searches_with_the_indexed_search(admin_client):
    CustomerFactory(first_name="Anna", last_name="Smith", phone="07700 900111")
    CustomerFactory(first_name="Ben", last_name="Jones")
    url = reverse("admin:customers_customer_changelist")
    html = admin_client.get(url + "?q=900111").content.decode()
    assert "Smith" in html and "Jones" not in html


def test_admin_never_counts_more_than_the_cap():
    CustomerFactory.create_batch(5)
    paginator = CappedCountPaginator(Customer.objects.order_by("id"), 2)
    paginator.CAP = 3
    assert paginator.count == 3


def test_admin_cannot_delete_customers(admin_client):
    customer = CustomerFactory()
    response = admin_client.get(reverse("admin:customers_customer_delete", args=[customer.pk]))
    assert response.status_code == 403


def test_admin_search_shows_best_matches_first_unless_sorted_by_a_column(admin_client):
    CustomerFactory(first_name="Zed", last_name="Goldsmith")
    CustomerFactory(first_name="Amy", last_name="Smith")
    url = reverse("admin:customers_customer_changelist")
    ranked = admin_client.get(url + "?q=smith").context["cl"].result_list
    assert [customer.last_name for customer in ranked] == ["Smith", "Goldsmith"]
    by_first_name_desc = admin_client.get(url + "?q=smith&o=-2").context["cl"].result_list
    assert [customer.first_name for customer in by_first_name_desc] == ["Zed", "Amy"]
