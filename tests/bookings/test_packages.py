"""Packages of sessions: selling one (a charge on the house account, in the same transaction),
what a sale refuses, paying an attended visit with a session (one's own, a linked client's
with Can Use Sessions from Packages, or a Dependent's for the group's Owner and Admins), the
packages the Day View offers, and emailing a receipt.

Every refusal is checked to change nothing: no package, no charge, no session used, no
History line, no email.
"""

import html
import re
import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from waffle.testutils import override_switch

from billing import services as billing_services
from billing.features import BILLING
from billing.models import Account, Entry, Kind
from billing.money import MAX_AMOUNT
from bookings import queries
from bookings.models import Package, Redemption, Status
from bookings.services import appointments as appointment_services
from bookings.services import packages as package_services
from customers import services as customer_services
from customers.merging import merge_token
from linking.features import ACCOUNT_LINKING
from mail.models import Email
from tests.bookings.acting_for_others import link, refused, snapshot, unlink
from tests.bookings.helpers import ahead, book, lines, started, when
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pia(db):
    return CustomerFactory(first_name="Pia", last_name="Park", email="pia.park@example.com")


@pytest.fixture
def quinn(db):
    return CustomerFactory(first_name="Quinn", last_name="Park", email="quinn.park@example.com")


def buy(actor, customer, service, *, sessions=10, price=20000, key=None):
    return package_services.buy_package(
        actor=actor, customer_id=customer.pk, service_id=service.pk, sessions=sessions, price=price, key=key
    )


def pay_with(actor, appointment, package, *, status=Status.ATTENDED):
    return appointment_services.mark(
        actor=actor,
        appointment_id=appointment.pk,
        status=status,
        version=appointment.version,
        package_id=package.pk,
    )


def balance(customer):
    return Account.objects.get(holders__customer=customer).house_balance


# Buying.


def test_buying_a_package_charges_its_price_to_the_house_account(actor, catalogue, pia):
    package = buy(actor, pia, catalogue.haircut, sessions=10, price=20000)

    package.refresh_from_db()
    assert (package.owner, package.service, package.sessions, package.used, package.left) == (
        pia,
        catalogue.haircut,
        10,
        0,
        10,
    )
    assert (package.price, package.bought_by) == (20000, actor)
    charge = Entry.objects.get()
    assert package.charge == charge
    assert (charge.kind, charge.amount, charge.customer, charge.house_change) == (
        Kind.CHARGE,
        20000,
        pia,
        20000,
    )
    assert charge.memo == "Package: 10 × Haircut"
    assert balance(pia) == 20000
    assert lines(pia, "package") == ["Bought a package of 10 × Haircut for £200.00."]
    # The charge tells of itself in the billing History too, in the same transaction.
    assert [line for line in lines(pia, "billing") if "£200.00" in line]


def test_a_second_package_raises_the_balance_again(actor, catalogue, pia):
    buy(actor, pia, catalogue.haircut, sessions=10, price=20000)
    buy(actor, pia, catalogue.massage, sessions=5, price=27500)

    assert balance(pia) == 47500
    assert list(Entry.objects.order_by("pk").values_list("amount", "house_after")) == [
        (20000, 20000),
        (27500, 47500),
    ]


def test_a_free_package_posts_nothing(actor, catalogue, pia):
    package = buy(actor, pia, catalogue.massage, sessions=1, price=0)

    assert package.charge is None
    assert not Entry.objects.exists() and not Account.objects.exists()
    assert lines(pia, "package") == ["Bought a package of 1 × Massage for £0.00."]
    assert lines(pia, "billing") == []


