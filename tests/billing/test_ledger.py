"""The ledger: each posting moves one balance by its amount, under the account's rules, and
is never changed afterwards; corrections are new entries (adjustments and reversals)."""

import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError, Sum
from django.utils import timezone

from billing import services
from billing.models import Account, AccountHolder, Entry, Kind
from billing.money import format_money, parse_money
from billing.services import CREDIT, HOUSE, MAX_AMOUNT, AlreadyPosted
from core.errors import StaleEdit
from customers.merging import merge_token
from customers.models import Activity, Customer
from customers.services import merge_customers
from tests.billing.helpers import (
    account_of,
    balances,
    books,
    charge,
    holders,
    issue,
    lines,
    link,
    post,
    refused,
)
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

#: What each everyday posting of 12.50 does to (house, credit), and the History line it writes.
POSTINGS = {
    Kind.CHARGE: ((1250, 0), "Charged £12.50 to the house account"),
    Kind.PAYMENT: ((-1250, 0), "Took a payment of £12.50 on the house account"),
    Kind.CREDIT_ISSUED: ((0, 1250), "Issued £12.50 of store credit"),
    Kind.CREDIT_REDEEMED: ((0, -1250), "Redeemed £12.50 of store credit"),
}


# Posting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(POSTINGS))
def test_each_posting_moves_one_balance_by_its_amount(actor, anna, kind):
    charge(actor, anna, 5000)
    issue(actor, anna, 3000)
    (house, credit), words = POSTINGS[kind]
    entry = post(actor, anna, kind, 1250, memo="  Towels  ")
    account = account_of(anna)
    assert (account.house_balance, account.credit_balance) == (5000 + house, 3000 + credit)
    entry.refresh_from_db()
    assert (entry.kind, entry.amount, entry.house_change, entry.credit_change) == (kind, 1250, house, credit)
    assert (entry.house_after, entry.credit_after) == (account.house_balance, account.credit_balance)
    assert (entry.account, entry.customer, entry.posted_by, entry.memo) == (account, anna, actor, "Towels")
    assert entry.reverses is None and entry.counterpart is None
    assert lines(anna, "billing.posted")[-1] == f"{words}: Towels."


def test_the_first_posting_opens_an_account_with_the_customer_as_primary(actor, anna):
    assert account_of(anna) is None
    entry = charge(actor, anna, 999)
    account = account_of(anna)
    assert holders(account) == {anna.pk: True}
    assert entry.account == account
    assert (account.house_balance, account.credit_balance, account.credit_limit) == (999, 0, None)
    assert lines(anna, "billing.posted") == ["Charged £9.99 to the house account."]
    charge(actor, anna, 1)
    assert Account.objects.count() == 1  # the second posting goes to the same account


def test_a_posting_for_one_partner_is_in_the_history_of_both(actor, anna, ben):
    charge(actor, anna, 100)
    link(actor, anna, ben, primary=anna)
    entry = charge(actor, ben, 250)
    assert entry.customer == ben and entry.account == account_of(anna)
    assert balances(anna) == balances(ben) == (350, 0)
    for customer in (anna, ben):  # partners see each other's spending
        assert lines(customer, "billing.posted")[-1] == "Charged £2.50 to the house account."
    assert Activity.objects.filter(kind="billing.posted", customer=ben).count() == 1


def test_an_anonymous_actor_posts_with_no_name_on_the_entry(anna):
    entry = services.post(actor=AnonymousUser(), customer_id=anna.pk, kind=Kind.CHARGE, amount=10)
    assert entry.posted_by is None


@pytest.mark.parametrize(
    ("amount", "match"),
    [
        (0, "above zero"),
        (-500, "above zero"),
        (MAX_AMOUNT + 1, r"at most £1,000,000\.00"),
        (12.5, "above zero"),
        (Decimal("12.50"), "above zero"),
        ("1250", "above zero"),
        (None, "above zero"),
    ],
)
@pytest.mark.parametrize("kind", list(POSTINGS))
def test_amounts_that_are_not_whole_minor_units_within_bounds_are_refused(actor, anna, kind, amount, match):
    charge(actor, anna, 5000)
    issue(actor, anna, 5000)
    refused(lambda: post(actor, anna, kind, amount), match)


