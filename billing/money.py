"""Money in the one currency of `settings.CURRENCY`, held as whole minor units (pence, cents)."""

from decimal import Context, Decimal, InvalidOperation

from django.conf import settings

#: The most one entry may move, in minor units (a million in the currency).
MAX_AMOUNT = 100_000_000
#: Numbers far beyond any amount are refused before they are rounded to the penny.
LARGEST = Decimal(10) ** 15
EXACT = Context(prec=60)
SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "AUD": "A$", "CAD": "C$", "NZD": "NZ$", "IEP": "£"}


def symbol():
    return SYMBOLS.get(settings.CURRENCY, f"{settings.CURRENCY} ")


def format_money(cents):
    """12345 → "£123.45"; negative amounts get a minus sign before the symbol."""
    if cents is None:
        return ""
    sign = "−" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"{sign}{symbol()}{whole:,}.{part:02d}"


def parse_money(text):
    """What a receptionist typed ("12.5", "£1,200.00") in minor units; ValueError with words
    to show when it is not an amount of money."""
    cleaned = (text or "").strip().replace(",", "").replace(" ", "")
    if cleaned.startswith(symbol().strip()):
        cleaned = cleaned[len(symbol().strip()) :]
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("Enter an amount such as 12.50.") from None
    if not value.is_finite():
        raise ValueError("Enter an amount such as 12.50.")
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01"), context=EXACT):
        raise ValueError("Enter an amount to the penny, with at most two decimal places.")
    if abs(value) >= LARGEST:
        raise ValueError(f"Enter an amount of at most {format_money(MAX_AMOUNT)}.")
    return int(value * 100)
