"""Numbers typed into forms are read strictly, like money (issue 15): Django's IntegerField
and DecimalField hand the text to int() and Decimal(), which read "1_000" as 1000, "٣" as 3
and full-width "１２" as 12; Decimal() also reads "1e3". Sessions in a package, a service's
minutes, the ages of a client-group rule and number answers on intake forms now take ASCII
digits only. Page numbers in addresses, and search, shrug odd input off instead."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django import forms

from bookings.forms.catalogue import ServiceForm
from bookings.forms.intake import CompleteForm
from bookings.forms.packages import BuyPackageForm
from client_groups.forms import SegmentForm
from core.inputs import DecimalNumberField, WholeNumberField
from core.paging import page_number
from customers.queries import search_customers, search_words
from tests.factories import CustomerFactory

LENIENT = ["1_000", "٣", "１２", "1e3", "0x10", "1 000", "--1", "+-1", "12\u202e"]


@pytest.mark.parametrize(("typed", "number"), [("12", 12), (" 12 ", 12), ("007", 7), ("-3", -3), (5, 5)])
def test_a_whole_number_is_ascii_digits(typed, number):
    assert WholeNumberField().clean(typed) == number


@pytest.mark.parametrize("typed", [*LENIENT, "5.0", "5."])
def test_anything_else_is_not_a_whole_number(typed):
    with pytest.raises(forms.ValidationError, match="Enter a whole number"):
        WholeNumberField().clean(typed)


def test_an_empty_whole_number_is_none_when_not_required():
    assert WholeNumberField(required=False).clean("  ") is None


@pytest.mark.parametrize(
    ("typed", "number"), [("72.5", Decimal("72.5")), ("-1", Decimal(-1)), ("0.25", Decimal("0.25"))]
)
def test_a_decimal_number_is_ascii_digits_and_one_point(typed, number):
    assert DecimalNumberField(max_digits=12, decimal_places=2).clean(typed) == number


@pytest.mark.parametrize("typed", [*LENIENT, "NaN", "Infinity", "1.2.3", ".5"])
def test_anything_else_is_not_a_decimal_number(typed):
    with pytest.raises(forms.ValidationError, match="Enter a number"):
        DecimalNumberField(max_digits=12, decimal_places=2).clean(typed)


# The forms where numbers are typed ------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1_0", "١٠", "１０"])
def test_sessions_in_a_package_are_plain_digits(typed):
    form = BuyPackageForm({"sessions": typed, "price_text": "10"})
    assert form.errors["sessions"] == ["Enter a whole number of sessions."]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["3_0", "٣٠", "３０"])
def test_a_services_minutes_are_plain_digits(typed):
    form = ServiceForm({"name": "Yoga", "duration_minutes": typed, "price_text": "10"})
    assert form.errors["duration_minutes"] == ["Enter a whole number."]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1_8", "١٨"])
def test_the_ages_of_a_client_group_rule_are_plain_digits(typed):
    form = SegmentForm({"name": "Adults", "members": "rules", "age_from": typed})
    assert form.errors["age_from"] == ["Enter a whole number."]


def test_a_number_answer_on_an_intake_form_is_plain_digits():
    asked = SimpleNamespace(subject_id=1, questions=[{"text": "Weight (kg)", "kind": "number"}])
    person = SimpleNamespace(pk=1, full_name="Ann Ito")
    for typed in ("1e3", "7_0", "٧٠", "NaN"):
        form = CompleteForm({"completed_by": "1", "answer_0": typed}, request=asked, people=[person])
        assert form.errors["answer_0"] == ["Answer “Weight (kg)” with a number."], typed
    form = CompleteForm(
        {"completed_by": "1", "answer_0": "72.5", "version": "1"}, request=asked, people=[person]
    )
    assert form.is_valid(), form.errors
    assert form.answers() == {"0": "72.5"}


# Addresses and search -------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "number"), [("3", 3), ("٣", 1), ("1_0", 1), ("-2", 1), ("", 1), (None, 1)])
def test_a_page_number_from_an_address_is_plain_digits_or_the_first_page(raw, number):
    assert page_number(raw) == number


def test_search_reads_control_characters_as_spaces():
    assert search_words("ann\x00smith") == ["ann", "smith"]
    assert search_words("\u202eann\r\n") == ["ann"]


@pytest.mark.django_db
def test_search_with_a_nul_finds_rather_than_fails():
    """PostgreSQL refuses a NUL in a query's text; search never sends one."""
    anna = CustomerFactory(first_name="Anna", last_name="Smith")
    assert list(search_customers("smith\x00anna")) == [anna]
