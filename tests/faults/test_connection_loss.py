"""The database connection dies in the middle of an action (issue 16): all or nothing.

A merge, a partner link, an Add to Group of 10,000 customers and a posting are each sent
through their page, as the role that uses it, and the connection is cut part-way through the
service's transaction, after it has written some rows (tests/faults/helpers.py). Each time:

- the page is the project's 500 page, which says something went wrong and nothing changed;
- nothing was saved: every row an action may write is as it was, History and emails included;
- the very same request, sent again once the web server has dropped the dead connection,
  succeeds and does the change exactly once;
- every rule of DESIGN.md still holds (tests/rules.py), after the fault and after the retry.

PostgreSQL only: the cut is `pg_terminate_backend`, and the tests run in real transactions
(a test wrapped in a transaction would lose its own along with the request's).
"""

import time
import uuid

import pytest
from django.test import Client
from django.urls import reverse

import billing.services
import client_groups.services
import customers.services
from billing.models import Account, AccountHolder, Entry, Kind
from client_groups import services as segment_services
from client_groups.models import Segment, SegmentMember
from customers.merging import merge_token
from customers.models import Activity, Customer, Merge
from groups import services as group_services
from groups.models import CustomerGroup, GroupMember, MemberLabel, Role
from linking import services as link_services
from linking.models import AccessReview, Link, RelationshipType
from mail.models import Email
from tests.factories import CustomerFactory
from tests.faults.helpers import after_request, cut_at, cut_at_statement
from tests.rules import assert_history_written, assert_the_rules_hold, history_mark

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

#: Every table an action here may write to.
WRITTEN = (
    Customer,
    Merge,
    Activity,
    Email,
    Link,
    AccessReview,
    CustomerGroup,
    GroupMember,
    Segment,
    SegmentMember,
    Account,
    AccountHolder,
    Entry,
)


def snapshot():
    return {model._meta.label: list(model._base_manager.order_by("pk").values()) for model in WRITTEN}


