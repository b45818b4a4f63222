"""Form fields that read typed numbers strictly: ASCII digits and nothing else.

Django's IntegerField and DecimalField hand the text to `int()` and `Decimal()`, which read
"1_000" as 1000, Arabic-Indic "٣" as 3 and full-width "１２" as 12 (and `Decimal()` reads
"1e3" and "NaN"). Nobody at a desk types those meaning a number; a form says so instead.
"""

import re
from decimal import Decimal

from django import forms

WHOLE = re.compile(r"-?[0-9]{1,18}")
DECIMAL = re.compile(r"-?[0-9]{1,18}(?:\.[0-9]{1,18})?")


class WholeNumberField(forms.IntegerField):
    """An IntegerField that takes an optional minus sign and ASCII digits only (spaces around
    them are ignored); min_value and max_value still say which numbers are allowed."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value  # initial data, not typed
        text = str(value).strip()
        if text in self.empty_values:
            return None
        if not WHOLE.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class DecimalNumberField(forms.DecimalField):
    """A DecimalField that takes an optional minus sign, ASCII digits and at most one decimal
    point (no exponent, no NaN or Infinity); max_digits and decimal_places still apply."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        text = str(value).strip()
        if text in self.empty_values:
            return None
        if not DECIMAL.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return Decimal(text)
