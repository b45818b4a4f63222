"""Merging folds the duplicate's packages, intake forms, emails and access reviews into the
survivor, and Undo Merge puts every one of them back.

The relations are those the packages, forms, email log and access reviews added to Customer:
Package.owner, FormRequest.subject and .completed_by, Email.recipient and .about, and
AccessReview.customer. Sessions keep paying for the visits they paid for, and the ledger
entry that charged a package keeps its customer (entries are never edited).
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse

from billing.models import Entry
from bookings.models import Appointment, FormRequest, Package, QuestionKind, Redemption, Status
from bookings.services import appointments, intake, packages
from bookings.services import catalogue as catalogue_services
from core.errors import KinshipError
from customers.merging import merge_token
from customers.models import Customer
from customers.services import merge_customers, undo_merge
from linking import services as link_services
from linking.models import AccessReview
from mail.models import Email
from tests.bookings.helpers import ahead, made, started
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"text": "Any allergies?", "kind": QuestionKind.TEXT, "required": False},
    {"text": "First visit?", "kind": QuestionKind.YES_NO, "required": True},
]
ANSWERS = {"0": "None", "1": "Yes"}


def merge(actor, survivor, absorbed):
    survivor.refresh_from_db(), absorbed.refresh_from_db()
    return merge_customers(
        actor=actor, survivor_id=survivor.pk, absorbed_id=absorbed.pk, token=merge_token(survivor, absorbed)
    )


def buy(actor, owner, service, sessions=5, price=4000):
    return packages.buy_package(
        actor=actor, customer_id=owner.pk, service_id=service.pk, sessions=sessions, price=price
    )


def pay(actor, appointment, package):
    appointments.mark(
        actor=actor, appointment_id=appointment.pk, status=Status.ATTENDED, package_id=package.pk
    )


def ask(actor, appointment, form, filled_by=None):
    asked = intake.request_form(actor=actor, appointment_id=appointment.pk, form_id=form.pk)
    if filled_by is not None:
        intake.complete_form(actor=actor, request_id=asked.pk, completed_by_id=filled_by.pk, answers=ANSWERS)
    return asked


def reviewed_earlier(actor, customer):
    """A review Anna had when she came of age (nobody acts for her now, so none is due)."""
    return AccessReview.objects.create(
        customer=customer, reviewed_by=actor, date_of_birth=customer.date_of_birth
    )


@pytest.fixture
def world(actor, types, catalogue, linking_on):
    """Anna and her duplicate Anna Smyth (Dupe), and Cal, Dupe's brother, who may use Dupe's
    packages and fill in her forms, as she may his, and gets copies of her emails.

    Dupe bought a package that paid for a visit of hers and one of Cal's; two forms were asked
    of her (one filled in by her, one by Cal) and she filled one in for Cal; the form requests
    and the link emailed both of them; a Manager reviewed her access."""
    anna = CustomerFactory(first_name="Anna", last_name="Smith", email="anna@example.com")
    # Dupe turned 18 last month: with Cal acting for her, her access is due for review.
    dupe = CustomerFactory(
        first_name="Anna",
        last_name="Smyth",
        email="anna.smyth@example.com",
        date_of_birth=date.today() - timedelta(days=round(18 * 365.25) + 30),
    )
    cal = CustomerFactory(first_name="Cal", last_name="Smyth", email="cal@example.com")
    both_ways = {"can_use_packages": True, "can_complete_forms": True, "receives_copies": True}
    link_services.link_customers(
        actor=actor,
        agent_id=cal.pk,
        principal_id=dupe.pk,
        type_id=types["Sibling"].pk,
        agent_may=both_ways,
        principal_may=both_ways,
    )
    form = catalogue_services.save_intake_form(name="Health questions", questions=QUESTIONS)
    consent = catalogue_services.save_intake_form(name="Consent", questions=QUESTIONS)
    package = buy(actor, dupe, catalogue.haircut)
    her_visit, his_visit = started(dupe, catalogue.haircut), started(cal, catalogue.haircut, minutes_ago=100)
    pay(actor, her_visit, package)
    pay(actor, his_visit, package)
    hers = made(dupe, catalogue.haircut, ahead(days=3))
    his = made(cal, catalogue.haircut, ahead(days=3))
    own = ask(actor, hers, form, filled_by=dupe)
    by_cal = ask(actor, hers, consent, filled_by=cal)
    for_cal = ask(actor, his, form, filled_by=dupe)
    review = link_services.review_access(actor=actor, customer_id=dupe.pk, note="Cal stays.")
    return SimpleNamespace(
        anna=anna,
        dupe=dupe,
        cal=cal,
        package=package,
        visits=[her_visit, his_visit],
        hers=hers,
        own=own,
        by_cal=by_cal,
        for_cal=for_cal,
        review=review,
        form=form,
    )


def rows():
    """The rows of the relations under test, whole, by id."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Package, Redemption, FormRequest, Email, AccessReview, Entry)
    }


