"""Reads the billing pages need, each in a fixed number of queries whatever the ledger's length."""

from dataclasses import dataclass

from billing.models import AccountHolder, Entry
from billing.services import holders_token

#: Ledger lines per page.
LEDGER_PAGE = 20
#: Entries the balance history chart draws.
CHART_POINTS = 60


@dataclass
class AccountView:
    """A customer's place on an account: the account, whether they are its primary, and the
    partner they share it with (None when they have no account, or share it with nobody)."""

    holder: AccountHolder | None
    partner: AccountHolder | None

    @property
    def account(self):
        return self.holder.account if self.holder else None

    @property
    def primary(self):
        if self.holder is None:
            return None
        return self.holder if self.holder.is_primary else self.partner


def account_of(customer):
    """The customer's account and partner: one query."""
    holders = list(
        AccountHolder.objects.filter(account__holders__customer=customer).select_related(
            "account", "customer"
        )
    )
    mine = next((h for h in holders if h.customer_id == customer.pk), None)
    other = next((h for h in holders if h.customer_id != customer.pk), None)
    return AccountView(holder=mine, partner=other)


@dataclass
class LedgerPage:
    entries: list
    #: The id to pass as `before` for the next (older) page; None on the last.
    older: int | None


def ledger_page(account, *, before=None, per_page=LEDGER_PAGE):
    """One page of the ledger, newest first, keyset-paged by id: never counts or skips rows."""
    if account is None:
        return LedgerPage(entries=[], older=None)
    entries = Entry.objects.filter(account=account).select_related("customer", "posted_by", "reversed_by")
    if before is not None:
        entries = entries.filter(pk__lt=before)
    rows = list(entries.order_by("-pk")[: per_page + 1])
    older = rows[per_page - 1].pk if len(rows) > per_page else None
    return LedgerPage(entries=rows[:per_page], older=older)


def chart_entries(account, *, points=CHART_POINTS):
    """The last `points` entries, oldest first, for the balance history chart."""
    if account is None:
        return []
    rows = (
        Entry.objects.filter(account=account)
        .order_by("-pk")
        .only("pk", "posted_at", "house_after", "credit_after")[:points]
    )
    return list(reversed(rows))


def why_not_partners(results):
    """For the customer picker: {customer id: why they cannot share an account}. Two queries."""
    holders = {h.customer_id: h for h in AccountHolder.objects.filter(customer__in=results)}
    shared = set(
        AccountHolder.objects.filter(account_id__in={h.account_id for h in holders.values()})
        .exclude(customer__in=results)
        .values_list("account_id", flat=True)
    ) | _accounts_held_twice(holders.values())
    return {
        holder.customer_id: "Already shares an account with a partner"
        for holder in holders.values()
        if holder.account_id in shared
    }


def _accounts_held_twice(holders):
    seen, twice = set(), set()
    for holder in holders:
        (twice if holder.account_id in seen else seen).add(holder.account_id)
    return twice


def link_preview(customer, partner, primary):
    """What Link Partner Account would do: which balances move into the shared account, by
    transfer entries, and the token that proves at Confirm that nothing changed since."""
    other = partner if primary.pk == customer.pk else customer
    own = AccountHolder.objects.select_related("account").filter(customer=other).first()
    moves = []
    if own is not None:
        if own.account.house_balance:
            moves.append(("owed on house account", own.account.house_balance))
        if own.account.credit_balance:
            moves.append(("of store credit", own.account.credit_balance))
    return {"other": other, "moves": moves, "token": holders_token(customer.pk, partner.pk)}


@dataclass(frozen=True)
class Balances:
    house: int
    credit: int


def balances_of(customer_id):
    """The balances of the customer's account (zero without one), read from the account row."""
    holder = AccountHolder.objects.select_related("account").filter(customer_id=customer_id).first()
    return Balances(holder.account.house_balance, holder.account.credit_balance) if holder else Balances(0, 0)
