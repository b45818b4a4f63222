"""The booking forms: validation and widgets only; the rules live in the services."""

from django import forms
from django.utils import timezone

from billing.money import MAX_AMOUNT, format_money, parse_money
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

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if starts_at <= timezone.now():
            raise forms.ValidationError("That time has passed; choose a time from now on.")
        return starts_at


class ServiceForm(forms.ModelForm):
    """Add or change a service; the price is typed in the currency, kept in minor units."""

    price_text = forms.CharField(label="Price", max_length=20)

    class Meta:
        model = Service
        fields = ["name", "duration_minutes", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].min_value = 5
        self.fields["duration_minutes"].max_value = 600
        self.fields["duration_minutes"].widget.attrs.update(min=5, max=600, step=5)
        if self.instance.pk:
            self.fields[
                "price_text"
            ].initial = f"{self.instance.price // 100}.{self.instance.price % 100:02d}"
        self.order_fields(["name", "duration_minutes", "price_text", "is_active"])

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the service a name.")
        clash = Service.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("There is already a service with that name.")
        return name

    def clean_duration_minutes(self):
        minutes = self.cleaned_data["duration_minutes"]
        if minutes is None or not 5 <= minutes <= 600:
            raise forms.ValidationError("Enter a duration from 5 to 600 minutes.")
        return minutes

    def clean_price_text(self):
        try:
            price = parse_money(self.cleaned_data["price_text"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if price < 0 or price > MAX_AMOUNT:
            raise forms.ValidationError(f"Enter a price from nothing to {format_money(MAX_AMOUNT)}.")
        return price

    def save(self, commit=True):
        self.instance.price = self.cleaned_data["price_text"]
        return super().save(commit=commit)
