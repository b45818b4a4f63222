"""Money in the one currency of `settings.CURRENCY`, held as whole minor units (pence, cents)."""

import re

from django.conf import settings

#: The most one entry may move, in minor units (a million in the currency).
MAX_AMOUNT = 100_000_000
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


def money_input(cents):
    """12345 → "123.45": an amount as an input shows it, which parse_money reads back."""
    return "" if cents is None else f"{cents // 100}.{cents % 100:02d}"


#: What an amount may look like, once the currency sign is taken off: ASCII digits, either
#: plain ("1200") or in correctly placed groups of three ("1,200"), then at most one decimal
#: point with one or two digits. `re.ASCII`, so `\d` is 0-9 only: `Decimal` and `int` would
#: also read "1_000", Arabic-Indic "٣" and full-width "１２" as numbers nobody at a desk meant.
WHOLE = r"(?P<whole>\d{1,3}(?:,\d{3})+|\d+)"
AMOUNT = re.compile(WHOLE + r"(?:\.(?P<part>\d{1,2}))?", re.ASCII)
#: An amount but for its decimals, to say what is wrong with "1.234".
PAST_THE_PENNY = re.compile(WHOLE + r"\.\d{3,}", re.ASCII)
#: A minus sign, ASCII or the one format_money shows, so what is shown always reads back; the
#: forms then refuse a negative amount in their own words.
MINUS = ("-", "\u2212")
NOT_AN_AMOUNT = "Enter an amount such as 12.50."
TO_THE_PENNY = "Enter an amount to the penny, with at most two decimal places."


def parse_money(text):
    """What a receptionist typed ("12.5", "£1,200.00") in minor units; ValueError with words
    to show when it is not an amount of money.

    Strict on purpose: one optional minus sign, the currency's sign (optionally followed by a
    space), then the digits of `AMOUNT`; spaces around the whole are ignored. Anything else
    is refused rather than guessed at ("5,,,0" is not 50, and "1.2.3" is nothing).
    """
    cleaned = (text or "").strip(" ")
    negative = cleaned.startswith(MINUS)
    if negative:
        cleaned = cleaned[1:]
    sign = symbol().strip()
    if sign and cleaned.startswith(sign):
        cleaned = cleaned[len(sign) :].removeprefix(" ")
    match = AMOUNT.fullmatch(cleaned)
    if match is None:
        if PAST_THE_PENNY.fullmatch(cleaned):
            raise ValueError(TO_THE_PENNY)
        raise ValueError(NOT_AN_AMOUNT)
    whole = match["whole"].replace(",", "")
    if len(whole.lstrip("0")) > 15:  # before int(), which refuses strings of thousands of digits
        raise ValueError(f"Enter an amount of at most {format_money(MAX_AMOUNT)}.")
    cents = int(whole) * 100 + int((match["part"] or "0").ljust(2, "0"))
    return -cents if negative else cents