def lenient(user):
    """A logged-in client that answers a failure with the project's 500 page, as a browser sees."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def text(response):
    return " ".join(response.content.decode().split())


def assert_nothing_saved(response, cut, before):
    """The request hit the cut, answered with the 500 page, and left every row as it was."""
    assert cut.pid is not None, "the service never reached the point where the connection is cut"
    after_request()
    assert snapshot() == before, "a request whose connection died saved part of its change"
    assert_the_rules_hold()
    assert response.status_code == 500
    page = text(response)
    assert "Something went wrong" in page and "Nothing was changed; please try again" in page


def charge(actor, customer, amount, kind=Kind.CHARGE):
    billing.services.post(actor=actor, customer_id=customer.pk, kind=kind, amount=amount)


def balances(customer):
    account = AccountHolder.objects.select_related("account").get(customer=customer).account
    return account.house_balance, account.credit_balance


# Merge -----------------------------------------------------------------------------------


@pytest.fixture
def duplicates(manager_user):
    """Anna and her duplicate Anne, each with an account in credit and owing, each linked to
    Cara and in the client group VIP; Anne owns a family group with Ben. A merge moves or
    folds every one of those."""
    anna = CustomerFactory(first_name="Anna", last_name="Smith")
    anne = CustomerFactory(first_name="Anne", last_name="Smith")
    ben = CustomerFactory(first_name="Ben", last_name="Smith")
    cara = CustomerFactory(first_name="Cara", last_name="Jones")
    for customer, house, credit in ((anna, 1000, 200), (anne, 300, 50)):
        charge(manager_user, customer, house)
        charge(manager_user, customer, credit, Kind.CREDIT_ISSUED)
    sibling = RelationshipType.objects.get(name="Sibling")
    for customer in (anna, anne):
        link_services.link_customers(
            actor=manager_user, agent_id=customer.pk, principal_id=cara.pk, type_id=sibling.pk
        )
    vip = segment_services.create_segment(actor=manager_user, name="VIP")
    segment_services.add_customers(
        actor=manager_user, segment_id=vip.pk, customers=Customer.objects.filter(pk__in=[anna.pk, anne.pk])
    )
    labels = {label.name: label.pk for label in MemberLabel.objects.all()}
    group_services.create_group(
        actor=manager_user,
        owner_id=anne.pk,
        owner_label_id=labels["Parent"],
        member_id=ben.pk,
        member_role=Role.DEPENDENT,
        member_label_id=labels["Child"],
    )
    return anna, anne, ben, cara


MERGE_CUTS = {
    # The billing fold has written the first transfer out of Anne's account; the group place,
    # client group and link folds ran before it.
    "in the account fold": (billing.services, "_write", 2),
    # Everything moved, the tombstone and the Merge record are written; History is next.
    "writing History": (customers.services, "record_activity", 1),
}


@pytest.mark.parametrize("point", MERGE_CUTS)
def test_a_merge_cut_short_saves_nothing_and_goes_through_when_tried_again(
    on_postgres, monkeypatch, manager_user, duplicates, point
):
    anna, anne, ben, cara = duplicates
    target, name, call = MERGE_CUTS[point]
    manager = lenient(manager_user)
    url = reverse("customers:merge", args=[anna.pk])
    data = {"duplicate": anne.pk, "token": merge_token(anna, anne)}
    before, mark = snapshot(), history_mark()

    cut = cut_at(monkeypatch, target, name, call=call)
    assert_nothing_saved(manager.post(url, data), cut, before)

    response = manager.post(url, data)
    assert response.status_code == 302 and response.url == anna.get_absolute_url()
    assert_the_rules_hold()
    [merge] = Merge.objects.all()
    assert (merge.survivor_id, merge.absorbed_id) == (anna.pk, anne.pk)
    assert Customer.objects.get(pk=anne.pk).merged_into_id == anna.pk
    assert GroupMember.objects.get(customer=anna).role == Role.OWNER
    assert list(Link.objects.filter(agent=anna).values_list("principal_id", flat=True)) == [cara.pk]
    assert SegmentMember.objects.filter(customer=anna).count() == 1
    assert balances(anna) == (1300, 250)
    assert Entry.objects.filter(kind=Kind.TRANSFER).count() == 4  # a pair for each balance
    assert Activity.objects.filter(kind="customer.merged").count() == 2
    assert_history_written(mark, [anna.pk, anne.pk])


# Partner link ----------------------------------------------------------------------------


LINK_CUTS = {
    # Ben's house balance has left his account; it has not reached Anna's yet.
    "half-way through a transfer": (billing.services, "_write", 2),
    # Ben holds Anna's account, his own is emptied and left; History is next.
    "writing History": (billing.services, "record_activity", 1),
}


@pytest.mark.parametrize("point", LINK_CUTS)
def test_a_partner_link_cut_short_saves_nothing_and_goes_through_when_tried_again(
    on_postgres, monkeypatch, front_desk_user, billing_on, point
):
    anna = CustomerFactory(first_name="Anna", last_name="Smith")
    ben = CustomerFactory(first_name="Ben", last_name="Smith")
    for customer, house, credit in ((anna, 1000, 200), (ben, 300, 50)):
        charge(front_desk_user, customer, house)
        charge(front_desk_user, customer, credit, Kind.CREDIT_ISSUED)
    target, name, call = LINK_CUTS[point]
    desk = lenient(front_desk_user)
    url = reverse("billing:partner_link", args=[anna.pk])
    data = {"member": ben.pk, "primary": anna.pk, "token": billing.services.holders_token(anna.pk, ben.pk)}
    before, mark = snapshot(), history_mark()

    cut = cut_at(monkeypatch, target, name, call=call)
    assert_nothing_saved(desk.post(url, data), cut, before)

    response = desk.post(url, data)
    assert response.status_code == 302
    assert_the_rules_hold()
    shared = AccountHolder.objects.get(customer=anna).account_id
    assert dict(AccountHolder.objects.filter(account_id=shared).values_list("customer_id", "is_primary")) == {
        anna.pk: True,
        ben.pk: False,
    }
    assert balances(anna) == balances(ben) == (1300, 250)
    assert Entry.objects.filter(kind=Kind.TRANSFER).count() == 4  # a pair for each balance
    assert Activity.objects.filter(kind="billing.partner_linked").count() == 2
    assert_history_written(mark, [anna.pk, ben.pk])


# Add to Group of 10,000 -------------------------------------------------------------------

CROWD = 10_000


def test_an_add_to_group_of_ten_thousand_cut_short_saves_nothing_and_goes_through_when_tried_again(
    on_postgres, monkeypatch, front_desk_user, manager_user, client_groups_on
):
    started = time.perf_counter()
    Customer.objects.bulk_create(
        (Customer(first_name=f"Client{n}", last_name="Crowd") for n in range(CROWD)), batch_size=2_000
    )
    vip = segment_services.create_segment(actor=manager_user, name="VIP")
    desk = lenient(front_desk_user)
    # Select all matching the search: the client list's every page, as Bulk Actions sends it.
    data = {"all_matching": 1, "q": "crowd", "segment": vip.pk}
    before, mark = snapshot(), history_mark()

    # The memberships and their History lines are written (one statement); COMMIT is next.
    cut = cut_at(monkeypatch, client_groups.services, "_with_history", after=True)
    assert_nothing_saved(desk.post(reverse("client_groups:bulk"), data), cut, before)

    response = desk.post(reverse("client_groups:bulk"), data)
    assert response.status_code == 302
    assert_the_rules_hold()
    crowd = set(Customer.objects.filter(last_name="Crowd").values_list("pk", flat=True))
    assert set(SegmentMember.objects.filter(segment=vip).values_list("customer_id", flat=True)) == crowd
    added = Activity.objects.filter(pk__gt=mark, kind="segment.added")
    assert added.count() == CROWD and set(added.values_list("customer_id", flat=True)) == crowd
    assert_history_written(mark, crowd)
    # Ten thousand customers, two requests and four snapshots of every table: a few seconds.
    assert time.perf_counter() - started < 30


# Posting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("has_account", [True, False], ids=["to an account", "opening the account"])
def test_a_posting_cut_short_saves_nothing_and_goes_through_when_tried_again(
    on_postgres, monkeypatch, front_desk_user, billing_on, has_account
):
    cara = CustomerFactory(first_name="Cara", last_name="Jones")
    if has_account:
        charge(front_desk_user, cara, 3000)
    desk = lenient(front_desk_user)
    url = reverse("billing:post", args=[cara.pk])
    # The same form sent twice: its one-time key, unused by the failed attempt, still posts.
    data = {"kind": "charge", "amount": "10.00", "key": str(uuid.uuid4())}
    before, mark = snapshot(), history_mark()

    # The entry is written and the account's balances raised; History is next.
    cut = cut_at(monkeypatch, billing.services, "_write", after=True)
    assert_nothing_saved(desk.post(url, data), cut, before)

    response = desk.post(url, data)
    assert response.status_code == 302
    assert_the_rules_hold()
    [entry] = Entry.objects.filter(request_key=data["key"])
    assert (entry.kind, entry.amount, entry.customer_id) == (Kind.CHARGE, 1000, cara.pk)
    assert balances(cara) == ((3000 if has_account else 0) + 1000, 0)
    assert Account.objects.count() == 1
    assert_history_written(mark, [cara.pk])


# Every point ------------------------------------------------------------------------------


def posting(desk_user, manager_user):
    cara = CustomerFactory(first_name="Cara", last_name="Jones")
    charge(desk_user, cara, 3000)
    data = {"kind": "charge", "amount": "10.00", "key": str(uuid.uuid4())}
    return lenient(desk_user), reverse("billing:post", args=[cara.pk]), data


def partner_link(desk_user, manager_user):
    anna = CustomerFactory(first_name="Anna", last_name="Smith")
    ben = CustomerFactory(first_name="Ben", last_name="Smith")
    for customer in (anna, ben):
        charge(desk_user, customer, 500)
        charge(desk_user, customer, 50, Kind.CREDIT_ISSUED)
    data = {"member": ben.pk, "primary": anna.pk, "token": billing.services.holders_token(anna.pk, ben.pk)}
    return lenient(desk_user), reverse("billing:partner_link", args=[anna.pk]), data


def add_to_group(desk_user, manager_user):
    Customer.objects.bulk_create(Customer(first_name=f"Client{n}", last_name="Crowd") for n in range(50))
    vip = segment_services.create_segment(actor=manager_user, name="VIP")
    return (
        lenient(desk_user),
        reverse("client_groups:bulk"),
        {"all_matching": 1, "q": "crowd", "segment": vip.pk},
    )


@pytest.mark.parametrize("action", [posting, partner_link, add_to_group], ids=lambda action: action.__name__)
def test_a_cut_at_any_statement_saves_nothing(
    on_postgres, front_desk_user, manager_user, billing_on, client_groups_on, action
):
    """The same request, cut after its first statement, then its second, and so on to the
    COMMIT after its last, until it runs uncut and goes through. (A merge runs some seventy
    statements, too slow to sweep on every run: a one-off sweep of all of them, when this was
    written, found it all or nothing too.)"""
    client, url, data = action(front_desk_user, manager_user)
    n = 1
    while True:
        before = snapshot()
        with cut_at_statement(n) as cut:
            response = client.post(url, data)
        if cut.pid is None:
            break
        assert_nothing_saved(response, cut, before)
        n += 1
    assert response.status_code == 302 and snapshot() != before
    assert n > 5, "the action ran fewer statements than it takes to do anything"
    assert_the_rules_hold()
