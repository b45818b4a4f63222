"""Every write to accounts and the ledger. One function per user action.

Each runs in one transaction, locks what two desks could race for, and writes History on
every customer it touches. Locks are always taken in the same order, so two desks never
deadlock: customers by id, then accounts by id. A posting locks only its account row and
never reads the ledger: the balances on the row are the sums of the entries so far, and the
new entry carries the balances after it.
"""

from django.db import IntegrityError, transaction

from billing.models import Account, AccountHolder, Entry, Kind
from billing.money import MAX_AMOUNT
from billing.money import format_money as money
from core.errors import KinshipError, StaleEdit
from customers.services import lock_customers, record_activity, staff_user

#: What each everyday posting does to the balances: (house, credit) per unit of amount.
EFFECTS = {
    Kind.CHARGE: (1, 0),
    Kind.PAYMENT: (-1, 0),
    Kind.CREDIT_ISSUED: (0, 1),
    Kind.CREDIT_REDEEMED: (0, -1),
}
HOUSE, CREDIT = "house", "credit"


class AlreadyPosted(KinshipError):
    """The form was sent twice (a double click): the first one posted."""

    status = 200


def _holder(customer_id):
    return AccountHolder.objects.select_related("customer").filter(customer_id=customer_id).first()


def _lock_account(account_id):
    return Account.objects.select_for_update().get(pk=account_id)


def _account_for_posting(customer_id, *, posting=True):
    """Lock the customer's account for a posting, opening one if they have none yet.

    The account row is locked; the holder is read again under that lock, so a partner
    unlinked meanwhile posts to their own new account, never to the one they left.
    """
    for _ in range(3):
        holder = _holder(customer_id)
        if holder is None:
            return _open_account(customer_id)
        if posting and holder.customer.is_archived:
            raise KinshipError(
                f"{holder.customer.full_name} is archived; restore them before posting to their account."
            )
        account = _lock_account(holder.account_id)
        if AccountHolder.objects.filter(pk=holder.pk, account=account).exists():
            return account
    raise KinshipError("The account changed while posting; try again.")


def _open_account(customer_id):
    """Open an account with `customer_id` as its primary; the customer row is locked."""
    customer = lock_customers([customer_id], active_for="posting to their account")[int(customer_id)]
    holder = AccountHolder.objects.filter(customer=customer).first()
    if holder is not None:  # another desk opened it while this one waited for the lock
        return _lock_account(holder.account_id)
    account = Account.objects.create()
    AccountHolder.objects.create(account=account, customer=customer, is_primary=True)
    return Account.objects.select_for_update().get(pk=account.pk)


def _not_posted_yet(key):
    """Refuse a form whose one-time key posted already. Asked under the account's lock, so
    the second of a double click waits for the first and sees its entry, before any other
    check could refuse it for the wrong reason."""
    if key is not None and Entry.objects.filter(request_key=key).exists():
        raise AlreadyPosted("That was posted already; it was not posted twice.")


def _write(account, *, customer_id, kind, amount, house, credit, actor, memo, key=None, **links):
    """Add one entry that moves the balances by (house, credit), and keep the row's balances."""
    _not_posted_yet(key)
    if account.house_balance + house < 0:
        raise KinshipError(
            f"That would take the house account below nothing: {money(account.house_balance)} is owed."
        )
    if account.credit_balance + credit < 0:
        raise KinshipError(
            f"There is only {money(account.credit_balance)} of store credit; "
            f"{money(-credit)} cannot be redeemed."
        )
    over_limit = account.credit_limit is not None and account.house_balance + house > account.credit_limit
    if kind == Kind.CHARGE and over_limit:
        raise KinshipError(
            f"That would take the house account over its credit limit of {money(account.credit_limit)}: "
            f"{money(account.house_balance)} is owed already."
        )
    account.house_balance += house
    account.credit_balance += credit
    account.version += 1
    entry = Entry.objects.create(
        account=account,
        customer_id=customer_id,
        kind=kind,
        amount=amount,
        house_change=house,
        credit_change=credit,
        house_after=account.house_balance,
        credit_after=account.credit_balance,
        memo=memo,
        posted_by=staff_user(actor),
        request_key=key,
        **links,
    )
    account.save(update_fields=["house_balance", "credit_balance", "version"])
    return entry


def _is_amount(amount):
    return isinstance(amount, int) and not isinstance(amount, bool)


