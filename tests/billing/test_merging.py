"""Merging customers who have accounts: the ledger is never edited (entries keep the customer
they were posted for), an account moves when only the duplicate has one, two accounts combine
by transfers (final: Undo Merge says so), and partners end up as one holder."""

import pytest

from billing.models import AccountHolder, Entry, Kind
from core.errors import KinshipError
from customers import merging
from customers.models import Merge
from customers.queries import merge_preview
from customers.services import merge_customers, undo_merge
from tests.billing.helpers import (
    account_of,
    balances,
    books,
    charge,
    holders,
    issue,
    last_entry_id,
    link,
    new_entries,
    post,
    refused,
    transfer_pairs,
)

pytestmark = pytest.mark.django_db


def merge(actor, survivor, absorbed):
    """Merge as a Manager does: from the preview's token."""
    survivor.refresh_from_db(), absorbed.refresh_from_db()
    preview = merge_preview(survivor, absorbed)
    return merge_customers(
        actor=actor, survivor_id=survivor.pk, absorbed_id=absorbed.pk, token=preview["token"]
    )


def entries_of(customer):
    return list(Entry.objects.filter(customer=customer).order_by("pk").values_list("pk", flat=True))


def test_billing_says_how_a_merge_treats_accounts_and_entries():
    rules = {(model._meta.label, field): rule for model, field, rule in merging.relations()}
    holder, entry = rules[("billing.AccountHolder", "customer")], rules[("billing.Entry", "customer")]
    assert holder.fold is not None and holder.block is not None and not holder.keep
    assert entry.keep  # the ledger is never edited, not even by a merge


def test_an_account_only_the_duplicate_has_moves_to_the_survivor(manager_user, anna, ben):
    charge(manager_user, ben, 700)
    issue(manager_user, ben, 30)
    account, posted = account_of(ben), entries_of(ben)
    assert ["account", 1] in [list(move) for move in merge_preview(anna, ben)["moves"]]
    since = last_entry_id()
    record = merge(manager_user, anna, ben)
    assert account_of(anna) == account and holders(account) == {anna.pk: True}
    assert balances(anna) == (700, 30)
    assert not AccountHolder.objects.filter(customer=ben).exists()
    assert entries_of(ben) == posted and new_entries(since) == []  # entries keep their customer
    # Nothing moved by entries, so the merge can be undone: the account goes back.
    undo_merge(actor=manager_user, merge_id=record.pk)
    assert holders(account) == {ben.pk: True} and account_of(anna) is None


def test_undo_refuses_once_the_survivor_has_posted_to_the_account_that_moved(manager_user, anna, ben):
    charge(manager_user, ben, 700)
    record = merge(manager_user, anna, ben)
    charge(manager_user, anna, 50)  # Anna's own charge, on the account that came from Ben
    refused(lambda: undo_merge(actor=manager_user, merge_id=record.pk), "cannot be undone")


def test_when_both_have_accounts_the_duplicates_balances_move_by_transfers(manager_user, anna, ben):
    charge(manager_user, anna, 1000)
    charge(manager_user, ben, 300)
    issue(manager_user, ben, 80)
    post(manager_user, ben, Kind.CREDIT_REDEEMED, 20)
    mine, theirs, posted = account_of(anna), account_of(ben), entries_of(ben)
    since = last_entry_id()
    merge(manager_user, anna, ben)
    assert balances(anna) == (1300, 60) and holders(mine) == {anna.pk: True}
    theirs.refresh_from_db()
    assert (theirs.house_balance, theirs.credit_balance) == (0, 0) and not theirs.holders.exists()
    # Ben's entries are still Ben's; the transfers say who each side was for.
    assert set(posted) <= set(entries_of(ben))
    made = new_entries(since)
    pairs = transfer_pairs(*made)
    assert len(made) == 4 and len(pairs) == 2
    for out, into in pairs:
        assert (out.account, out.customer, into.account, into.customer) == (theirs, ben, mine, anna)
        assert into.counterpart == out and out.amount == into.amount
        assert (out.house_change, out.credit_change) == (-into.house_change, -into.credit_change)
    assert sorted((into.house_change, into.credit_change) for _, into in pairs) == [(0, 60), (300, 0)]