def test_a_bool_is_not_an_amount(actor, anna):
    refused(lambda: post(actor, anna, Kind.CHARGE, True), "above zero")


def test_the_largest_amount_is_allowed(actor, anna):
    charge(actor, anna, MAX_AMOUNT)
    assert balances(anna) == (MAX_AMOUNT, 0)


def test_an_unknown_kind_cannot_be_posted(actor, anna):
    for kind in (Kind.ADJUSTMENT, Kind.TRANSFER, Kind.REVERSAL, "gift"):
        refused(lambda kind=kind: post(actor, anna, kind, 100), "Choose what to post")


def test_redeeming_more_credit_than_there_is_is_refused(actor, anna):
    issue(actor, anna, 1000)
    error = refused(lambda: post(actor, anna, Kind.CREDIT_REDEEMED, 1001), "store credit")
    assert error.message == "There is only £10.00 of store credit; £10.01 cannot be redeemed."
    post(actor, anna, Kind.CREDIT_REDEEMED, 1000)  # all of it is fine
    assert balances(anna) == (0, 0)


def test_a_payment_larger_than_what_is_owed_is_refused(actor, anna):
    charge(actor, anna, 2000)
    error = refused(lambda: post(actor, anna, Kind.PAYMENT, 2001), "below nothing")
    assert "£20.00 is owed" in error.message
    post(actor, anna, Kind.PAYMENT, 2000)
    assert balances(anna) == (0, 0)


@pytest.mark.parametrize("kind", [Kind.PAYMENT, Kind.CREDIT_REDEEMED])
def test_a_refused_first_posting_opens_no_account(actor, anna, kind):
    refused(lambda: post(actor, anna, kind, 100), "below nothing|store credit")
    assert not Account.objects.exists()


def test_a_charge_over_the_credit_limit_is_refused(actor, anna):
    charge(actor, anna, 3000)
    account = account_of(anna)
    services.set_credit_limit(actor=actor, customer_id=anna.pk, limit=5000, version=account.version)
    error = refused(lambda: charge(actor, anna, 2001), "credit limit")
    assert error.message == (
        "That would take the house account over its credit limit of £50.00: £30.00 is owed already."
    )
    charge(actor, anna, 2000)  # up to the limit exactly is fine
    assert balances(anna) == (5000, 0)


@pytest.mark.parametrize(
    ("who", "match"), [("merged", "merged into another account"), ("archived", "archived")]
)
def test_a_merged_or_archived_customer_without_an_account_cannot_open_one(actor, anna, who, match):
    if who == "merged":
        Customer.objects.filter(pk=anna.pk).update(merged_into=CustomerFactory(), merged_at=timezone.now())
    else:
        Customer.objects.filter(pk=anna.pk).update(archived_at=timezone.now())
    refused(lambda: charge(actor, anna, 100), match)


def test_a_customer_who_does_not_exist_is_refused(actor):
    refused(lambda: services.post(actor=actor, customer_id=999_999, kind=Kind.CHARGE, amount=1), "not exist")


# Adjusting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "amount", "expected", "words"),
    [
        (HOUSE, 700, (1700, 500), "Adjusted the house account up by £7.00: Goodwill."),
        (HOUSE, -700, (300, 500), "Adjusted the house account down by £7.00: Goodwill."),
        (CREDIT, 200, (1000, 700), "Adjusted the store credit up by £2.00: Goodwill."),
        (CREDIT, -200, (1000, 300), "Adjusted the store credit down by £2.00: Goodwill."),
    ],
)
def test_an_adjustment_moves_either_balance_either_way(manager_user, anna, balance, amount, expected, words):
    charge(manager_user, anna, 1000)
    issue(manager_user, anna, 500)
    entry = services.adjust(
        actor=manager_user, customer_id=anna.pk, balance=balance, amount=amount, memo=" Goodwill "
    )
    assert balances(anna) == expected
    change = (amount, 0) if balance == HOUSE else (0, amount)
    assert (entry.kind, entry.amount, (entry.house_change, entry.credit_change)) == (
        Kind.ADJUSTMENT,
        abs(amount),
        change,
    )
    assert (entry.house_after, entry.credit_after) == expected
    assert entry.memo == "Goodwill"
    assert lines(anna, "billing.adjusted") == [words]


