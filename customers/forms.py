import re

from django import forms

from core.ids import VersionField
from customers.models import Customer

# ASCII digits and plain spaces only: `\d` and `\s` would let in other scripts' digits
# ("٠٧٧٠٠"), which a search typed in ASCII digits never finds, and tabs or line breaks.
PHONE_PATTERN = re.compile(r"^\+?[0-9 ().\-]{6,32}$")


class CustomerForm(forms.ModelForm):
    """Create or edit a customer's details."""

    class Meta:
        model = Customer
        fields = ["first_name", "last_name", "email", "phone", "date_of_birth", "notes"]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 4}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].error_messages["required"] = "Enter the customer's first name."
        self.fields["last_name"].error_messages["required"] = "Enter the customer's last name."

    def clean_first_name(self):
        return self._required_name("first_name", "first name")

    def clean_last_name(self):
        return self._required_name("last_name", "last name")

    def _required_name(self, field, words):
        value = self.cleaned_data[field].strip()
        if not value:
            raise forms.ValidationError(f"Enter the customer's {words}.")
        return value

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_PATTERN.match(phone):
            raise forms.ValidationError(
                "Enter a phone number of digits, spaces and + ( ) - only, e.g. 07700 900123."
            )
        return phone


class CustomerEditForm(CustomerForm):
    """The edit form carries the version it was loaded at, so a stale save is refused."""

    version = VersionField()

    class Meta(CustomerForm.Meta):
        pass


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search customers",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Name, email or phone",
                "autocomplete": "off",
            }
        ),
    )
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("active", "Active"), ("archived", "Archived"), ("all", "All")],
    )