@pytest.mark.parametrize(
    ("sessions", "price", "message"),
    [
        (0, 20000, "^Choose from 1 to 200 sessions\\.$"),
        (201, 20000, "^Choose from 1 to 200 sessions\\.$"),
        (-3, 20000, "^Choose from 1 to 200 sessions\\.$"),
        ("10", 20000, "^Choose from 1 to 200 sessions\\.$"),
        (10, -1, "^Enter a price from nothing to £1,000,000\\.00\\.$"),
        (10, MAX_AMOUNT + 1, "^Enter a price from nothing to £1,000,000\\.00\\.$"),
        (10, 199.5, "^Enter a price from nothing to £1,000,000\\.00\\.$"),
    ],
    ids=[
        "no sessions",
        "201 sessions",
        "negative sessions",
        "sessions as text",
        "negative price",
        "price too high",
        "price not whole pence",
    ],
)
def test_bad_numbers_are_refused(actor, catalogue, pia, sessions, price, message):
    refused(lambda: buy(actor, pia, catalogue.haircut, sessions=sessions, price=price), message)


def test_the_largest_package_and_price_are_allowed(actor, catalogue, pia):
    package = buy(actor, pia, catalogue.haircut, sessions=200, price=MAX_AMOUNT)
    assert (package.sessions, balance(pia)) == (200, MAX_AMOUNT)


def test_a_retired_service_is_refused(actor, catalogue, pia):
    refused(
        lambda: buy(actor, pia, catalogue.retired),
        "^“Colour” is no longer offered; choose another service\\.$",
    )


def test_an_unknown_service_or_customer_is_refused(actor, catalogue, pia):
    refused(
        lambda: package_services.buy_package(
            actor=actor, customer_id=pia.pk, service_id=999_999, sessions=5, price=100
        ),
        "^Choose a service\\.$",
    )
    refused(
        lambda: package_services.buy_package(
            actor=actor, customer_id=999_999, service_id=catalogue.haircut.pk, sessions=5, price=100
        ),
        "^That customer does not exist\\.$",
    )


@pytest.mark.parametrize("price", [20000, 0], ids=["paid", "free"])
def test_an_archived_customer_is_refused(actor, catalogue, pia, price):
    customer_services.archive_customer(actor=actor, customer_id=pia.pk)
    refused(
        lambda: buy(actor, pia, catalogue.haircut, price=price),
        "^Pia Park is archived; restore them before selling them a package\\.$",
    )


def merge(actor, survivor, absorbed):
    survivor.refresh_from_db()
    absorbed.refresh_from_db()
    return customer_services.merge_customers(
        actor=actor, survivor_id=survivor.pk, absorbed_id=absorbed.pk, token=merge_token(survivor, absorbed)
    )


def test_a_merged_customer_is_refused(actor, catalogue, pia):
    merge(actor, CustomerFactory(first_name="Pia", last_name="Parker"), pia)
    refused(
        lambda: buy(actor, pia, catalogue.haircut),
        "^Pia Park was merged into another account; choose that one instead\\.$",
    )


def test_a_double_submitted_form_sells_one_package(actor, catalogue, pia):
    key = uuid.uuid4()
    first = buy(actor, pia, catalogue.haircut, key=key)

    refused(
        lambda: buy(actor, pia, catalogue.haircut, key=key),
        "^That package was sold already; it was not sold twice\\.$",
        error=billing_services.AlreadyPosted,
    )
    assert list(Package.objects.all()) == [first]
    assert balance(pia) == 20000


def test_a_double_submitted_free_package_is_sold_once(actor, catalogue, pia):
    key = uuid.uuid4()
    buy(actor, pia, catalogue.haircut, price=0, key=key)

    with pytest.raises(billing_services.AlreadyPosted):
        buy(actor, pia, catalogue.haircut, price=0, key=key)
    assert Package.objects.count() == 1


def test_a_package_over_the_credit_limit_is_refused(actor, catalogue, pia):
    buy(actor, pia, catalogue.haircut, price=5000)
    account = Account.objects.get()
    billing_services.set_credit_limit(actor=actor, customer_id=pia.pk, limit=10000, version=account.version)

    refused(
        lambda: buy(actor, pia, catalogue.massage, price=6000),
        "^That would take the house account over its credit limit of £100\\.00: £50\\.00 is owed already\\.$",
    )


