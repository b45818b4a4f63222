"""What the billing tests share: the books as rows, refusals that must change nothing, and
short ways to post."""

import pytest

from billing import services
from billing.models import Account, AccountHolder, Entry, Kind
from core.errors import KinshipError
from customers.models import Activity, Customer


def books():
    """Every row a billing action may write, to compare before and after a refusal."""
    return {
        "accounts": list(Account.objects.order_by("pk").values()),
        "holders": list(AccountHolder.objects.order_by("pk").values()),
        "entries": list(Entry.objects.order_by("pk").values()),
        "history": list(Activity.objects.order_by("pk").values_list("pk", flat=True)),
        "customers": list(Customer.objects.order_by("pk").values("pk", "version", "merged_into_id")),
    }


def refused(action, match, error=KinshipError):
    """Run `action`; it must raise `error` with a message matching `match`, and change nothing."""
    before = books()
    with pytest.raises(error, match=match) as raised:
        action()
    assert raised.value.message.strip()
    assert books() == before
    return raised.value


def post(actor, customer, kind, amount, **kwargs):
    return services.post(actor=actor, customer_id=customer.pk, kind=kind, amount=amount, **kwargs)


def charge(actor, customer, amount):
    return post(actor, customer, Kind.CHARGE, amount)


def issue(actor, customer, amount):
    return post(actor, customer, Kind.CREDIT_ISSUED, amount)


def account_of(customer):
    """The customer's account as it is now, or None."""
    holder = AccountHolder.objects.filter(customer=customer).select_related("account").first()
    return holder.account if holder else None


def balances(customer):
    account = account_of(customer)
    return (account.house_balance, account.credit_balance) if account else None


def holders(account):
    """{customer id: is primary} for the account's holders."""
    return dict(AccountHolder.objects.filter(account=account).values_list("customer_id", "is_primary"))


def lines(customer, kind):
    """The customer's History lines of one kind, oldest first."""
    return [line.sentence for line in Activity.objects.filter(customer=customer, kind=kind).order_by("pk")]


def link(actor, customer, partner, *, primary):
    return services.link_partner(
        actor=actor,
        customer_id=customer.pk,
        partner_id=partner.pk,
        primary_id=primary.pk,
        token=services.holders_token(customer.pk, partner.pk),
    )


def transfer_pairs(*entries):
    """The transfers among `entries`, as (outgoing, incoming) pairs found by `counterpart`."""
    transfers = [entry for entry in entries if entry.kind == Kind.TRANSFER]
    by_id = {entry.pk: entry for entry in transfers}
    return [(by_id[entry.counterpart_id], entry) for entry in transfers if entry.counterpart_id]


def new_entries(since):
    """Entries posted after the entry id `since` (0 for all), oldest first."""
    return list(Entry.objects.filter(pk__gt=since).order_by("pk"))


def last_entry_id():
    return Entry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