def _check_amount(amount):
    if not _is_amount(amount) or amount <= 0:
        raise KinshipError("Enter an amount above zero.")
    if amount > MAX_AMOUNT:
        raise KinshipError(f"Enter an amount of at most {money(MAX_AMOUNT)}.")


def _once(key, post):
    """Run `post` unless the form with one-time `key` has posted already."""
    try:
        with transaction.atomic():
            return post()
    except IntegrityError as error:
        if key is not None and Entry.objects.filter(request_key=key).exists():
            raise AlreadyPosted("That was posted already; it was not posted twice.") from None
        raise KinshipError("That could not be posted; nothing was changed. Reload and try again.") from error


def post(*, actor, customer_id, kind, amount, memo="", key=None):
    """Post a charge, a payment, or store credit issued or redeemed, for a customer."""
    if kind not in EFFECTS:
        raise KinshipError("Choose what to post: a charge, a payment, or store credit issued or redeemed.")
    _check_amount(amount)
    house, credit = (amount * unit for unit in EFFECTS[kind])

    def posting():
        account = _account_for_posting(customer_id)
        entry = _write(
            account,
            customer_id=customer_id,
            kind=kind,
            amount=amount,
            house=house,
            credit=credit,
            actor=actor,
            memo=memo.strip(),
            key=key,
        )
        _history(account, actor, "billing.posted", _with_memo({"kind": kind, "amount": amount}, memo))
        return entry

    return _once(key, posting)


def adjust(*, actor, customer_id, balance, amount, memo, key=None):
    """A Manager's adjustment of either balance, up (amount > 0) or down (amount < 0)."""
    if balance not in (HOUSE, CREDIT):
        raise KinshipError("Choose which balance to adjust.")
    if not memo.strip():
        raise KinshipError("Say why the balance is adjusted.")
    _check_amount(abs(amount) if _is_amount(amount) else amount)
    house, credit = (amount, 0) if balance == HOUSE else (0, amount)

    def posting():
        account = _account_for_posting(customer_id)
        entry = _write(
            account,
            customer_id=customer_id,
            kind=Kind.ADJUSTMENT,
            amount=abs(amount),
            house=house,
            credit=credit,
            actor=actor,
            memo=memo.strip(),
            key=key,
        )
        _history(account, actor, "billing.adjusted", _with_memo({"balance": balance, "amount": amount}, memo))
        return entry

    return _once(key, posting)


def reverse(*, actor, entry_id, memo="", key=None):
    """A Manager's reversal: a new entry that undoes one, pointing at it. Each entry is
    reversed at most once; a reversal or a transfer is not reversed this way."""

    def posting():
        original = Entry.objects.filter(pk=entry_id).first()
        if original is None:
            raise KinshipError("That entry does not exist.")
        account = _lock_account(original.account_id)
        _not_posted_yet(key)
        if original.kind in (Kind.REVERSAL, Kind.TRANSFER):
            raise KinshipError(f"A {original.get_kind_display().lower()} cannot be reversed.")
        if not account.holders.exists():
            raise KinshipError(
                "That entry is on an account nobody holds any more: its balances were moved into "
                "another account. Post a correction on that one instead."
            )
        if Entry.objects.filter(reverses=original).exists():
            raise KinshipError("That entry was reversed already.")
        entry = _write(
            account,
            customer_id=original.customer_id,
            kind=Kind.REVERSAL,
            amount=original.amount,
            house=-original.house_change,
            credit=-original.credit_change,
            actor=actor,
            memo=memo.strip(),
            key=key,
            reverses=original,
        )
        reversed_ = {
            "kind": original.kind,
            "amount": original.amount,
            "posted_on": f"{original.posted_at:%Y-%m-%d}",
        }
        _history(account, actor, "billing.reversed", _with_memo(reversed_, memo))
        return entry

    return _once(key, posting)


def set_credit_limit(*, actor, customer_id, limit, version):
    """A Manager sets the most that may be owed on the customer's house account (None: no limit)."""
    if limit is not None and (not _is_amount(limit) or limit < 0 or limit > MAX_AMOUNT):
        raise KinshipError("Enter a credit limit of zero or more, or leave it empty for none.")
    with transaction.atomic():
        account = _account_for_posting(customer_id, posting=False)
        if account.version != version:
            raise StaleEdit("The account changed since you opened it. Reload and try again.")
        if limit is not None and account.house_balance > limit:
            raise KinshipError(f"{money(account.house_balance)} is owed already; the limit cannot be lower.")
        account.credit_limit = limit
        account.version += 1
        account.save(update_fields=["credit_limit", "version"])
        _history(account, actor, "billing.limit", {"limit": limit} if limit is not None else {})
    return account


