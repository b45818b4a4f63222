"""What billing writes in a customer's History (see customers/history.py). Amounts are kept
in minor units and put into money when a line is shown."""

from billing.models import Kind
from billing.money import format_money as money
from customers.history import Action, Area, day

#: What an everyday posting did, by the entry's kind.
DESCRIBED = {
    Kind.CHARGE: "Charged {amount} to the house account",
    Kind.PAYMENT: "Took a payment of {amount} on the house account",
    Kind.CREDIT_ISSUED: "Issued {amount} of store credit",
    Kind.CREDIT_REDEEMED: "Redeemed {amount} of store credit",
}


def _with_memo(words, data):
    memo = data.get("memo", "").strip()
    return f"{words}: {memo}." if memo else f"{words}."


def _posted(data):
    return _with_memo(DESCRIBED[data["kind"]].format(amount=money(data["amount"])), data)


def _adjusted(data):
    what = "house account" if data["balance"] == "house" else "store credit"
    way = "up" if data["amount"] > 0 else "down"
    return _with_memo(f"Adjusted the {what} {way} by {money(abs(data['amount']))}", data)


def _reversed(data):
    what = Kind(data["kind"]).label.lower()
    return _with_memo(f"Reversed the {what} of {money(data['amount'])} of {day(data['posted_on'])}", data)


def split_words(house, credit):
    """What a partner took with them on leaving: "£12.00 owed and £5.00 of store credit"."""
    parts = []
    if house:
        parts.append(f"{money(house)} owed")
    if credit:
        parts.append(f"{money(credit)} of store credit")
    return " and ".join(parts).capitalize()


def _partner_unlinked(data):
    house, credit = data.get("house", 0), data.get("credit", 0)
    split = f" {split_words(house, credit)} went with {data['partner']}." if house or credit else ""
    return f"{data['partner']} no longer shares {data['primary']}'s account.{split}"


ACTIONS = [
    Action("billing.posted", Area.MONEY, _posted),
    Action("billing.adjusted", Area.MONEY, _adjusted),
    Action("billing.reversed", Area.MONEY, _reversed),
    Action(
        "billing.limit",
        Area.MONEY,
        ("Set the credit limit to {limit}.", "Removed the credit limit."),
        {"limit": money},
    ),
    Action(
        "billing.partner_linked",
        Area.MONEY,
        "{primary} and {partner} now share {primary}'s account (Primary Account).",
    ),
    Action("billing.partner_unlinked", Area.MONEY, _partner_unlinked),
    Action("billing.primary", Area.MONEY, "{name} is now the Primary Account of the shared account."),
]
