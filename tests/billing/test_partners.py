"""Partners share one account, the primary's: linking moves the other's balances in by
transfers, unlinking leaves them with the primary (less any split), and either may be made
the primary."""

import pytest
from django.utils import timezone

from billing import services
from billing.models import Account, AccountHolder, Entry, Kind
from core.errors import StaleEdit
from customers.models import Customer
from tests.billing.helpers import (
    account_of,
    balances,
    books,
    charge,
    holders,
    issue,
    last_entry_id,
    lines,
    link,
    new_entries,
    post,
    refused,
    transfer_pairs,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def with_balances(actor, customer, house, credit):
    if house:
        charge(actor, customer, house)
    if credit:
        issue(actor, customer, credit)


def assert_transferred(pairs, *, source, target, customer_id, house, credit):
    """The pairs move exactly (house, credit) out of `source` into `target`, for `customer_id`."""
    moved = {"house": 0, "credit": 0}
    for out, into in pairs:
        assert out.kind == into.kind == Kind.TRANSFER
        assert (out.account, into.account) == (source, target)
        assert out.customer_id == into.customer_id == customer_id
        assert out.amount == into.amount > 0
        assert (out.house_change, out.credit_change) == (-into.house_change, -into.credit_change)
        assert into.house_change >= 0 and into.credit_change >= 0
        moved["house"] += into.house_change
        moved["credit"] += into.credit_change
    assert (moved["house"], moved["credit"]) == (house, credit)


# Linking ----------------------------------------------------------------------------------


@pytest.mark.parametrize("primary_is", ["the customer", "the partner"])
def test_linking_moves_the_others_balances_into_the_primarys_account(actor, anna, ben, primary_is):
    with_balances(actor, anna, 1000, 200)
    with_balances(actor, ben, 300, 50)
    primary, other = (anna, ben) if primary_is == "the customer" else (ben, anna)
    kept, left = account_of(primary), account_of(other)
    other_balances = balances(other)
    since = last_entry_id()
    shared = link(actor, anna, ben, primary=primary)
    assert shared == kept
    assert holders(kept) == {primary.pk: True, other.pk: False}
    assert balances(anna) == balances(ben) == (1300, 250)
    # The other's own account is left behind, empty, by two pairs of transfers (one per balance).
    left.refresh_from_db()
    assert (left.house_balance, left.credit_balance) == (0, 0) and not left.holders.exists()
    made = new_entries(since)
    pairs = transfer_pairs(*made)
    assert len(made) == 4 and len(pairs) == 2
    assert_transferred(
        pairs,
        source=left,
        target=kept,
        customer_id=other.pk,
        house=other_balances[0],
        credit=other_balances[1],
    )
    for out, into in pairs:
        assert into.counterpart == out
    assert {entry.memo for entry in made} == {
        f"Into the account shared by {primary.full_name} and {other.full_name}"
    }
    for customer in (anna, ben):
        [line] = lines(customer, "billing.partner_linked")
        assert primary.full_name in line and other.full_name in line and "Primary Account" in line


def test_only_the_balances_that_are_not_zero_move(actor, anna, ben):
    with_balances(actor, anna, 1000, 0)
    with_balances(actor, ben, 0, 70)
    since = last_entry_id()
    link(actor, anna, ben, primary=anna)
    [(out, into)] = transfer_pairs(*new_entries(since))
    assert (out.credit_change, into.credit_change, into.house_change) == (-70, 70, 0)
    assert balances(anna) == (1000, 70)


def test_an_empty_account_left_behind_needs_no_transfer(actor, anna, ben):
    charge(actor, anna, 500)
    post(actor, ben, Kind.CHARGE, 100)
    post(actor, ben, Kind.PAYMENT, 100)
    since = last_entry_id()
    link(actor, anna, ben, primary=anna)
    assert new_entries(since) == []
    assert holders(account_of(anna)) == {anna.pk: True, ben.pk: False}


def test_linking_two_without_accounts_opens_one_for_the_primary(actor, anna, ben):
    shared = link(actor, anna, ben, primary=ben)
    assert holders(shared) == {ben.pk: True, anna.pk: False}
    assert (shared.house_balance, shared.credit_balance) == (0, 0)
    assert not Entry.objects.exists()
    assert Account.objects.count() == 1


def test_a_primary_without_an_account_gets_one_holding_the_others_balances(actor, anna, ben):
    with_balances(actor, ben, 800, 40)
    left = account_of(ben)
    shared = link(actor, anna, ben, primary=anna)
    assert shared != left and holders(shared) == {anna.pk: True, ben.pk: False}
    assert balances(anna) == (800, 40)
    assert_transferred(
        transfer_pairs(*Entry.objects.filter(kind=Kind.TRANSFER)),
        source=left,
        target=shared,
        customer_id=ben.pk,
        house=800,
        credit=40,
    )


def test_linking_from_a_stale_confirmation_is_refused(actor, anna, ben):
    with_balances(actor, anna, 1000, 0)
    with_balances(actor, ben, 300, 0)
    token = services.holders_token(anna.pk, ben.pk)
    charge(actor, ben, 1)  # another desk charged Ben after the confirmation was shown
    error = refused(
        lambda: services.link_partner(
            actor=actor, customer_id=anna.pk, partner_id=ben.pk, primary_id=anna.pk, token=token
        ),
        "changed since the confirmation",
        StaleEdit,
    )
    assert error.status == 409


def test_a_confirmation_shown_before_an_account_opened_is_stale(actor, anna, ben):
    token = services.holders_token(anna.pk, ben.pk)  # neither had an account then
    charge(actor, ben, 300)
    refused(
        lambda: services.link_partner(
            actor=actor, customer_id=anna.pk, partner_id=ben.pk, primary_id=ben.pk, token=token
        ),
        "changed since",
        StaleEdit,
    )


@pytest.mark.parametrize("who", ["the customer", "the partner"])
def test_someone_who_has_a_partner_already_cannot_link_another(actor, anna, ben, cara, who):
    link(actor, cara, anna if who == "the customer" else ben, primary=cara)
    error = refused(lambda: link(actor, anna, ben, primary=anna), "already shares an account")
    assert "Cara Jones" in error.message and "unlink them first" in error.message


def test_linking_the_two_who_share_already_is_refused(actor, anna, ben):
    link(actor, anna, ben, primary=anna)
    refused(lambda: link(actor, anna, ben, primary=ben), "already shares an account")


def test_a_customer_is_not_their_own_partner(actor, anna):
    charge(actor, anna, 100)
    refused(lambda: link(actor, anna, anna, primary=anna), "someone else")


def test_the_primary_is_one_of_the_two(actor, anna, ben, cara):
    refused(
        lambda: services.link_partner(
            actor=actor,
            customer_id=anna.pk,
            partner_id=ben.pk,
            primary_id=cara.pk,
            token=services.holders_token(anna.pk, ben.pk),
        ),
        "Choose which of the two",
    )


@pytest.mark.parametrize(
    ("state", "match"), [("merged", "merged into another account"), ("archived", "archived")]
)
@pytest.mark.parametrize("who", ["the customer", "the partner"])
def test_a_merged_or_archived_customer_cannot_be_linked(actor, anna, ben, cara, state, match, who):
    charge(actor, anna, 100)
    target = anna if who == "the customer" else ben
    if state == "merged":
        Customer.objects.filter(pk=target.pk).update(merged_into=cara, merged_at=timezone.now())
    else:
        Customer.objects.filter(pk=target.pk).update(archived_at=timezone.now())
    refused(lambda: link(actor, anna, ben, primary=anna), match)


def test_a_customer_who_does_not_exist_cannot_be_linked(actor, anna):
    refused(
        lambda: services.link_partner(
            actor=actor, customer_id=anna.pk, partner_id=999_999, primary_id=anna.pk, token=""
        ),
        "does not exist",
    )


# Unlinking --------------------------------------------------------------------------------


@pytest.fixture
def shared(actor, anna, ben):
    """Anna (primary) and Ben share an account owing 13.00 with 2.50 of store credit."""
    with_balances(actor, anna, 1000, 200)
    with_balances(actor, ben, 300, 50)
    return link(actor, anna, ben, primary=anna)


@pytest.mark.parametrize("from_side", ["primary", "partner"])
def test_unlinking_from_either_side_leaves_the_balances_with_the_primary(actor, anna, ben, shared, from_side):
    since = last_entry_id()
    services.unlink_partner(actor=actor, customer_id=(anna if from_side == "primary" else ben).pk)
    assert holders(shared) == {anna.pk: True}
    assert balances(anna) == (1300, 250)
    assert account_of(ben) is None
    assert new_entries(since) == []
    for customer in (anna, ben):
        assert lines(customer, "billing.partner_unlinked") == [
            "Ben Smith no longer shares Anna Smith's account."
        ]


@pytest.mark.parametrize("from_side", ["primary", "partner"])
def test_a_split_goes_with_the_partner_to_a_new_account_by_transfers(actor, anna, ben, shared, from_side):
    since = last_entry_id()
    services.unlink_partner(
        actor=actor, customer_id=(anna if from_side == "primary" else ben).pk, house=450, credit=25
    )
    own = account_of(ben)
    assert own not in (None, shared)
    assert holders(own) == {ben.pk: True}
    assert balances(ben) == (450, 25)
    assert balances(anna) == (1300 - 450, 250 - 25)
    made = new_entries(since)
    assert len(made) == 4
    assert_transferred(
        transfer_pairs(*made), source=shared, target=own, customer_id=ben.pk, house=450, credit=25
    )
    for customer in (anna, ben):
        assert lines(customer, "billing.partner_unlinked") == [
            "Ben Smith no longer shares Anna Smith's account. "
            "£4.50 owed and £0.25 of store credit went with Ben Smith."
        ]


def test_the_whole_balance_may_be_split(actor, anna, ben, shared):
    services.unlink_partner(actor=actor, customer_id=ben.pk, house=1300, credit=250)
    assert balances(anna) == (0, 0) and balances(ben) == (1300, 250)


@pytest.mark.parametrize(
    ("house", "credit", "match"),
    [
        (1301, 0, "Only £13.00 is owed"),
        (0, 251, "only £2.50 of store credit"),
        (-1, 0, "zero or more"),
        (0, 1.5, "zero or more"),
        (0, services.MAX_AMOUNT + 1, "zero or more"),
    ],
)
def test_a_split_that_is_not_there_is_refused(actor, anna, ben, shared, house, credit, match):
    refused(
        lambda: services.unlink_partner(actor=actor, customer_id=ben.pk, house=house, credit=credit), match
    )


def test_unlinking_who_is_not_linked_is_refused(actor, anna, ben, cara, shared):
    charge(actor, cara, 100)  # an account of her own, shared with nobody
    for customer in (cara, CustomerFactory()):  # the second has no account at all
        refused(
            lambda customer=customer: services.unlink_partner(actor=actor, customer_id=customer.pk),
            "does not share an account",
        )
    services.unlink_partner(actor=actor, customer_id=ben.pk)
    refused(lambda: services.unlink_partner(actor=actor, customer_id=anna.pk), "does not share an account")


def test_unlinking_from_a_stale_page_is_refused(actor, anna, ben, shared):
    version = account_of(anna).version
    charge(actor, ben, 100)
    refused(
        lambda: services.unlink_partner(actor=actor, customer_id=ben.pk, house=100, version=version),
        "changed since",
        StaleEdit,
    )


def test_unlinking_from_a_page_loaded_before_the_partner_changed_is_refused(actor, anna, ben, cara, shared):
    version = account_of(anna).version  # the page shows Ben as the partner
    services.unlink_partner(actor=actor, customer_id=ben.pk)  # another desk: Ben leaves...
    link(actor, anna, cara, primary=anna)  # ...and Cara joins
    refused(
        lambda: services.unlink_partner(actor=actor, customer_id=anna.pk, version=version),
        "changed since",
        StaleEdit,
    )


# The primary ------------------------------------------------------------------------------


def test_set_primary_swaps_the_two(actor, anna, ben, shared):
    version = shared.version
    services.set_primary(actor=actor, customer_id=ben.pk, version=version)
    assert holders(shared) == {ben.pk: True, anna.pk: False}
    assert balances(ben) == (1300, 250)
    assert account_of(ben).version == version + 1
    for customer in (anna, ben):
        assert lines(customer, "billing.primary") == [
            "Ben Smith is now the Primary Account of the shared account."
        ]
    # From now on the balances stay with Ben when the two part.
    services.unlink_partner(actor=actor, customer_id=ben.pk)
    assert holders(shared) == {ben.pk: True} and account_of(anna) is None


def test_set_primary_keeps_when_each_joined(actor, anna, ben, shared):
    since = dict(AccountHolder.objects.values_list("customer_id", "since"))
    services.set_primary(actor=actor, customer_id=ben.pk)
    assert dict(AccountHolder.objects.values_list("customer_id", "since")) == since


def test_set_primary_refuses_the_primary(actor, anna, ben, shared):
    refused(lambda: services.set_primary(actor=actor, customer_id=anna.pk), "is the Primary Account already")


def test_set_primary_refuses_who_shares_with_nobody(actor, anna, cara, shared):
    charge(actor, cara, 100)
    refused(lambda: services.set_primary(actor=actor, customer_id=cara.pk), "does not share an account")


def test_set_primary_from_a_stale_page_is_refused(actor, anna, ben, shared):
    version = shared.version
    charge(actor, anna, 1)
    refused(
        lambda: services.set_primary(actor=actor, customer_id=ben.pk, version=version),
        "changed since",
        StaleEdit,
    )


def test_nothing_about_partners_changes_the_ledger_it_only_adds(actor, anna, ben, cara, shared):
    before = {row["id"]: row for row in books()["entries"]}
    services.set_primary(actor=actor, customer_id=ben.pk)
    services.unlink_partner(actor=actor, customer_id=anna.pk, house=100)
    link(actor, cara, anna, primary=cara)
    after = {row["id"]: row for row in books()["entries"]}
    assert {pk: after[pk] for pk in before} == before
