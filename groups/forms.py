"""The group forms: validation and widgets only; the rules themselves live in the services."""

from django import forms

from core.ids import IdField, VersionField
from core.validators import validate_single_line
from groups.models import MemberLabel, Role

LABEL_GONE = "That label is no longer offered; choose another."
CHOOSE_AGAIN = "That customer does not exist; search and choose Select Customer again."


class LabelField(forms.ModelChoiceField):
    """A choice of the offered labels, plus the member's current one even when it is retired."""

    def __init__(self, *, keep=None, **kwargs):
        labels = MemberLabel.objects.filter(is_active=True)
        if keep is not None:
            labels = MemberLabel.objects.filter(pk=keep.pk) | labels
        super().__init__(
            queryset=labels.order_by("order", "name"),
            empty_label="Choose a label…",
            error_messages={"invalid_choice": LABEL_GONE, "required": "Choose a label."},
            **kwargs,
        )

    def label_from_instance(self, obj):
        return str(obj)


class CandidateFields(forms.Form):
    """Search for a customer, then Select Customer: the chosen id travels as `member`."""

    q = forms.CharField(
        label="Search for a customer to add to this group",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": "Name, email or phone"}
        ),
    )
    member = IdField(required=False, error_messages={"invalid": CHOOSE_AGAIN})
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.DEPENDENT)


class GroupCreateForm(CandidateFields):
    owner_label = LabelField(label="Label for the owner")
    name = forms.CharField(
        label="Group name",
        required=False,
        max_length=120,
        validators=[validate_single_line],
        help_text="Leave empty to name it after the owner's family, e.g. “Smith family”.",
    )
    label = LabelField(label="Label", required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("member") and not cleaned.get("label") and "label" not in self.errors:
            self.add_error("label", "Choose a label for the customer you are adding.")
        return cleaned


class AddMemberForm(CandidateFields):
    label = LabelField(label="Label")

    def clean_member(self):
        member = self.cleaned_data.get("member")
        if not member:
            raise forms.ValidationError("Search for a customer and choose Select Customer first.")
        return member


class ChangeMemberForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
    version = VersionField()

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"] = LabelField(label="Label", keep=member.label)


class RenameGroupForm(forms.Form):
    name = forms.CharField(label="Group name", max_length=120, validators=[validate_single_line])
    version = VersionField()

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the group a name.")
        return name