@pytest.mark.parametrize(
    ("balance", "amount", "memo", "match"),
    [
        (HOUSE, 100, "", "Say why"),
        (HOUSE, 100, "   ", "Say why"),
        ("limit", 100, "Goodwill", "Choose which balance"),
        (HOUSE, 0, "Goodwill", "above zero"),
        (HOUSE, MAX_AMOUNT + 1, "Goodwill", "at most"),
        (CREDIT, -(MAX_AMOUNT + 1), "Goodwill", "at most"),
        (HOUSE, 1.5, "Goodwill", "above zero"),
        (HOUSE, -1001, "Goodwill", "below nothing"),
        (CREDIT, -501, "Goodwill", "store credit"),
    ],
)
def test_refused_adjustments_change_nothing(manager_user, anna, balance, amount, memo, match):
    charge(manager_user, anna, 1000)
    issue(manager_user, anna, 500)
    refused(
        lambda: services.adjust(
            actor=manager_user, customer_id=anna.pk, balance=balance, amount=amount, memo=memo
        ),
        match,
    )


# Reversing --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(POSTINGS))
def test_a_reversal_undoes_its_entry_and_points_at_it(manager_user, anna, kind):
    charge(manager_user, anna, 5000)
    issue(manager_user, anna, 5000)
    original = post(manager_user, anna, kind, 1250)
    before = balances(anna)
    reversal = services.reverse(actor=manager_user, entry_id=original.pk, memo="Keyed twice")
    (house, credit), _ = POSTINGS[kind]
    assert balances(anna) == (before[0] - house, before[1] - credit)
    assert reversal.reverses == original and original.reversed_by == reversal
    assert (reversal.kind, reversal.amount) == (Kind.REVERSAL, 1250)
    assert (reversal.house_change, reversal.credit_change) == (-house, -credit)
    assert (reversal.house_after, reversal.credit_after) == balances(anna)
    assert reversal.customer == original.customer and reversal.account == original.account
    line = lines(anna, "billing.reversed")[-1]
    assert line.startswith(f"Reversed the {original.get_kind_display().lower()} of £12.50 of ")
    assert line.endswith(": Keyed twice.")


def test_an_adjustment_can_be_reversed(manager_user, anna):
    charge(manager_user, anna, 1000)
    adjustment = services.adjust(
        actor=manager_user, customer_id=anna.pk, balance=HOUSE, amount=-400, memo="Goodwill"
    )
    reversal = services.reverse(actor=manager_user, entry_id=adjustment.pk)
    assert (reversal.house_change, reversal.credit_change, reversal.amount) == (400, 0, 400)
    assert balances(anna) == (1000, 0)


def test_an_entry_is_reversed_at_most_once(manager_user, anna):
    original = charge(manager_user, anna, 1000)
    services.reverse(actor=manager_user, entry_id=original.pk)
    refused(lambda: services.reverse(actor=manager_user, entry_id=original.pk), "reversed already")


def test_a_reversal_is_not_reversed(manager_user, anna):
    reversal = services.reverse(actor=manager_user, entry_id=charge(manager_user, anna, 1000).pk)
    refused(
        lambda: services.reverse(actor=manager_user, entry_id=reversal.pk), "A reversal cannot be reversed"
    )


