"""Merge Accounts in the back office: Managers only, a preview, blockers, and a stale preview."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment, FormRequest, IntakeForm, Package, Service
from customers.merging import merge_token
from customers.models import Customer, Merge
from groups import services as group_services
from linking.models import AccessReview
from mail.models import Email
from tests.factories import ActivityFactory, CustomerFactory
from tests.perf.test_query_counts import AUTH, PERMS, queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def pair():
    anna = CustomerFactory(first_name="Anna", last_name="Smith")
    dupe = CustomerFactory(first_name="Anna", last_name="Smyth")
    ActivityFactory.create_batch(2, customer=dupe)
    return anna, dupe


def test_only_managers_may_merge(client, desk, pair, front_desk_user):
    anna, dupe = pair
    url = reverse("customers:merge", args=[anna.pk])
    assert desk.get(url).status_code == 403
    assert desk.post(url, {"duplicate": dupe.pk, "token": merge_token(anna, dupe)}).status_code == 403
    assert "Merge Accounts" not in desk.get(anna.get_absolute_url()).text
    assert not Merge.objects.exists()


def test_search_preview_and_merge(manager, pair):
    anna, dupe = pair
    url = reverse("customers:merge", args=[anna.pk])
    assert "Merge Accounts" in manager.get(anna.get_absolute_url()).text
    found = manager.get(url + "?q=anna", headers={"HX-Request": "true", "HX-Target": "merge-candidates"}).text
    assert f"?duplicate={dupe.pk}" in found and f"?duplicate={anna.pk}" not in found  # not herself
    preview = manager.get(url, {"duplicate": dupe.pk}).text
    assert "History lines: <strong>2</strong>" in preview
    assert "Keep Anna Smyth instead" in preview
    response = manager.post(url, {"duplicate": dupe.pk, "token": merge_token(anna, dupe)})
    assert response.status_code == 302 and response.url == anna.get_absolute_url()
    assert Customer.objects.get(pk=dupe.pk).merged_into == anna
    # Its old address now leads here, and it cannot be merged again.
    assert manager.get(dupe.get_absolute_url()).url == anna.get_absolute_url()
    again = manager.get(url, {"duplicate": dupe.pk}).text
    assert "was already merged into another account" in again and 'name="token"' not in again


def test_a_blocker_is_shown_and_a_crafted_post_changes_nothing(manager, pair, actor, labels):
    anna, dupe = pair
    for owner in pair:
        group_services.create_group(actor=actor, owner_id=owner.pk, owner_label_id=labels["Parent"].pk)
    url = reverse("customers:merge", args=[anna.pk])
    preview = manager.get(url, {"duplicate": dupe.pk}).text
    assert "remove one of them from their group first" in preview and 'name="token"' not in preview
    anna.refresh_from_db(), dupe.refresh_from_db()
    response = manager.post(url, {"duplicate": dupe.pk, "token": merge_token(anna, dupe)})
    assert response.status_code == 200 and "remove one of them from their group first" in response.text
    assert not Merge.objects.exists() and not Customer.objects.filter(merged_into__isnull=False).exists()


def test_a_stale_preview_is_409_and_shows_the_new_one(manager, pair):
    anna, dupe = pair
    token = merge_token(anna, dupe)
    Customer.objects.filter(pk=dupe.pk).update(version=5)  # edited at another desk meanwhile
    response = manager.post(
        reverse("customers:merge", args=[anna.pk]), {"duplicate": dupe.pk, "token": token}
    )
    assert response.status_code == 409
    assert "changed after the preview" in response.text
    assert f'value="{anna.pk}.{anna.version}-{dupe.pk}.5"' in response.text
    assert not Merge.objects.exists()


@pytest.mark.parametrize("bad", ["999999", "abc", ""])
def test_unknown_duplicates(manager, pair, bad):
    anna, _ = pair
    response = manager.post(reverse("customers:merge", args=[anna.pk]), {"duplicate": bad, "token": "x"})
    assert response.status_code in (200, 404)
    assert not Merge.objects.exists()


def rows_of_every_kind(dupe, count):
    """`count` more rows on `dupe` of each relation the newer apps added: packages, forms
    asked of them and forms they filled in for someone else, emails to them and about them,
    access reviews. Written straight to the tables: only the counts matter here."""
    service = Service.objects.get_or_create(name="Haircut", defaults={"duration_minutes": 30, "price": 2500})[
        0
    ]
    form = IntakeForm.objects.get_or_create(name="Health questions")[0]
    other = CustomerFactory(first_name="Cal")
    for _ in range(count):
        Package.objects.create(owner=dupe, service=service, sessions=5, price=0)
        # A day of its own for each, so PostgreSQL's exclusion constraint never sees two at once.
        starts_at = timezone.now() + timedelta(days=1 + Appointment.objects.count())
        for attendee in (dupe, other):
            visit = Appointment.objects.create(
                attendee=attendee,
                service=service,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=30),
            )
            FormRequest.objects.create(
                appointment=visit,
                form=form,
                subject=attendee,
                **(
                    {}
                    if attendee == dupe
                    else {"completed_by": dupe, "completed_at": starts_at, "answers": {"0": ""}}
                ),
            )
        for to, about in ((dupe, other), (other, dupe)):
            Email.objects.create(
                recipient=to, about=about, to_address=to.email, kind="x", subject="s", body="b"
            )
        AccessReview.objects.create(customer=dupe)


def test_the_preview_counts_once_per_relation_whatever_the_rows(manager, pair):
    """One count per relation to Customer, not a query per row."""
    anna, dupe = pair
    rows_of_every_kind(dupe, 1)
    url = reverse("customers:merge", args=[anna.pk]) + f"?duplicate={dupe.pk}"
    manager.get(url)
    small = queries_for(manager, url)
    ActivityFactory.create_batch(40, customer=dupe)
    rows_of_every_kind(dupe, 20)
    assert queries_for(manager, url) == small
    # Both customers; the group rule's look at their places (2), the account rule's at
    # their accounts (1) and the booking rule's at overlapping appointments (1); one count
    # per relation whose rows move and are counted (tombstones, history, group places,
    # links, client group memberships, account, appointments, appointments booked for
    # others: 8; and since packages and the rest came: emails to them, emails about them,
    # access reviews, packages, intake forms about them and intake forms they filled in
    # for others: 6 more); the switches, for the menu.
    assert small == AUTH + PERMS + 2 + 2 + 1 + 1 + 8 + 6 + 1
    preview = manager.get(url).text
    for words in ("Packages: <strong>21</strong>", "Access reviews: <strong>21</strong>"):
        assert words in preview, words


def test_undo_merge_from_the_relations_list(manager, pair, linking_on, front_desk_user):
    anna, dupe = pair
    desk = Client()  # a second desk: `manager` is the test's own client
    desk.force_login(front_desk_user)
    manager.post(
        reverse("customers:merge", args=[anna.pk]), {"duplicate": dupe.pk, "token": merge_token(anna, dupe)}
    )
    record = Merge.objects.get()
    relations = manager.get(reverse("linking:relations", args=[anna.pk])).text
    assert "was merged into this account" in relations and "Undo Merge" in relations
    assert "Undo Merge" not in desk.get(reverse("linking:relations", args=[anna.pk])).text  # Managers only
    assert desk.post(reverse("customers:undo_merge", args=[record.pk])).status_code == 403
    response = manager.post(reverse("customers:undo_merge", args=[record.pk]))
    assert response.status_code == 302 and response.url == dupe.get_absolute_url()
    assert Customer.objects.get(pk=dupe.pk).merged_into is None
    again = manager.post(reverse("customers:undo_merge", args=[record.pk]))
    assert again.status_code == 400 and "already undone" in again.text
    assert "Undone on" in manager.get(reverse("linking:relations", args=[anna.pk])).text


def test_possible_duplicates_lists_lookalikes_but_not_family(manager, front_desk_user):
    anna = CustomerFactory(
        first_name="Anna", last_name="Smith", email="smiths@example.com", phone="0100 000001"
    )
    CustomerFactory(first_name="Anna", last_name="Smith", email="", phone="")  # same name
    CustomerFactory(first_name="Anna", last_name="Smyth", email="SMITHS@example.com", phone="")  # same email
    CustomerFactory(first_name="Anna", last_name="Jones", email="", phone="0100-000-001")  # same phone
    CustomerFactory(
        first_name="Ben", last_name="Smith", email="smiths@example.com", phone="0100 000001"
    )  # family
    url = reverse("customers:duplicates")
    page = manager.get(url).text
    assert "same name" in page and "same first name and email" in page and "same first name and phone" in page
    assert "Ben Smith" not in page
    assert f"/customers/{anna.pk}/merge/?duplicate=" in page
    desk = Client()
    desk.force_login(front_desk_user)
    assert desk.get(url).status_code == 403


def test_possible_duplicates_query_count_is_fixed(manager):
    url = reverse("customers:duplicates")
    CustomerFactory.create_batch(2, first_name="Cal", last_name="Lee")
    manager.get(url)
    small = queries_for(manager, url)
    for number in range(20):
        CustomerFactory.create_batch(2, first_name=f"Name{number}", last_name="Twin")
    assert queries_for(manager, url) == small == AUTH + PERMS + 2 + 1  # and the menu's switches
