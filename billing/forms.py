"""The billing forms: validation and widgets only; the rules themselves live in the services."""

import uuid

from django import forms

from billing.models import Kind
from billing.money import MAX_AMOUNT, format_money, parse_money, symbol
from billing.services import CREDIT, HOUSE
from core.ids import VersionField
from core.validators import validate_single_line


class MoneyField(forms.CharField):
    """An amount typed as "12.50", held as minor units; positive, at most MAX_AMOUNT."""

    #: The longest amount anyone types ("1,000,000.00" and a currency sign fit).
    MAX_TYPED = 20

    def __init__(self, *, allow_zero=False, out_of_range="", **kwargs):
        self.allow_zero = allow_zero
        #: What to say of an amount below the least or above MAX_AMOUNT, with `{most}` for
        #: MAX_AMOUNT in money; by default the two limits are said apart.
        self.out_of_range = out_of_range
        attrs = {"inputmode": "decimal", "autocomplete": "off", "maxlength": self.MAX_TYPED}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value):
        # Not CharField's max_length: its validator would run on the parsed amount, an int.
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > self.MAX_TYPED:
            raise forms.ValidationError(f"Enter an amount of at most {format_money(MAX_AMOUNT)}.")
        try:
            cents = parse_money(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        too_small = cents < 0 or (cents == 0 and not self.allow_zero)
        if self.out_of_range and (too_small or cents > MAX_AMOUNT):
            raise forms.ValidationError(self.out_of_range.format(most=format_money(MAX_AMOUNT)))
        if too_small:
            raise forms.ValidationError(
                "Enter an amount above zero." if not self.allow_zero else "Enter zero or more."
            )
        if cents > MAX_AMOUNT:
            raise forms.ValidationError(f"Enter an amount of at most {format_money(MAX_AMOUNT)}.")
        return cents


#: A price may be nothing (a free taster) up to the most one entry may move.
PRICE_RANGE = "Enter a price from nothing to {most}."


def price_field(label):
    return MoneyField(label=label, allow_zero=True, out_of_range=PRICE_RANGE)


class KeyedForm(forms.Form):
    """A posting form carries a one-time key, so a double click posts once."""

    key = forms.UUIDField(widget=forms.HiddenInput)

    #: The start of the form's element ids: several forms share the Billing tab.
    prefix_ids = "billing"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        kwargs.setdefault("auto_id", f"{self.prefix_ids}_%s")
        super().__init__(*args, **kwargs)


POSTING_KINDS = [
    (Kind.CHARGE, "Post a charge"),
    (Kind.PAYMENT, "Take a payment"),
    (Kind.CREDIT_ISSUED, "Issue store credit"),
    (Kind.CREDIT_REDEEMED, "Redeem store credit"),
]


class PostForm(KeyedForm):
    prefix_ids = "post"
    kind = forms.ChoiceField(
        label="What", choices=POSTING_KINDS, error_messages={"invalid_choice": "Choose what to post."}
    )
    amount = MoneyField(label=f"Amount ({symbol().strip()})")
    memo = forms.CharField(label="Memo", required=False, max_length=200, validators=[validate_single_line])


class AdjustForm(KeyedForm):
    prefix_ids = "adjust"
    balance = forms.ChoiceField(
        label="Balance", choices=[(HOUSE, "Owed on house account"), (CREDIT, "Store credit")]
    )
    direction = forms.ChoiceField(label="Direction", choices=[("up", "Up"), ("down", "Down")])
    amount = MoneyField(label=f"Amount ({symbol().strip()})")
    memo = forms.CharField(
        label="Reason",
        max_length=200,
        validators=[validate_single_line],
        error_messages={"required": "Say why the balance is adjusted."},
    )

    def signed_amount(self):
        amount = self.cleaned_data["amount"]
        return amount if self.cleaned_data["direction"] == "up" else -amount


class ReverseForm(KeyedForm):
    prefix_ids = "reverse"
    memo = forms.CharField(label="Reason", required=False, max_length=200, validators=[validate_single_line])


class CreditLimitForm(forms.Form):
    prefix_ids = "limit"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.prefix_ids}_%s")
        super().__init__(*args, **kwargs)

    limit = MoneyField(
        label=f"Credit limit ({symbol().strip()})",
        required=False,
        allow_zero=True,
        help_text="Leave empty for no limit.",
    )
    version = VersionField()


class UnlinkForm(forms.Form):
    house = MoneyField(label="Owed to move to the partner", required=False, allow_zero=True)
    credit = MoneyField(label="Store credit to move to the partner", required=False, allow_zero=True)
    version = VersionField()


class LinkForm(forms.Form):
    primary = forms.ChoiceField(
        label="Primary Account",
        widget=forms.RadioSelect,
        choices=[],
        error_messages={"required": "Choose which of the two is the Primary Account."},
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, customer, partner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary"].choices = [
            (str(customer.pk), customer.full_name),
            (str(partner.pk), partner.full_name),
        ]
