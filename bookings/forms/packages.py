"""Selling a package and emailing its receipt: validation and widgets only."""

from django import forms
from django.core.validators import validate_email

from billing.forms import price_field
from bookings.models import Service
from core.inputs import WholeNumberField
from core.validators import validate_single_line


class BuyPackageForm(forms.Form):
    """Sell a package of sessions; the price is charged to the house account."""

    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True),
        empty_label="Choose a service…",
        error_messages={
            "required": "Choose a service.",
            "invalid_choice": "That service is no longer offered.",
        },
    )
    sessions = WholeNumberField(
        min_value=1,
        max_value=200,
        initial=10,
        error_messages={
            "required": "Say how many sessions.",
            "min_value": "Choose from 1 to 200 sessions.",
            "max_value": "Choose from 1 to 200 sessions.",
            "invalid": "Enter a whole number of sessions.",
        },
    )
    price_text = price_field("Price of the package")
    key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "package_%s")
        super().__init__(*args, **kwargs)


class ReceiptForm(forms.Form):
    """Where to email a receipt: addresses separated by commas, pre-filled."""

    to = forms.CharField(
        label="Send to",
        max_length=1000,
        help_text="Email addresses, separated by commas.",
        validators=[validate_single_line],
        error_messages={"required": "Enter at least one email address."},
    )

    def clean_to(self):
        addresses = [
            part.strip() for part in self.cleaned_data["to"].replace(";", ",").split(",") if part.strip()
        ]
        if not addresses:
            raise forms.ValidationError("Enter at least one email address.")
        if len(addresses) > 10:
            raise forms.ValidationError("Send to at most 10 addresses at once.")
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(f"“{address}” is not an email address.") from None
        unique = {}
        for address in addresses:  # the same address in other capitals goes once
            unique.setdefault(address.lower(), address)
        return list(unique.values())