# Paying a visit with a session.


def test_marking_attended_with_ones_own_package_uses_a_session(actor, catalogue, pia):
    package = buy(actor, pia, catalogue.haircut, sessions=10)
    visit = started(pia, catalogue.haircut)

    pay_with(actor, visit, package)

    package.refresh_from_db()
    visit.refresh_from_db()
    assert (visit.status, package.used, package.left, package.version) == (Status.ATTENDED, 1, 9, 2)
    redemption = Redemption.objects.get()
    assert (redemption.package, redemption.appointment, redemption.created_by) == (package, visit, actor)
    assert lines(pia, "package.redeemed") == [
        f"Used a session for Haircut on {when(visit.starts_at)} (9 of 10 left)."
    ]
    # Using a session charges nothing: the package was paid when it was bought.
    assert balance(pia) == 20000 and Entry.objects.count() == 1


def test_marking_with_a_package_from_the_day_view(desk, catalogue, pia, bookings_on):
    package = buy(None, pia, catalogue.haircut, sessions=2)
    visit = started(pia, catalogue.haircut)

    response = desk.post(
        reverse("bookings:mark", args=[visit.pk]),
        {"status": Status.ATTENDED, "version": 1, "package": package.pk},
    )

    assert response.status_code == 302
    package.refresh_from_db()
    assert package.used == 1 and Redemption.objects.get().appointment == visit


def test_a_visit_marked_attended_without_a_session_is_paid_later_from_the_day_view(
    desk, actor, catalogue, pia, bookings_on
):
    package = buy(actor, pia, catalogue.haircut, sessions=2)
    visit = started(pia, catalogue.haircut)
    appointment_services.mark(actor=actor, appointment_id=visit.pk, status=Status.ATTENDED, version=1)
    day = f"{reverse('bookings:day')}?date={timezone.localtime(visit.starts_at):%Y-%m-%d}"
    page = html.unescape(desk.get(day).content.decode())
    assert "Use a Session" in page and "Session from own package (2 left)" in page

    response = desk.post(reverse("bookings:redeem", args=[visit.pk]), {"package": package.pk, "next": day})

    assert response.status_code == 302 and response["Location"] == day
    package.refresh_from_db()
    assert package.used == 1 and Redemption.objects.get().appointment == visit
    page = html.unescape(desk.get(day).content.decode())
    assert "Use a Session" not in page and "Paid with a session from Pia's own package" in page


def test_paying_later_refuses_a_paid_visit_and_404s_a_bad_package(desk, actor, catalogue, pia, bookings_on):
    package = buy(actor, pia, catalogue.haircut, sessions=2)
    visit = started(pia, catalogue.haircut)
    pay_with(actor, visit, package)
    url = reverse("bookings:redeem", args=[visit.pk])

    assert desk.post(url, {"package": "x"}).status_code == 404
    again = desk.post(url, {"package": package.pk})
    assert again.status_code == 400 and "That appointment was paid with a session already." in html.unescape(
        again.content.decode()
    )
    package.refresh_from_db()
    assert package.used == 1


def test_a_linked_client_with_can_use_packages_pays_with_the_owners_session(
    actor, catalogue, types, pia, quinn, linking_on
):
    """Quinn is the agent of the link (he attends) and Pia its principal (she owns the package)."""
    link(actor, types, quinn, pia, agent_may={"can_use_packages"})
    package = buy(actor, pia, catalogue.haircut, sessions=5, price=10000)
    visit = started(quinn, catalogue.haircut)

    pay_with(actor, visit, package)

    package.refresh_from_db()
    assert package.left == 4 and Redemption.objects.get().appointment == visit
    visit_words = f"Haircut on {when(visit.starts_at)}"
    # Each History says whose session paid for whose visit.
    assert lines(quinn, "package") == [
        f"{visit_words} was paid with a session from Pia Park's package (4 of 5 left)."
    ]
    assert lines(pia, "package.redeemed") == [
        f"A session of this package paid for Quinn Park's {visit_words} (4 of 5 left)."
    ]
    assert not Entry.objects.filter(customer=quinn).exists()