def test_a_transfer_is_not_reversed(manager_user, anna, ben):
    charge(manager_user, anna, 100)
    charge(manager_user, ben, 300)
    link(manager_user, anna, ben, primary=anna)
    for transfer in Entry.objects.filter(kind=Kind.TRANSFER):
        refused(
            lambda transfer=transfer: services.reverse(actor=manager_user, entry_id=transfer.pk),
            "A transfer cannot be reversed",
        )


def test_an_entry_that_does_not_exist_is_not_reversed(manager_user):
    refused(lambda: services.reverse(actor=manager_user, entry_id=999_999), "does not exist")


def test_reversing_a_payment_is_fine_but_a_charge_already_paid_off_is_not(manager_user, anna):
    first = charge(manager_user, anna, 3000)
    payment = post(manager_user, anna, Kind.PAYMENT, 3000)
    # Undoing the charge would leave -£30.00 owed: refused, with the reason.
    refused(lambda: services.reverse(actor=manager_user, entry_id=first.pk), "below nothing")
    services.reverse(actor=manager_user, entry_id=payment.pk)  # the payment bounced
    assert balances(anna) == (3000, 0)
    services.reverse(actor=manager_user, entry_id=first.pk)  # and now the charge can go
    assert balances(anna) == (0, 0)


def test_reversing_credit_already_spent_is_refused(manager_user, anna):
    issued = issue(manager_user, anna, 1000)
    post(manager_user, anna, Kind.CREDIT_REDEEMED, 600)
    refused(lambda: services.reverse(actor=manager_user, entry_id=issued.pk), "store credit")


@pytest.mark.parametrize("left_by", ["merge", "partner link"])
def test_reversing_an_entry_on_an_account_nobody_holds_is_refused(manager_user, anna, ben, left_by):
    charge(manager_user, anna, 100)
    charge(manager_user, ben, 5000)
    payment = post(manager_user, ben, Kind.PAYMENT, 2000)
    left = payment.account
    if left_by == "merge":
        anna.refresh_from_db(), ben.refresh_from_db()
        merge_customers(
            actor=manager_user, survivor_id=anna.pk, absorbed_id=ben.pk, token=merge_token(anna, ben)
        )
    else:
        link(manager_user, anna, ben, primary=anna)
    assert not left.holders.exists() and balances(anna) == (3100, 0)
    refused(lambda: services.reverse(actor=manager_user, entry_id=payment.pk), "an account nobody holds")
    left.refresh_from_db()
    assert (left.house_balance, left.credit_balance) == (0, 0)


# A form sent twice ------------------------------------------------------------------------


def test_a_form_sent_twice_posts_once(actor, anna):
    key = uuid.uuid4()
    post(actor, anna, Kind.CHARGE, 500, key=key)
    before = books()
    with pytest.raises(AlreadyPosted, match="posted already") as again:
        post(actor, anna, Kind.CHARGE, 500, key=key)
    assert again.value.status == 200  # not an error page: the first one did it
    assert books() == before
    assert Entry.objects.get().request_key == key and balances(anna) == (500, 0)


def test_the_same_key_on_another_action_posts_nothing(manager_user, anna):
    key = uuid.uuid4()
    entry = post(manager_user, anna, Kind.CHARGE, 500, key=key)
    with pytest.raises(AlreadyPosted):
        services.reverse(actor=manager_user, entry_id=entry.pk, key=key)
    with pytest.raises(AlreadyPosted):
        services.adjust(actor=manager_user, customer_id=anna.pk, balance=HOUSE, amount=5, memo="x", key=key)
    assert Entry.objects.count() == 1


def test_a_refused_posting_does_not_use_up_its_key(actor, anna):
    key = uuid.uuid4()
    refused(lambda: post(actor, anna, Kind.PAYMENT, 500, key=key), "below nothing")
    charge(actor, anna, 500)
    post(actor, anna, Kind.PAYMENT, 500, key=key)  # the corrected form, sent again, posts
    assert balances(anna) == (0, 0)


# Entries never change ---------------------------------------------------------------------