def _with_memo(data, memo):
    memo = memo.strip()
    return {**data, "memo": memo} if memo else data


def _history(account, actor, action, data):
    """The line goes on every holder of the account: partners see each other's spending."""
    customers = [holder.customer for holder in account.holders.select_related("customer")]
    record_activity(customers=customers, actor=actor, action=action, data=data)


# Partners sharing one account.


def holders_token(*customer_ids):
    """What a partner confirmation was made from: each customer's account and its version.
    If any changes before Confirm, the confirmation is stale."""
    holders = {
        h.customer_id: h
        for h in AccountHolder.objects.select_related("account").filter(customer_id__in=customer_ids)
    }
    parts = []
    for customer_id in customer_ids:
        holder = holders.get(int(customer_id))
        parts.append(
            f"{customer_id}:{holder.account_id}.{holder.account.version}" if holder else f"{customer_id}:-"
        )
    return "|".join(parts)


def lock_holders_of(customer_ids):
    """The holders of these customers, their accounts locked in id order; {customer_id: holder}."""
    holders = {h.customer_id: h for h in AccountHolder.objects.filter(customer_id__in=customer_ids)}
    accounts = {
        a.pk: a
        for a in Account.objects.select_for_update()
        .filter(pk__in={h.account_id for h in holders.values()})
        .order_by("pk")
    }
    for holder in holders.values():
        holder.account = accounts[holder.account_id]
    return holders


def _partner_of(holder):
    return (
        AccountHolder.objects.select_related("customer")
        .filter(account_id=holder.account_id)
        .exclude(pk=holder.pk)
        .first()
    )


def transfer(source, target, *, source_customer_id, target_customer_id, house=0, credit=0, actor, memo):
    """Move `house` and `credit` (each >= 0) from account `source` to `target`, as pairs of
    transfer entries: the one into `target` names the one out of `source` as its counterpart."""
    moved = []
    for change, balance in ((house, "house"), (credit, "credit")):
        if change <= 0:
            continue
        out = _write(
            source,
            customer_id=source_customer_id,
            kind=Kind.TRANSFER,
            amount=change,
            house=-change if balance == "house" else 0,
            credit=-change if balance == "credit" else 0,
            actor=actor,
            memo=memo,
        )
        moved.append(
            _write(
                target,
                customer_id=target_customer_id,
                kind=Kind.TRANSFER,
                amount=change,
                house=change if balance == "house" else 0,
                credit=change if balance == "credit" else 0,
                actor=actor,
                memo=memo,
                counterpart=out,
            )
        )
    return moved


def link_partner(*, actor, customer_id, partner_id, primary_id, token):
    """Two customers share one account from now on: the primary's. The other's own balances
    move into it by transfer entries, as the confirmation showed."""
    customer_id, partner_id, primary_id = int(customer_id), int(partner_id), int(primary_id)
    if customer_id == partner_id:
        raise KinshipError("Choose someone else as the partner.")
    if primary_id not in (customer_id, partner_id):
        raise KinshipError("Choose which of the two is the Primary Account.")
    other_id = partner_id if primary_id == customer_id else customer_id
    with transaction.atomic():
        people = lock_customers([customer_id, partner_id], active_for="sharing an account")
        holders = lock_holders_of([customer_id, partner_id])
        # After the accounts are locked, so no posting the confirmation did not show is moved.
        if holders_token(customer_id, partner_id) != token:
            raise StaleEdit("An account of one of them changed since the confirmation was shown. Look again.")
        for holder in holders.values():
            partner = _partner_of(holder)
            if partner is not None:
                who = people[holder.customer_id].full_name
                raise KinshipError(
                    f"{who} already shares an account with {partner.customer.full_name}; unlink them first."
                )
        primary = holders.get(primary_id)
        account = primary.account if primary else None
        if account is None:
            account = Account.objects.create()
            account = Account.objects.select_for_update().get(pk=account.pk)
            AccountHolder.objects.create(account=account, customer_id=primary_id, is_primary=True)
        own = holders.get(other_id)
        names = f"{people[primary_id].full_name} and {people[other_id].full_name}"
        if own is not None:
            transfer(
                own.account,
                account,
                source_customer_id=other_id,
                target_customer_id=other_id,
                house=own.account.house_balance,
                credit=own.account.credit_balance,
                actor=actor,
                memo=f"Into the account shared by {names}",
            )
            own.delete()
        AccountHolder.objects.create(account=account, customer_id=other_id, is_primary=False)
        _touch(account)  # a form loaded before this link (an Unlink, say) is now stale
        record_activity(
            customers=[people[primary_id], people[other_id]],
            actor=actor,
            action="billing.partner_linked",
            data={"primary": people[primary_id].full_name, "partner": people[other_id].full_name},
        )
    return account


