"""The link form: validation and widgets only; the rules live in the services."""

from django import forms

from core.ids import IdField, VersionField
from linking.models import PERMISSIONS, RelationshipType


class TypeField(forms.ModelChoiceField):
    """The offered relationship types, plus the link's current one even when it is retired."""

    def __init__(self, *, keep=None, **kwargs):
        kinds = RelationshipType.objects.filter(is_active=True)
        if keep is not None:
            kinds = RelationshipType.objects.filter(pk=keep.pk) | kinds
        super().__init__(
            queryset=kinds.select_related("reverse").order_by("order", "name"),
            empty_label="Choose…",
            error_messages={
                "required": "Choose how they are related.",
                "invalid_choice": "That relationship type is no longer offered; choose another.",
            },
            **kwargs,
        )

    def label_from_instance(self, obj):
        other = obj.other_side
        return str(obj) if other == obj else f"{obj} (the other is {other.name})"


class LinkForm(forms.Form):
    """Setup Relationship: how the two are related, and what each may do for the other.

    The permissions come in two sets of fields, `agent_<permission>` (what this profile's
    customer may do for the other) and `principal_<permission>` (the other way round).
    """

    q = forms.CharField(label="Search for a customer to link", required=False, max_length=100)
    member = IdField(
        required=False,
        error_messages={"invalid": "That customer does not exist; search and choose Select Customer again."},
    )
    version = VersionField(required=False)

    def __init__(self, *args, customer, keep_type=None, choosing=True, **kwargs):
        super().__init__(*args, **kwargs)
        #: Whether the form picks the other customer (Add Relationship) or has one (change).
        self.choosing = choosing
        self.fields["type"] = TypeField(label=f"{customer.first_name} is their", keep=keep_type)
        for side in ("agent", "principal"):
            for field, words in PERMISSIONS:
                self.fields[f"{side}_{field}"] = forms.BooleanField(label=words, required=False)

    def side(self, name):
        """The bound permission fields of one side, for the template."""
        return [self[f"{name}_{field}"] for field, _ in PERMISSIONS]

    def may(self, name):
        """The cleaned permissions of one side, as the services take them."""
        return {field: self.cleaned_data[f"{name}_{field}"] for field, _ in PERMISSIONS}

    def clean_member(self):
        member = self.cleaned_data.get("member")
        if self.choosing and not member:
            raise forms.ValidationError("Search for a customer and choose Select Customer first.")
        return member


def defaults_for(kind):
    """Initial form values for a type: what each side of it may do by default."""
    values = {"type": kind.pk}
    for field, _ in PERMISSIONS:
        values[f"agent_{field}"] = getattr(kind, field)
        values[f"principal_{field}"] = getattr(kind.other_side, field)
    return values