def _entries():
    return list(Entry.objects.order_by("pk").values())


def test_an_entry_cannot_be_changed_or_deleted_through_the_model(actor, anna):
    entry = charge(actor, anna, 500)
    before = _entries()
    entry.amount = 1
    with pytest.raises(TypeError, match="never changed"):
        entry.save()
    with pytest.raises(TypeError, match="never changed"):
        entry.save(update_fields=["amount"])
    with pytest.raises(TypeError, match="never deleted"):
        entry.delete()
    assert _entries() == before


def test_entries_cannot_be_changed_or_deleted_through_a_queryset(actor, anna):
    entry = charge(actor, anna, 500)
    before = _entries()
    account = entry.account
    for attempt in (
        lambda: Entry.objects.filter(pk=entry.pk).update(amount=1),
        lambda: Entry.objects.all().update(memo="changed"),
        lambda: account.entries.update(memo="changed"),
        lambda: Entry.objects.bulk_update([entry], ["memo"]),
    ):
        # bulk_update opens atomic(savepoint=False): its own savepoint keeps the test's going.
        with pytest.raises(TypeError, match="never changed"), transaction.atomic():
            attempt()
    for attempt in (
        lambda: Entry.objects.filter(pk=entry.pk).delete(),
        lambda: account.entries.all().delete(),
    ):
        with pytest.raises(TypeError, match="never deleted"):
            attempt()
    assert _entries() == before


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE billing_entry SET memo = 'changed'",
        "UPDATE billing_entry SET amount = amount",  # even a change that changes nothing
        "DELETE FROM billing_entry",
    ],
)
def test_on_postgres_the_database_refuses_to_change_or_delete_an_entry(on_postgres, actor, anna, sql):
    charge(actor, anna, 500)
    before = _entries()
    with (
        pytest.raises(DatabaseError, match="never changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert _entries() == before


def test_on_postgres_the_base_manager_cannot_change_an_entry_either(on_postgres, actor, anna):
    """Django's own machinery (cascades, merges) writes through `_base_manager`, which skips
    the queryset's guard: the trigger still stops it."""
    entry = charge(actor, anna, 500)
    before = _entries()
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry._base_manager.filter(pk=entry.pk).update(memo="changed")
    assert _entries() == before


def test_a_staff_user_who_posted_an_entry_cannot_be_deleted_from_under_it(anna):
    clerk = UserFactory(username="clerk")
    charge(clerk, anna, 500)
    before = _entries()
    with pytest.raises(ProtectedError), transaction.atomic():
        clerk.delete()
    assert _entries() == before


# The balances are the sums of the entries --------------------------------------------------


def test_balances_are_the_sums_of_the_entries_and_the_last_entrys_after(manager_user, anna, ben):
    charge(manager_user, anna, 4000)
    issue(manager_user, anna, 1500)
    payment = post(manager_user, anna, Kind.PAYMENT, 1000)
    post(manager_user, anna, Kind.CREDIT_REDEEMED, 500)
    services.adjust(actor=manager_user, customer_id=anna.pk, balance=CREDIT, amount=250, memo="Sorry")
    services.reverse(actor=manager_user, entry_id=payment.pk)
    charge(manager_user, ben, 700)
    link(manager_user, anna, ben, primary=ben)
    services.unlink_partner(actor=manager_user, customer_id=anna.pk, house=1000, credit=100)
    for account in Account.objects.all():
        sums = account.entries.aggregate(house=Sum("house_change"), credit=Sum("credit_change"))
        assert (account.house_balance, account.credit_balance) == (sums["house"] or 0, sums["credit"] or 0)
        last = account.entries.order_by("-pk").first()
        if last is not None:
            assert (last.house_after, last.credit_after) == (account.house_balance, account.credit_balance)
    # Only anna's own account was left behind, with nothing in it; the money is where it went.
    assert balances(ben) == (4000 + 700 - 1000, 1250 - 100)
    assert balances(anna) == (1000, 100)


# Credit limits ----------------------------------------------------------------------------


def test_setting_a_credit_limit(manager_user, anna):
    charge(manager_user, anna, 3000)
    account = account_of(anna)
    services.set_credit_limit(actor=manager_user, customer_id=anna.pk, limit=3000, version=account.version)
    changed = account_of(anna)
    assert (changed.credit_limit, changed.version) == (3000, account.version + 1)
    services.set_credit_limit(actor=manager_user, customer_id=anna.pk, limit=None, version=changed.version)
    assert account_of(anna).credit_limit is None
    assert lines(anna, "billing.limit") == ["Set the credit limit to £30.00.", "Removed the credit limit."]


def test_a_credit_limit_from_a_stale_form_is_refused(manager_user, anna):
    charge(manager_user, anna, 3000)
    version = account_of(anna).version
    charge(manager_user, anna, 100)  # another desk posted meanwhile
    error = refused(
        lambda: services.set_credit_limit(
            actor=manager_user, customer_id=anna.pk, limit=5000, version=version
        ),
        "changed since",
        StaleEdit,
    )
    assert error.status == 409


@pytest.mark.parametrize(
    ("limit", "match"),
    [
        (2999, "is owed already"),
        (-1, "zero or more"),
        (1.5, "zero or more"),
        (MAX_AMOUNT + 1, "zero or more"),
    ],
)
def test_a_credit_limit_below_what_is_owed_or_not_an_amount_is_refused(manager_user, anna, limit, match):
    charge(manager_user, anna, 3000)
    version = account_of(anna).version
    refused(
        lambda: services.set_credit_limit(
            actor=manager_user, customer_id=anna.pk, limit=limit, version=version
        ),
        match,
    )


# Money as typed and shown -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "shown"),
    [(0, "£0.00"), (5, "£0.05"), (1250, "£12.50"), (120000, "£1,200.00"), (-5, "−£0.05"), (None, "")],
)
def test_format_money(cents, shown):
    assert format_money(cents) == shown


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("12.5", 1250),
        ("12.50", 1250),
        ("12", 1200),
        ("0.01", 1),
        ("£1,200.00", 120000),
        ("1,200", 120000),
        (" £ 1200 ", 120000),
    ],
)
def test_parse_money(typed, cents):
    assert parse_money(typed) == cents


