"""The booking forms: validation and widgets only; the rules live in the services."""

from django import forms
from django.utils import timezone

from bookings.models import Service


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
    starts_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": "Choose when.", "invalid": "Enter a date and time."},
    )
    for_whom = forms.TypedChoiceField(label="For", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, customer, others=(), **kwargs):
        kwargs.setdefault("auto_id", "book_%s")
        super().__init__(*args, **kwargs)
        self.fields["for_whom"].choices = [(customer.pk, f"{customer.full_name} (themselves)")] + [
            (other.pk, other.full_name) for other in others
        ]
        self.fields["for_whom"].initial = customer.pk
        self.offers_others = bool(others)

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if starts_at <= timezone.now():
            raise forms.ValidationError("That time has passed; choose a time from now on.")
        return starts_at
