"""The booking forms: validation and widgets only; the rules live in the services."""

from django import forms
from django.core.validators import validate_email

from billing.money import MAX_AMOUNT, format_money, parse_money
from bookings.models import IntakeForm, QuestionKind, Service
from bookings.services import problem_with_time
from core.ids import VersionField
from core.inputs import DecimalNumberField, WholeNumberField
from core.validators import validate_multi_line, validate_single_line


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


class ServiceForm(forms.ModelForm):
    """Add or change a service; the price is typed in the currency, kept in minor units."""

    price_text = forms.CharField(label="Price", max_length=20, validators=[validate_single_line])
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
            self.fields[
                "price_text"
            ].initial = f"{self.instance.price // 100}.{self.instance.price % 100:02d}"
            self.fields["version"].initial = self.instance.version
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


class MoveForm(forms.Form):
    """Change an appointment's time."""

    starts_at = _when_field("New time")
    version = VersionField(error_messages={"required": "Reload and try again."})

    clean_starts_at = _clean_starts_at


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
    price_text = forms.CharField(
        label="Price of the package", max_length=20, validators=[validate_single_line]
    )
    key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "package_%s")
        super().__init__(*args, **kwargs)

    def clean_price_text(self):
        try:
            price = parse_money(self.cleaned_data["price_text"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if price < 0 or price > MAX_AMOUNT:
            raise forms.ValidationError(f"Enter a price from nothing to {format_money(MAX_AMOUNT)}.")
        return price


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
        clash = IntakeForm.objects.filter(name__iexact=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("There is already a form with that name.")
        return name

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


class CompleteForm(forms.Form):
    """The answers to a requested intake form, and who gave them."""

    completed_by = forms.TypedChoiceField(
        label="Filled in by",
        coerce=int,
        error_messages={
            "invalid_choice": "That client may no longer complete this form (their link changed)."
        },
    )
    version = VersionField()

    def __init__(self, *args, request, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["completed_by"].choices = [
            (
                person.pk,
                f"{person.full_name} (themselves)"
                if person.pk == request.subject_id
                else f"{person.full_name} (linked client)",
            )
            for person in people
        ]
        for number, question in enumerate(request.questions):
            self.fields[f"answer_{number}"] = _answer_field(question)

    def answers(self):
        return {
            name.removeprefix("answer_"): _as_text(value)
            for name, value in self.cleaned_data.items()
            if name.startswith("answer_")
        }

    def answer_fields(self):
        return [self[name] for name in self.fields if name.startswith("answer_")]


def _answer_field(question):
    label, required = question["text"], bool(question.get("required"))
    messages = {"required": f"Answer “{label}”."}
    kind = question.get("kind")
    if kind == QuestionKind.LONG:
        return forms.CharField(
            label=label,
            required=required,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
            validators=[validate_multi_line],
            error_messages=messages,
        )
    if kind == QuestionKind.YES_NO:
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=[("", "—"), ("Yes", "Yes"), ("No", "No")],
            error_messages=messages,
        )
    if kind == QuestionKind.NUMBER:
        return DecimalNumberField(
            label=label,
            required=required,
            max_digits=12,
            decimal_places=2,
            error_messages={**messages, "invalid": f"Answer “{label}” with a number."},
        )
    if kind == QuestionKind.DATE:
        return forms.DateField(
            label=label,
            required=required,
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={**messages, "invalid": f"Answer “{label}” with a date."},
        )
    return forms.CharField(
        label=label,
        required=required,
        max_length=200,
        validators=[validate_single_line],
        error_messages=messages,
    )


def _as_text(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()