def pointing_at(customer):
    """How many rows of each relation under test point at `customer`."""
    return {
        "packages": Package.objects.filter(owner=customer).count(),
        "forms about": FormRequest.objects.filter(subject=customer).count(),
        "forms filled in": FormRequest.objects.filter(completed_by=customer).count(),
        "emails to": Email.objects.filter(recipient=customer).count(),
        "emails about": Email.objects.filter(about=customer).count(),
        "access reviews": AccessReview.objects.filter(customer=customer).count(),
    }


def test_the_world_has_a_row_of_every_relation(world):
    """So that the tests below move something of each kind."""
    counts = pointing_at(world.dupe)
    assert all(counts.values()), counts
    assert Email.objects.filter(recipient=world.dupe).exclude(about=world.dupe).exists()  # Cal's copies
    assert Email.objects.filter(about=world.dupe).exclude(recipient=world.dupe).exists()  # copies to Cal


def test_a_merge_moves_packages_forms_emails_and_reviews_to_the_survivor(actor, world):
    dupe, anna = world.dupe, world.anna
    had = pointing_at(dupe)
    before = rows()
    record = merge(actor, anna, dupe)

    assert set(pointing_at(dupe).values()) == {0}
    assert pointing_at(anna) == had  # Anna had none of these of her own
    # Only the foreign keys to the duplicate changed.
    after = rows()
    for name, old in before.items():
        new = after[name]
        assert [row["id"] for row in new] == [row["id"] for row in old], name
        for was, now in zip(old, new, strict=True):
            changed = {field for field in was if was[field] != now[field]}
            assert all(now[field] == anna.pk and was[field] == dupe.pk for field in changed), (name, changed)
    # Sessions still pay for the visits they paid for; the charge keeps its customer.
    assert set(Redemption.objects.values_list("appointment_id", "package_id")) == {
        (visit.pk, world.package.pk) for visit in world.visits
    }
    assert Entry.objects.get(pk=world.package.charge_id).customer_id == dupe.pk
    # The record says what moved, under the words the preview used.
    record.refresh_from_db()
    moved = dict(map(tuple, record.moved))
    assert moved["packages"] == 1 and moved["access reviews"] == 1
    assert moved["intake forms"] == had["forms about"] == 2
    assert moved["emails"] == had["emails to"] and moved["emails about them"] == had["emails about"]


def test_after_a_merge_the_survivor_uses_the_package_and_fills_in_the_forms(actor, world, catalogue):
    """What moved works for the survivor as for its owner; Cal's link moved too, so he still
    uses the package and fills in her forms."""
    anna, cal = world.anna, world.cal
    merge(actor, anna, world.dupe)
    pay(actor, started(anna, catalogue.haircut, minutes_ago=200), world.package)
    pay(actor, started(cal, catalogue.haircut, minutes_ago=300), world.package)
    world.package.refresh_from_db()
    assert (world.package.owner_id, world.package.used) == (anna.pk, 4)
    waiting = ask(
        actor,
        Appointment.objects.get(pk=world.hers.pk),
        catalogue_services.save_intake_form(name="Aftercare", questions=QUESTIONS),
    )
    assert waiting.subject_id == anna.pk
    intake.complete_form(actor=actor, request_id=waiting.pk, completed_by_id=cal.pk, answers=ANSWERS)


def test_the_merged_rows_show_on_the_survivors_tabs(manager_client, actor, world, bookings_on):
    anna = world.anna
    merge(actor, anna, world.dupe)
    bookings = manager_client.get(reverse("customers:profile_tab", args=[anna.pk, "bookings"])).text
    assert "5 × Haircut" in bookings and "Cal Smyth</a>'s visit on" in bookings
    forms = manager_client.get(reverse("customers:profile_tab", args=[anna.pk, "forms"])).text
    assert forms.count("Health questions") >= 1 and "Consent" in forms and "(linked client)" in forms
    emails = manager_client.get(reverse("customers:profile_tab", args=[anna.pk, "emails"])).text
    assert "Please fill in: Health questions" in emails and "Copy: about" in emails


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


