"""The client-group forms: validation and widgets; what the rules mean lives in rules.py,
and what may be done in services.py."""

from datetime import date

from django import forms

from client_groups import rules
from client_groups.models import Segment
from core.ids import VersionField
from core.validators import validate_multi_line, validate_single_line

MANUAL, RULES = "manual", "rules"


class SegmentForm(forms.Form):
    """Create or edit a client group; a new one is either chosen by staff or follows rules."""

    name = forms.CharField(
        max_length=Segment._meta.get_field("name").max_length, validators=[validate_single_line]
    )
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        validators=[validate_multi_line],
    )
    members = forms.ChoiceField(
        label="Members",
        choices=[(MANUAL, "Chosen by staff"), (RULES, "Follow rules")],
        initial=MANUAL,
        widget=forms.RadioSelect,
    )
    version = VersionField(required=False)

    def __init__(self, *args, segment=None, **kwargs):
        if segment is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": segment.name,
                    "description": segment.description,
                    "members": RULES if segment.is_rule_based else MANUAL,
                    "version": segment.version,
                    **segment.rules,
                },
            )
        super().__init__(*args, **kwargs)
        self.segment = segment
        self.fields["name"].error_messages["required"] = "Give the client group a name."
        self.rule_fields = []
        if segment is None or segment.is_rule_based:
            for _, rule in rules.ordered():
                for name, field in rule.fields().items():
                    self.fields[name] = field
                    self.rule_fields.append(name)
        if segment is not None:
            # Whether staff choose the members or rules do is settled when a group is made.
            del self.fields["members"]
        if segment is not None and segment.is_rule_based:
            for name in rules.SEGMENT_FIELDS:  # a group's rules cannot name the group itself
                self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != str(segment.pk)]

    def rule_bound_fields(self):
        return [self[name] for name in self.rule_fields]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the client group a name.")
        return name

    def clean(self):
        data = super().clean()
        low, high = data.get("age_from"), data.get("age_to")
        if low is not None and high is not None and low > high:
            self.add_error("age_to", "The upper age must be at least the lower one.")
        since = data.get("created_since")
        if since and since > date.today():
            self.add_error("created_since", "Choose a date that is not in the future.")
        if data.get("in_segment") and data.get("in_segment") == data.get("not_in_segment"):
            self.add_error("not_in_segment", "A client group cannot be both required and excluded.")
        if self.follows_rules() and not self.chosen_rules():
            raise forms.ValidationError("Choose at least one rule for the members to follow.")
        return data

    def follows_rules(self):
        if self.segment is not None:
            return self.segment.is_rule_based
        return self.cleaned_data.get("members") == RULES

    def chosen_rules(self):
        """The rules filled in, as stored on the group: {field: JSON value}; empty for a group
        whose members staff choose: its rules were hidden once “Chosen by staff” was picked."""
        if not self.follows_rules():
            return {}
        chosen = {}
        for name in self.rule_fields:
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            chosen[name] = value.isoformat() if isinstance(value, date) else value
        return chosen


class ChooseSegmentForm(forms.Form):
    """Pick a client group whose members staff choose: Add to Group, and the bulk actions."""

    segment = forms.ModelChoiceField(
        label="Client group",
        queryset=Segment.objects.filter(rules={}).order_by("name"),
        empty_label="Choose a client group…",
        error_messages={
            "required": "Choose a client group.",
            "invalid_choice": "That client group no longer exists or follows rules; choose another.",
        },
    )
