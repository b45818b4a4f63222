"""Money is parsed strictly (issue 15): plain ASCII digits, correctly grouped thousands, at
most one decimal point and two decimal places, and the currency's sign in front. `Decimal`
read "1_000" as £1,000, Arabic-Indic "٣" as £3, and the old clean-up read "5,,,0" as £50.

The property: for any string, parse_money either refuses it (ValueError) or returns whole
pence that format_money shows as an amount parse_money reads back the same, and the string
matches the grammar written out here a second time, independently of billing.money.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st
from waffle.testutils import override_switch

from billing.forms import MoneyField
from billing.money import MAX_AMOUNT, format_money, parse_money
from bookings.features import BOOKINGS
from bookings.models import Service

#: The grammar, written again: spaces around, a minus sign, "£" and a space, then the amount.
GRAMMAR = re.compile(r" *[-\u2212]?(?:£ ?)?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})? *")

REFUSED = [
    "1_000",
    "٣",  # Arabic-Indic three
    "１２",  # full-width digits
    "5,,,0",
    "1,2,3",
    "12,50",  # a decimal comma: ambiguous, so refused rather than read as 1,250
    "1,0000",
    ",100",
    "1.2.3",
    "1e3",
    "1E3",
    "Infinity",
    "-Infinity",
    "NaN",
    "sNaN",
    " 12 34",
    "12.345",
    "12.",
    ".5",
    "+5",
    "--5",
    "£-5",
    "££5",
    "5£",
    "$5",
    "0x10",
    "12\n",
    "1\u00a0000",  # a no-break space between thousands
    "",
    "   ",
]


@pytest.mark.parametrize("typed", REFUSED)
def test_what_is_not_plainly_an_amount_is_refused(typed):
    with pytest.raises(ValueError, match="Enter an amount"):
        parse_money(typed)


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("0", 0),
        ("7", 700),
        ("12.5", 1250),
        ("12.05", 1205),
        ("£12", 1200),
        ("£ 12", 1200),
        ("1,200", 120000),
        ("£1,000,000.00", MAX_AMOUNT),
        ("1000000", MAX_AMOUNT),
        ("007", 700),
        ("-5", -500),  # read, so that the forms can say "above zero"; no form takes it
        ("−£0.05", -5),  # as format_money shows a negative amount
    ],
)
def test_plain_amounts_are_read_exactly(typed, cents):
    assert parse_money(typed) == cents


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_every_amount_shown_reads_back_the_same(cents):
    assert parse_money(format_money(cents)) == cents


def amount_like():
    """Strings near the grammar's edges: digits (of any script), separators, signs, spaces."""
    pieces = st.sampled_from(
        ["0", "1", "5", "9", "12", "345", ",", ",000", ".", ".5", ".05", ".123", "£", "$", "-", "−",
         " ", "_", "e", "٣", "１", "NaN", "Infinity", "\n", "\u202e"]
    )  # fmt: skip
    return st.lists(pieces, max_size=8).map("".join)


def check(text):
    try:
        cents = parse_money(text)
    except ValueError as error:
        refusal = str(error)
    else:
        refusal = None
    if refusal is not None:
        assert refusal.startswith("Enter an amount")  # words a receptionist can act on
        return
    assert isinstance(cents, int)
    assert GRAMMAR.fullmatch(text), f"{text!r} was read as {cents} but is not in the grammar"
    assert parse_money(format_money(cents)) == cents


@given(st.text())
@example("1_000")
@example("٣")
@example("5,,,0")
def test_any_text_is_refused_or_read_exactly(text):
    check(text)


@given(amount_like())
def test_any_amount_like_text_is_refused_or_read_exactly(text):
    check(text)


@given(
    whole=st.integers(min_value=0, max_value=10**9),
    part=st.integers(min_value=0, max_value=99),
    grouped=st.booleans(),
    pence_digits=st.sampled_from([0, 1, 2]),
)
def test_an_amount_written_any_allowed_way_is_read_as_written(whole, part, grouped, pence_digits):
    text = f"{whole:,}" if grouped else str(whole)
    if pence_digits == 2:
        text, cents = f"{text}.{part:02d}", whole * 100 + part
    elif pence_digits == 1:
        text, cents = f"{text}.{part // 10}", whole * 100 + part // 10 * 10
    else:
        cents = whole * 100
    assert parse_money(text) == cents


# Every place an amount is typed ----------------------------------------------------------


@pytest.mark.parametrize("typed", ["1_000", "٣", "5,,,0", "1.2.3", "1e3", "12.345"])
def test_the_money_field_refuses_with_the_reason(typed):
    with pytest.raises(ValidationError, match="Enter an amount"):
        MoneyField().clean(typed)


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1_000", "٣", "5,,,0", "１２"])
def test_a_service_price_is_parsed_strictly(client, manager_user, typed):
    client.force_login(manager_user)
    with override_switch(BOOKINGS, active=True):
        response = client.post(
            reverse("bookings:service_create"),
            {"name": "Yoga", "duration_minutes": "60", "price_text": typed},
        )
    assert response.status_code == 200
    assert "Enter an amount such as 12.50." in response.content.decode()
    assert not Service.objects.exists()
