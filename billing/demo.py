"""The demo's accounts: a few months of realistic postings, and two couples sharing an account."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from waffle.models import Switch

from billing import queries, services
from billing.features import BILLING
from billing.models import Account, Entry, Kind
from customers.models import Customer

MEMOS = {
    Kind.CHARGE: (
        "Haircut and blow-dry",
        "Monthly membership",
        "Personal training session",
        "Colour and cut",
        "Massage, 60 minutes",
        "Retail: shampoo",
        "Class pack",
    ),
    Kind.PAYMENT: ("Card at the desk", "Bank transfer", "Cash"),
    Kind.CREDIT_ISSUED: ("Gift card", "Apology for a late start", "Loyalty reward"),
    Kind.CREDIT_REDEEMED: ("Used at the desk", "Towards a treatment"),
}
PRICES = (1500, 2500, 3500, 4500, 6000, 7500, 1200)


def make_accounts(stdout):
    """Switch billing on; give 24 customers a history and link two couples, once."""
    Switch.objects.update_or_create(name=BILLING, defaults={"active": True})
    if Account.objects.exists():
        return
    desk = get_user_model().objects.filter(username="frontdesk").first()
    rng = random.Random(2026)
    adults = list(
        Customer.objects.filter(merged_into__isnull=True, archived_at__isnull=True, email__gt="")
        .exclude(date_of_birth__gt=timezone.localdate() - timedelta(days=365 * 20))
        .order_by("pk")[:400]
    )
    if len(adults) < 30:
        stdout.write("  Too few demo customers for the demo accounts; none made.")
        return
    chosen = rng.sample(adults, 24)
    for customer in chosen:
        for _ in range(rng.randint(4, 14)):
            _post_something(rng, desk, customer)
    couples = _couples(adults, exclude={c.pk for c in chosen})[:2]
    for one, two in couples:
        for customer in (one, two):
            for _ in range(rng.randint(2, 5)):
                _post_something(rng, desk, customer)
        services.link_partner(
            actor=desk,
            customer_id=one.pk,
            partner_id=two.pk,
            primary_id=one.pk,
            token=services.holders_token(one.pk, two.pk),
        )
        _post_something(rng, desk, two)
    # Backdate nothing: entries are immutable, so their dates are when the demo was loaded.
    stdout.write(
        f"  {Account.objects.count()} accounts with {Entry.objects.count()} ledger entries; "
        f"{len(couples)} couples share an account; billing switched on."
    )


def _post_something(rng, actor, customer):
    balances = queries.balances_of(customer.pk)
    choices = [Kind.CHARGE, Kind.CHARGE, Kind.CREDIT_ISSUED]
    if balances.house:
        choices += [Kind.PAYMENT, Kind.PAYMENT]
    if balances.credit:
        choices.append(Kind.CREDIT_REDEEMED)
    kind = rng.choice(choices)
    amount = rng.choice(PRICES)
    if kind == Kind.PAYMENT:
        amount = min(amount, balances.house)
    if kind == Kind.CREDIT_REDEEMED:
        amount = min(amount, balances.credit)
    services.post(
        actor=actor, customer_id=customer.pk, kind=kind, amount=amount, memo=rng.choice(MEMOS[kind])
    )


def _couples(adults, exclude):
    """Pairs who share an address: the demo's households' adults."""
    by_email = {}
    for customer in adults:
        if customer.pk not in exclude:
            by_email.setdefault(customer.email.lower(), []).append(customer)
    return [people[:2] for people in by_email.values() if len(people) >= 2]