@pytest.mark.parametrize(
    ("agent_may", "principal_may"),
    [
        ({"can_book", "can_complete_forms", "receives_copies"}, ()),
        ((), {"can_use_packages"}),
    ],
    ids=["every other permission", "ticked the other way round"],
)
def test_without_can_use_packages_the_owners_sessions_are_refused(
    actor, catalogue, types, pia, quinn, linking_on, agent_may, principal_may
):
    link(actor, types, quinn, pia, agent_may=agent_may, principal_may=principal_may)
    package = buy(actor, pia, catalogue.haircut)
    visit = started(quinn, catalogue.haircut)

    refused(
        lambda: pay_with(actor, visit, package),
        "^Quinn Park may not use sessions from Pia Park's packages\\.$",
    )
    assert visit.status == Status.BOOKED  # nothing marked either: the whole mark was refused


def test_once_the_link_is_removed_the_owners_sessions_are_refused(
    actor, catalogue, types, pia, quinn, linking_on
):
    side = link(actor, types, quinn, pia, agent_may={"can_use_packages"})
    package = buy(actor, pia, catalogue.haircut)
    first, second = started(quinn, catalogue.haircut, minutes_ago=120), started(quinn, catalogue.haircut)
    pay_with(actor, first, package)

    unlink(actor, side)

    refused(
        lambda: pay_with(actor, second, package),
        "^Quinn Park may not use sessions from Pia Park's packages\\.$",
    )
    # The session already used stays used: removing a link rewrites nothing.
    assert Package.objects.get().used == 1


def test_with_account_linking_off_nobody_uses_anybody_elses_sessions(actor, catalogue, types, pia, quinn):
    with override_switch(ACCOUNT_LINKING, active=True):
        link(actor, types, quinn, pia, agent_may={"can_use_packages"})
    package = buy(actor, pia, catalogue.haircut)
    visit = started(quinn, catalogue.haircut)
    with override_switch(ACCOUNT_LINKING, active=False):
        refused(
            lambda: pay_with(actor, visit, package),
            "may not use sessions from Pia Park's packages",
        )


@pytest.mark.parametrize(
    ("attendee", "owner", "allowed"),
    [
        ("anna", "ben", True),
        ("cara", "ben", True),
        ("ben", "anna", False),
        ("ben", "cara", False),
        ("anna", "cara", False),
        ("cara", "anna", False),
    ],
    ids=[
        "owner uses a dependent's",
        "admin uses a dependent's",
        "dependent may not use the owner's",
        "dependent may not use the admin's",
        "owner may not use the admin's",
        "admin may not use the owner's",
    ],
)
def test_the_group_rule_for_packages(actor, catalogue, family, linking_on, attendee, owner, allowed):
    """Owner and Admins act for Dependents in every way, sessions too; nobody else by the group."""
    attendee, owner = family[attendee], family[owner]
    package = buy(actor, owner, catalogue.haircut)
    visit = started(attendee, catalogue.haircut)

    assert package_services.may_use(attendee, package) is allowed
    assert (owner.pk in queries.usable_owners({attendee.pk})[attendee.pk]) is allowed
    if allowed:
        pay_with(actor, visit, package)
        assert Redemption.objects.get().package == package
    else:
        refused(
            lambda: pay_with(actor, visit, package),
            f"^{attendee.full_name} may not use sessions from {owner.full_name}'s packages\\.$",
        )


def test_a_package_of_another_service_is_refused(actor, catalogue, pia):
    package = buy(actor, pia, catalogue.massage)
    visit = started(pia, catalogue.haircut)
    refused(
        lambda: pay_with(actor, visit, package),
        "^That package is for Massage, not Haircut\\.$",
    )


