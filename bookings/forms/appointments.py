"""Booking an appointment and changing its time: validation and widgets only; the rules
live in `bookings.services.appointments`."""

from django import forms

from bookings.models import Service
from bookings.services.appointments import problem_with_time
from core.ids import VersionField


def _when_field(label="When"):
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": "Choose when.", "invalid": "Enter a date and time."},
    )


def _clean_starts_at(form):
    """Say at once, beside the field, what booking at that time would be refused for."""
    starts_at = form.cleaned_data["starts_at"]
    problem = problem_with_time(starts_at)
    if problem:
        raise forms.ValidationError(problem)
    return starts_at


class BookForm(forms.Form):
    """Book a service at a time, for the customer or, when they may book for others, for one
    of those (the "For" dropdown)."""

    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True),
        empty_label="Choose a service…",
        error_messages={
            "required": "Choose a service.",
            "invalid_choice": "That service is no longer offered.",
        },
    )
    starts_at = _when_field()
    for_whom = forms.TypedChoiceField(
        label="For",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={
            "invalid_choice": "That client may no longer be booked from here (their link changed)."
        },
    )

    def __init__(self, *args, customer, others=(), **kwargs):
        kwargs.setdefault("auto_id", "book_%s")
        super().__init__(*args, **kwargs)
        self.fields["for_whom"].choices = [(customer.pk, f"{customer.full_name} (themselves)")] + [
            (other.pk, other.full_name) for other in others
        ]
        self.fields["for_whom"].initial = customer.pk
        self.offers_others = bool(others)

    clean_starts_at = _clean_starts_at


class MoveForm(forms.Form):
    """Change an appointment's time."""

    starts_at = _when_field("New time")
    version = VersionField(error_messages={"required": "Reload and try again."})

    clean_starts_at = _clean_starts_at