@pytest.mark.parametrize(
    ("typed", "match"),
    [
        ("1.234", "two decimal places"),
        ("0.001", "two decimal places"),
        ("abc", "such as 12.50"),
        ("", "such as 12.50"),
        (None, "such as 12.50"),
        ("12.50p", "such as 12.50"),
        ("$12", "such as 12.50"),
        ("NaN", "such as 12.50"),
        ("sNaN", "such as 12.50"),
        ("Infinity", "such as 12.50"),
        ("-Infinity", "such as 12.50"),
        # Read as amounts before money was parsed strictly (issue 15): refused rather than guessed.
        (" £ 1 200 ", "such as 12.50"),
        ("1200.", "such as 12.50"),
    ],
)
def test_what_is_not_an_amount_of_money_is_refused_with_words(typed, match):
    with pytest.raises(ValueError, match=match):
        parse_money(typed)


@pytest.mark.parametrize("typed", ["1e30", "12345678901234567890123456789"])
def test_a_number_too_large_to_be_money_is_refused_with_words(typed):
    with pytest.raises(ValueError, match="Enter an amount"):
        parse_money(typed)


@pytest.mark.parametrize("cents", [0, 1, 99, 100, 1250, 123456789, MAX_AMOUNT])
def test_what_is_shown_reads_back_as_the_same_amount(cents):
    assert parse_money(format_money(cents)) == cents


def test_an_account_holder_is_one_per_customer(actor, anna):
    """Rule 6 in the schema: a second place for the same customer is refused by the database."""
    charge(actor, anna, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountHolder.objects.create(account=Account.objects.create(), customer=anna, is_primary=True)