def test_a_package_with_no_sessions_left_is_refused(actor, catalogue, pia):
    package = buy(actor, pia, catalogue.haircut, sessions=1)
    pay_with(actor, started(pia, catalogue.haircut, minutes_ago=120), package)
    visit = started(pia, catalogue.haircut)

    refused(
        lambda: pay_with(actor, visit, package),
        "^Pia Park's package of Haircut has no sessions left\\.$",
    )


def test_a_no_show_does_not_use_a_session(actor, catalogue, pia):
    package = buy(actor, pia, catalogue.haircut)
    visit = started(pia, catalogue.haircut)
    refused(
        lambda: pay_with(actor, visit, package, status=Status.NO_SHOW),
        "^Only an attended appointment uses a session from a package\\.$",
    )


def test_an_unknown_package_is_refused(actor, catalogue, pia):
    visit = started(pia, catalogue.haircut)
    refused(
        lambda: appointment_services.mark(
            actor=actor, appointment_id=visit.pk, status=Status.ATTENDED, version=1, package_id=999_999
        ),
        "^That package no longer exists\\.$",
    )


def test_a_visit_is_paid_once(actor, catalogue, pia):
    """An attended visit marked without a package can be paid later, once."""
    package = buy(actor, pia, catalogue.haircut)
    visit = started(pia, catalogue.haircut)
    appointment_services.mark(actor=actor, appointment_id=visit.pk, status=Status.ATTENDED, version=1)

    package_services.redeem(actor=actor, appointment_id=visit.pk, package_id=package.pk)

    refused(
        lambda: package_services.redeem(actor=actor, appointment_id=visit.pk, package_id=package.pk),
        "^That appointment was paid with a session already\\.$",
    )
    assert Package.objects.get().used == 1


def test_the_database_refuses_more_sessions_used_than_bought(actor, catalogue, pia):
    package = buy(actor, pia, catalogue.haircut, sessions=3)
    Package.objects.filter(pk=package.pk).update(used=3)  # the last one may be used

    with pytest.raises(IntegrityError, match="package_never_over_redeemed"), transaction.atomic():
        Package.objects.filter(pk=package.pk).update(used=F("sessions") + 1)
    assert Package.objects.get().used == 3


# The Day View's offer, and who may use whose, asked two ways.


def test_the_day_offers_each_booked_visit_its_usable_packages_own_first(
    actor, catalogue, types, pia, quinn, linking_on
):
    link(actor, types, quinn, pia, agent_may={"can_use_packages"})
    stranger = CustomerFactory(first_name="Sid", last_name="Stone")
    pias_older = buy(actor, pia, catalogue.haircut, sessions=5)
    quinns = buy(actor, quinn, catalogue.haircut, sessions=2)
    pias_newer = buy(actor, pia, catalogue.haircut, sessions=5)
    buy(actor, pia, catalogue.massage, sessions=5)  # another service: never offered for a haircut
    buy(actor, stranger, catalogue.haircut)  # nobody here may use Sid's
    used_up = buy(actor, pia, catalogue.haircut, sessions=1)
    pay_with(actor, started(pia, catalogue.haircut, minutes_ago=60 * 24 * 3), used_up)

    day = timezone.localdate() + timedelta(days=2)
    quinns_visit = book(actor, quinn, catalogue.haircut, ahead(2, 9))
    pias_visit = book(actor, pia, catalogue.haircut, ahead(2, 11))
    sids_visit = book(actor, stranger, catalogue.massage, ahead(2, 12))
    dropped = book(actor, quinn, catalogue.haircut, ahead(2, 15))
    appointment_services.cancel(actor=actor, appointment_id=dropped.pk, version=1)

    offered = {appointment.pk: appointment.packages for appointment in queries.day(day)}

    # Quinn's own first, then Pia's (whose sessions he may use), oldest first; Pia may not use his.
    assert offered[quinns_visit.pk] == [quinns, pias_older, pias_newer]
    assert offered[pias_visit.pk] == [pias_older, pias_newer]
    assert offered[sids_visit.pk] == []  # Sid's package is for haircuts; his visit is a massage
    assert offered[dropped.pk] == []  # a cancelled visit uses nothing


