"""The rule for a customer's date of birth, held by the model, the services and a database
constraint alike."""

from datetime import date

from django.core.exceptions import ValidationError

#: The earliest date of birth anyone alive could have; a database constraint holds it too.
EARLIEST_BIRTH = date(1900, 1, 1)


def validate_date_of_birth(value):
    """Refuse a date of birth in the future (the profile would read "Age -973") or before 1900."""
    if value is None:
        return
    if value > date.today():
        raise ValidationError("The date of birth cannot be in the future.", code="future")
    if value < EARLIEST_BIRTH:
        raise ValidationError("Enter a date of birth after 1900.", code="too_early")
