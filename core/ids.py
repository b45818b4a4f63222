"""Ids from outside (a URL, a form field, a query string), bounded to what the database holds.

A row id is a 64-bit integer on both databases (BigAutoField: PostgreSQL's bigint, SQLite's
INTEGER). Django bounds a plain `pk=` lookup itself, but not `pk__in=` nor a foreign key's
`group_id=`: there SQLite raises OverflowError for a Python int that does not fit, which was a
500 for `/customers/5/group/<25 digits>/rename/` and for a 25-digit `member=` on Add to Group.
So every id is read here, once, and anything that cannot be an id never reaches a query:

- `IdConverter` (registered as `<id:...>` by CustomersConfig.ready) makes such a URL a 404;
- `IdField` and `VersionField` make such a form field a form error;
- `to_id` and `is_id` read an id a view takes from a query string or a POST itself;
- `ModelMultipleChoiceField` checks the ids before Django's `pk__in` query does.
"""

from django import forms

#: The largest row id: a signed 64-bit integer (PostgreSQL's bigint, SQLite's INTEGER).
MAX_ID = 2**63 - 1
#: The largest version a form may carry: versions are PositiveIntegerFields, whose column
#: holds at most this on PostgreSQL.
MAX_VERSION = 2**31 - 1
#: Digits enough for MAX_ID (19), so that no longer text is ever handed to `int()`.
_MAX_DIGITS = len(str(MAX_ID))


def whole_number(value, low, high):
    """`value` (text or int) as an int from `low` to `high`, or None.

    ASCII digits only: `int()` would also read "1_0", " 7" and other scripts' digits.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= _MAX_DIGITS:
        number = int(value)
    else:
        return None
    return number if low <= number <= high else None


def to_id(value):
    """`value` as a row id (1 to MAX_ID), or None when it cannot be one."""
    return whole_number(value, 1, MAX_ID)


def is_id(value):
    """Whether `value` (from a query string or a form) can be a row id."""
    return to_id(value) is not None


class IdConverter:
    """The path converter for ids: `<id:customer_id>` matches 1 to MAX_ID only, so that any
    other number is a 404 (as an unknown id is), never a database error."""

    regex = f"[0-9]{{1,{_MAX_DIGITS}}}"

    def to_python(self, value):
        number = to_id(value)
        if number is None:
            raise ValueError(f"{value!r} is not an id")  # the URL does not match: a 404
        return number

    def to_url(self, value):
        number = to_id(value if isinstance(value, int) else str(value))
        if number is None:
            raise ValueError(f"{value!r} is not an id")  # reverse() raises NoReverseMatch
        return str(number)


class _BoundedWholeField(forms.IntegerField):
    """A whole number from `low` to `high` typed in ASCII digits; anything else is `invalid`,
    with one message, as the field is hidden or filled in by the page and not by hand."""

    low = high = None
    default_message = ""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        messages = {"invalid": self.default_message, **kwargs.pop("error_messages", {})}
        super().__init__(error_messages=messages, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = value if isinstance(value, int) else str(value).strip()
        if text in self.empty_values:
            return None
        number = whole_number(text, self.low, self.high)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class IdField(_BoundedWholeField):
    """A row id carried by a form (a chosen customer's `member`, say): 1 to MAX_ID."""

    low, high = 1, MAX_ID
    default_message = "That record does not exist; reload the page and choose again."


class VersionField(_BoundedWholeField):
    """The version of a row a form was opened at, so that a stale save is refused: 0 to
    MAX_VERSION (0 is no version a row has, so the service refuses it as stale)."""

    low, high = 0, MAX_VERSION
    default_message = "This form is out of date; reload the page and try again."


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing a value that cannot be an id before it reaches the `pk__in` query
    (which SQLite cannot run with a number too large for it). Django's ModelChoiceField needs
    no such help: it looks a value up with a plain `pk=`, which Django bounds itself."""

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        if key == "pk":
            for each in value:
                if each not in self.empty_values and to_id(str(each)) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": each}
                    )
        return super()._check_values(value)