def test_the_day_reads_its_packages_in_a_fixed_number_of_queries(
    actor, catalogue, types, pia, quinn, linking_on, django_assert_max_num_queries
):
    link(actor, types, quinn, pia, agent_may={"can_use_packages"})
    for hour in range(8, 18):
        person = CustomerFactory()
        link(actor, types, person, pia, agent_may={"can_use_packages"})
        buy(actor, person, catalogue.haircut)
        book(actor, person, catalogue.haircut, ahead(2, hour))
    buy(actor, pia, catalogue.haircut)
    day = timezone.localdate() + timedelta(days=2)

    with django_assert_max_num_queries(6):
        appointments = queries.day(day)
    assert len(appointments) == 10 and all(len(a.packages) == 2 for a in appointments)


@pytest.fixture
def small_world(actor, catalogue, types, family, pia, quinn, linking_on):
    """The Smiths' group; Quinn may use Pia's sessions; Pia may only book for Quinn; Rae may use
    Ben's sessions by a link; Sid has no links; Tom was merged into Quinn."""
    rae = CustomerFactory(first_name="Rae", last_name="Ray")
    sid = CustomerFactory(first_name="Sid", last_name="Stone")
    tom = CustomerFactory(first_name="Tom", last_name="Park")
    link(actor, types, quinn, pia, agent_may={"can_use_packages"}, principal_may={"can_book"})
    link(actor, types, rae, family["ben"], agent_may={"can_use_packages", "can_book"})
    link(actor, types, sid, tom, agent_may={"can_use_packages"})
    merge(actor, quinn, tom)
    people = [family["anna"], family["ben"], family["cara"], pia, quinn, rae, sid]
    packages = {person.pk: buy(actor, person, catalogue.haircut) for person in people}
    return people, packages


def test_usable_owners_agrees_with_may_use_for_every_pair(small_world):
    people, packages = small_world
    usable = queries.usable_owners({person.pk for person in people})

    for attendee in people:
        for owner in people:
            if owner == attendee:
                continue
            expected = package_services.may_use(attendee, packages[owner.pk])
            assert (owner.pk in usable[attendee.pk]) is expected, (attendee, owner)
    # The answers are not all one way, so the agreement says something.
    pairs = [(a.first_name, o) for a in people for o in usable[a.pk]]
    assert len(pairs) >= 4


def test_usable_owners_and_may_use_agree_that_linking_off_allows_nobody(small_world):
    people, packages = small_world
    with override_switch(ACCOUNT_LINKING, active=False):
        usable = queries.usable_owners({person.pk for person in people})
        assert all(owners == set() for owners in usable.values())
        assert not any(package_services.may_use(a, packages[o.pk]) for a in people for o in people if a != o)


# Email Receipt.


def receipt_url(customer, package):
    return reverse("bookings:receipt", args=[customer.pk, package.pk])


def text(response):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def receipt_world(actor, catalogue, types, pia, quinn, features_on):
    """Pia's package; Quinn receives copies for her; Rae may book for her but gets no copies;
    Sam receives copies but has no email address."""
    rae = CustomerFactory(first_name="Rae", last_name="Ray", email="rae@example.com")
    sam = CustomerFactory(first_name="Sam", last_name="Sands", email="")
    link(actor, types, quinn, pia, agent_may={"receives_copies"})
    link(actor, types, rae, pia, agent_may={"can_book"})
    link(actor, types, sam, pia, agent_may={"receives_copies"})
    return {"package": buy(actor, pia, catalogue.haircut, sessions=10, price=20000), "rae": rae, "sam": sam}