def test_the_preview_counts_what_will_move(manager_client, world):
    anna, dupe = world.anna, world.dupe
    preview = manager_client.get(reverse("customers:merge", args=[anna.pk]), {"duplicate": dupe.pk}).text
    had = pointing_at(dupe)
    for label, count in (
        ("Packages", had["packages"]),
        ("Intake forms", had["forms about"]),
        ("Emails", had["emails to"]),
        ("Emails about them", had["emails about"]),
        ("Access reviews", had["access reviews"]),
    ):
        assert f"{label}: <strong>{count}</strong>" in preview, label


def test_the_preview_counts_every_form_the_duplicate_filled_in(manager_client, world):
    """Her own and Cal's: the preview's label says what it counts."""
    anna, dupe = world.anna, world.dupe
    assert FormRequest.objects.filter(completed_by=dupe).exclude(subject=dupe).count() == 1
    preview = manager_client.get(reverse("customers:merge", args=[anna.pk]), {"duplicate": dupe.pk}).text
    assert "Intake forms they filled in: <strong>2</strong>" in preview


def test_undo_merge_puts_packages_forms_emails_and_reviews_back(actor, world):
    anna, dupe = world.anna, world.dupe
    before, had = rows(), pointing_at(dupe)
    record = merge(actor, anna, dupe)
    assert rows() != before
    undo_merge(actor=actor, merge_id=record.pk)
    assert rows() == before
    assert pointing_at(dupe) == had and set(pointing_at(anna).values()) == {0}
    assert Customer.objects.get(pk=dupe.pk).merged_into_id is None
    # ...and the two may be merged again later.
    merge(actor, anna, dupe)
    assert pointing_at(anna) == had


def test_undo_when_the_survivor_had_rows_of_their_own_gives_back_only_the_duplicates(actor, world, catalogue):
    """Anna's own package, form and email stay hers through the merge and its undo."""
    anna, dupe = world.anna, world.dupe
    mine = buy(actor, anna, catalogue.massage, price=0)
    my_form = ask(actor, made(anna, catalogue.massage, ahead(days=5)), world.form)
    reviewed_earlier(actor, anna)
    had = pointing_at(anna)
    record = merge(actor, anna, dupe)
    undo_merge(actor=actor, merge_id=record.pk)
    assert pointing_at(anna) == had
    assert Package.objects.get(pk=mine.pk).owner_id == anna.pk
    assert FormRequest.objects.get(pk=my_form.pk).subject_id == anna.pk


def test_undo_after_a_moved_form_was_filled_in_is_refused(actor, world, catalogue):
    """A form asked of the duplicate, waiting at the merge and filled in by the survivor since,
    has changed since the merge: Undo refuses rather than hand the duplicate answers given by
    someone who may not complete their forms."""
    anna, dupe = world.anna, world.dupe
    waiting = ask(actor, made(dupe, catalogue.massage, ahead(days=6)), world.form)
    record = merge(actor, anna, dupe)
    intake.complete_form(actor=actor, request_id=waiting.pk, completed_by_id=anna.pk, answers=ANSWERS)
    with pytest.raises(KinshipError, match="cannot be undone safely"):
        undo_merge(actor=actor, merge_id=record.pk)
    waiting.refresh_from_db()
    assert waiting.subject_id == anna.pk and waiting.is_complete


def test_undo_after_the_survivor_used_a_moved_package_is_refused(actor, world, catalogue):
    anna, dupe = world.anna, world.dupe
    record = merge(actor, anna, dupe)
    anna_visit = started(anna, catalogue.haircut, minutes_ago=200)
    pay(actor, anna_visit, world.package)
    with pytest.raises(KinshipError, match="cannot be undone safely"):
        undo_merge(actor=actor, merge_id=record.pk)
    package = Package.objects.get(pk=world.package.pk)
    redemption = Redemption.objects.select_related("package").get(appointment=anna_visit)
    # Never: Anna's visit paid from a package of someone whose sessions she may not use.
    assert redemption.package.owner_id == anna.pk or packages.may_use(anna, package)


def test_merging_two_who_both_have_packages_forms_and_reviews_keeps_all(actor, world, catalogue):
    """Nothing of these folds: both sets of rows end up the survivor's, none lost."""
    anna, dupe = world.anna, world.dupe
    buy(actor, anna, catalogue.haircut, sessions=3, price=0)
    ask(actor, made(anna, catalogue.haircut, ahead(days=4)), world.form, filled_by=anna)
    reviewed_earlier(actor, anna)
    hers, theirs = pointing_at(anna), pointing_at(dupe)
    merge(actor, anna, dupe)
    assert pointing_at(anna) == {key: hers[key] + theirs[key] for key in hers}
    assert Package.objects.count() == 2 and AccessReview.objects.count() == 2