def _lock_shared(customer_id):
    """Lock the customer, their partner and the account they share; ({id: customer},
    {id: holder}). Refuse when they share nothing, or stopped sharing while this waited."""
    holder = _holder(customer_id)
    partner = _partner_of(holder) if holder else None
    if partner is None:
        raise KinshipError("This customer does not share an account with a partner.")
    people = lock_customers([holder.customer_id, partner.customer_id])
    holders = lock_holders_of([holder.customer_id, partner.customer_id])
    if len(holders) != 2 or len({h.account_id for h in holders.values()}) != 1:
        raise StaleEdit("The account changed meanwhile. Reload and try again.")
    return people, holders


def unlink_partner(*, actor, customer_id, house=0, credit=0, version=None):
    """The partner leaves the shared account; the balances stay with the primary, less any
    split (`house`, `credit`) moved to the partner's own new account by transfer entries."""
    for amount in (house, credit):
        if not _is_amount(amount) or amount < 0 or amount > MAX_AMOUNT:
            raise KinshipError("Enter a split of zero or more.")
    with transaction.atomic():
        people, holders = _lock_shared(customer_id)
        account = next(iter(holders.values())).account
        if version is not None and account.version != version:
            raise StaleEdit("The account changed since you opened it. Reload and try again.")
        if house > account.house_balance:
            raise KinshipError(
                f"Only {money(account.house_balance)} is owed; the partner cannot take on more."
            )
        if credit > account.credit_balance:
            raise KinshipError(f"There is only {money(account.credit_balance)} of store credit to split.")
        primary = next(h for h in holders.values() if h.is_primary)
        leaving = next(h for h in holders.values() if not h.is_primary)
        leaving.delete()
        _touch(account)
        if house or credit:
            own = Account.objects.create()
            own = Account.objects.select_for_update().get(pk=own.pk)
            AccountHolder.objects.create(account=own, customer_id=leaving.customer_id, is_primary=True)
            transfer(
                account,
                own,
                source_customer_id=leaving.customer_id,
                target_customer_id=leaving.customer_id,
                house=house,
                credit=credit,
                actor=actor,
                memo="Split on leaving the shared account",
            )
        record_activity(
            customers=[people[primary.customer_id], people[leaving.customer_id]],
            actor=actor,
            action="billing.partner_unlinked",
            data={
                "partner": people[leaving.customer_id].full_name,
                "primary": people[primary.customer_id].full_name,
                "house": house,
                "credit": credit,
            },
        )
    return account


def set_primary(*, actor, customer_id, version=None):
    """Make `customer_id` the Primary Account of the account they share."""
    with transaction.atomic():
        people, holders = _lock_shared(customer_id)
        account = holders[int(customer_id)].account
        if version is not None and account.version != version:
            raise StaleEdit("The account changed since you opened it. Reload and try again.")
        if holders[int(customer_id)].is_primary:
            raise KinshipError(f"{people[int(customer_id)].full_name} is the Primary Account already.")
        # Both rows go and come back swapped: "one primary, one partner" holds at every step.
        kept = list(AccountHolder.objects.filter(account=account))
        AccountHolder.objects.filter(account=account).delete()
        AccountHolder.objects.bulk_create(
            AccountHolder(
                account=account, customer_id=h.customer_id, is_primary=not h.is_primary, since=h.since
            )
            for h in kept
        )
        _touch(account)
        record_activity(
            customers=list(people.values()),
            actor=actor,
            action="billing.primary",
            data={"name": people[int(customer_id)].full_name},
        )
    return account


def _touch(account):
    """Raise the account's version: who shares it changed, so forms loaded before are stale."""
    account.version += 1
    account.save(update_fields=["version"])