def test_undo_refuses_a_merge_that_moved_money_and_says_why(manager_user, anna, ben):
    charge(manager_user, anna, 1000)
    charge(manager_user, ben, 300)
    record = merge(manager_user, anna, ben)
    assert Merge.objects.get(pk=record.pk).journal["final"]
    error = refused(lambda: undo_merge(actor=manager_user, merge_id=record.pk), "cannot be undone safely")
    assert "balances were moved" in error.message and "ledger entries" in error.message
    assert not Merge.objects.get(pk=record.pk).is_undone


def test_when_the_duplicates_account_is_empty_nothing_moves_and_undo_puts_it_back(manager_user, anna, ben):
    charge(manager_user, anna, 1000)
    post(manager_user, ben, Kind.CHARGE, 300)
    post(manager_user, ben, Kind.PAYMENT, 300)
    theirs = account_of(ben)
    since = last_entry_id()
    record = merge(manager_user, anna, ben)
    assert new_entries(since) == [] and not theirs.holders.exists()
    undo_merge(actor=manager_user, merge_id=record.pk)
    assert holders(theirs) == {ben.pk: True}
    assert balances(anna) == (1000, 0) and balances(ben) == (0, 0)


@pytest.mark.parametrize("primary", ["the survivor", "the duplicate"])
def test_partners_merged_leave_one_holder_the_primary(manager_user, anna, ben, primary):
    charge(manager_user, anna, 400)
    charge(manager_user, ben, 100)
    shared = link(manager_user, anna, ben, primary=anna if primary == "the survivor" else ben)
    before = balances(anna)
    since = last_entry_id()
    record = merge(manager_user, anna, ben)
    assert holders(shared) == {anna.pk: True}
    assert balances(anna) == before and new_entries(since) == []
    # Nothing moved by entries: undo puts both back as they were.
    undo_merge(actor=manager_user, merge_id=record.pk)
    expected = {anna.pk: True, ben.pk: False} if primary == "the survivor" else {anna.pk: False, ben.pk: True}
    assert holders(shared) == expected


def test_a_duplicate_who_shares_an_account_with_someone_else_blocks_the_merge(manager_user, anna, ben, cara):
    charge(manager_user, anna, 100)
    charge(manager_user, ben, 200)
    link(manager_user, cara, ben, primary=cara)
    reason = "Ben Smith shares an account with Cara Jones: use Unlink Partner Account on it first."
    assert merge_preview(anna, ben)["blockers"] == [reason]
    error = refused(lambda: merge(manager_user, anna, ben), "Unlink Partner Account")
    assert reason in error.message


def test_a_duplicates_shared_account_moves_to_a_survivor_without_one(manager_user, anna, ben, cara):
    """Nothing to combine: the survivor takes the duplicate's place beside the partner."""
    charge(manager_user, ben, 200)
    shared = link(manager_user, cara, ben, primary=cara)
    assert merge_preview(anna, ben)["blockers"] == []
    merge(manager_user, anna, ben)
    assert holders(shared) == {cara.pk: True, anna.pk: False}


def test_a_refused_merge_changes_no_account(manager_user, anna, ben):
    charge(manager_user, anna, 100)
    charge(manager_user, ben, 200)
    before = books()
    with pytest.raises(KinshipError):
        merge_customers(actor=manager_user, survivor_id=anna.pk, absorbed_id=ben.pk, token="stale")
    assert books() == before


def test_the_merge_of_a_duplicate_with_an_account_into_one_with_a_partner(manager_user, anna, ben, cara):
    """The survivor's partner shares what the duplicate owed from now on."""
    charge(manager_user, anna, 100)
    link(manager_user, anna, cara, primary=anna)
    charge(manager_user, ben, 250)
    merge(manager_user, anna, ben)
    assert balances(cara) == balances(anna) == (350, 0)
    assert holders(account_of(anna)) == {anna.pk: True, cara.pk: False}
