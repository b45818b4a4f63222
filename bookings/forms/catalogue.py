"""The Managers' forms for the services offered and the intake forms' questions."""

from django import forms

from billing.forms import price_field
from billing.money import money_input
from bookings.models import QuestionKind, Service
from core.ids import VersionField
from core.inputs import WholeNumberField
from core.validators import validate_single_line


class ServiceForm(forms.ModelForm):
    """Add or change a service; the price is typed in the currency, kept in minor units."""

    price_text = price_field("Price")
    #: The service's version when opened: saving over another Manager's change is refused.
    version = VersionField(required=False)

    class Meta:
        model = Service
        fields = ["name", "duration_minutes", "is_active"]
        field_classes = {"duration_minutes": WholeNumberField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].min_value = 5
        self.fields["duration_minutes"].max_value = 600
        self.fields["duration_minutes"].widget.attrs.update(min=5, max=600, step=5)
        if self.instance.pk:
            self.fields["price_text"].initial = money_input(self.instance.price)
            self.fields["version"].initial = self.instance.version
        self.order_fields(["name", "duration_minutes", "price_text", "is_active"])

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the service a name.")
        return name  # unique: the database says so, and the service puts it in words

    def clean_duration_minutes(self):
        minutes = self.cleaned_data["duration_minutes"]
        if minutes is None or not 5 <= minutes <= 600:
            raise forms.ValidationError("Enter a duration from 5 to 600 minutes.")
        return minutes


class IntakeFormForm(forms.Form):
    """A form's name and up to eight typed questions (a blank question is left out)."""

    ROWS = 8

    name = forms.CharField(max_length=80, validators=[validate_single_line])
    is_active = forms.BooleanField(label="In use", required=False, initial=True)
    #: The form's version when opened: saving over someone else's change is refused.
    version = VersionField(required=False)

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        questions = instance.questions if instance else []
        if instance:
            self.fields["name"].initial = instance.name
            self.fields["is_active"].initial = instance.is_active
            self.fields["version"].initial = instance.version
        for row in range(self.ROWS):
            given = questions[row] if row < len(questions) else {}
            self.fields[f"q{row}_text"] = forms.CharField(
                label=f"Question {row + 1}",
                max_length=200,
                required=False,
                initial=given.get("text", ""),
                validators=[validate_single_line],
            )
            self.fields[f"q{row}_kind"] = forms.ChoiceField(
                label=f"Answer to question {row + 1}",
                choices=QuestionKind.choices,
                initial=given.get("kind", "text"),
            )
            self.fields[f"q{row}_required"] = forms.BooleanField(
                label=f"Question {row + 1} must be answered",
                required=False,
                initial=given.get("required", False),
            )

    def rows(self):
        return [
            (self[f"q{row}_text"], self[f"q{row}_kind"], self[f"q{row}_required"]) for row in range(self.ROWS)
        ]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the form a name.")
        return name  # unique: the database says so, and the service puts it in words

    def clean(self):
        data = super().clean()
        questions = [
            {
                "text": data[f"q{row}_text"].strip(),
                "kind": data[f"q{row}_kind"],
                "required": data[f"q{row}_required"],
            }
            for row in range(self.ROWS)
            if data.get(f"q{row}_text", "").strip() and data.get(f"q{row}_kind")
        ]
        if not questions and not self.errors:
            raise forms.ValidationError("Ask at least one question.")
        data["questions"] = questions
        return data
