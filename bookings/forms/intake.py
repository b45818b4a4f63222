"""Filling in a requested intake form: one field per question asked, by its kind of answer."""

from django import forms

from bookings.models import QuestionKind
from core.ids import VersionField
from core.inputs import DecimalNumberField
from core.validators import validate_multi_line, validate_single_line


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