def test_email_receipt_fills_in_the_owner_and_linked_clients_who_receive_copies(desk, pia, receipt_world):
    response = desk.get(receipt_url(pia, receipt_world["package"]))

    assert response.status_code == 200
    assert response.context["form"]["to"].value() == "pia.park@example.com, quinn.park@example.com"
    page = text(response)
    assert "Quinn Park (linked client, receives copies)" in page
    assert "Rae Ray" not in page and "Sam Sands" not in page
    assert "10 × Haircut, £200.00" in page


def test_email_receipt_sends_to_the_addresses_typed_and_logs_each(
    desk, pia, receipt_world, mailoutbox, django_capture_on_commit_callbacks
):
    package = receipt_world["package"]
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            receipt_url(pia, package), {"to": "Pia.Park@example.com; accounts@parkfamily.example"}
        )

    assert response.status_code == 302
    sent = list(Email.objects.filter(kind="package.receipt").order_by("pk"))
    assert [(e.recipient, e.about, e.to_address, e.status) for e in sent] == [
        (pia, pia, "Pia.Park@example.com", Email.Status.SENT),
        (None, pia, "accounts@parkfamily.example", Email.Status.SENT),
    ]
    assert sorted(message.to[0] for message in mailoutbox) == [
        "Pia.Park@example.com",
        "accounts@parkfamily.example",
    ]
    assert all(message.subject == "Receipt: 10 × Haircut" for message in mailoutbox)
    assert "Paid: £200.00 (charged to the house account)" in mailoutbox[0].body
    assert lines(pia, "package.receipt") == [
        "Emailed the receipt for 10 × Haircut to Pia.Park@example.com, accounts@parkfamily.example."
    ]


@pytest.mark.parametrize("typed", ["", "not-an-address", ", ;"])
def test_email_receipt_refuses_bad_addresses(desk, pia, receipt_world, mailoutbox, typed):
    before = snapshot()
    response = desk.post(receipt_url(pia, receipt_world["package"]), {"to": typed})

    assert response.status_code == 200 and response.context["form"].errors
    assert snapshot() == before and mailoutbox == []


def test_email_receipt_answers_404_for_a_package_of_someone_else(desk, pia, quinn, receipt_world):
    assert desk.get(receipt_url(quinn, receipt_world["package"])).status_code == 404


def test_a_receipt_to_many_addresses_still_fits_its_history_line(actor, pia, receipt_world):
    from customers.models import Activity
    from mail.services import Recipient

    addresses = [f"accounts.department.{n}@park-family-holdings.example.co.uk" for n in range(8)]
    package_services.email_receipt(
        actor=actor,
        package_id=receipt_world["package"].pk,
        recipients=[Recipient(None, address) for address in addresses],
    )
    limit = Activity._meta.get_field("message").max_length
    assert all(len(line) <= limit for line in lines(pia))


def test_buying_from_the_tab_charges_once_however_often_it_is_sent(desk, catalogue, pia, features_on):
    key = str(uuid.uuid4())
    data = {"service": catalogue.haircut.pk, "sessions": "6", "price_text": "90.00", "key": key}
    url = reverse("bookings:buy_package", args=[pia.pk])
    with override_switch(BILLING, active=True):
        first = desk.post(url, data)
        second = desk.post(url, data)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "That package was sold already; it was not sold twice." in text(second)
    assert Package.objects.get().sessions == 6 and balance(pia) == 9000


def test_buying_from_the_tab_answers_404_while_billing_is_off(desk, catalogue, pia, features_on):
    data = {"service": catalogue.haircut.pk, "sessions": "6", "price_text": "90.00"}
    with override_switch(BILLING, active=False):
        response = desk.post(reverse("bookings:buy_package", args=[pia.pk]), data)
    assert response.status_code == 404 and not Package.objects.exists()
