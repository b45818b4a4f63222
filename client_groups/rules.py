"""The rules a rule-based client group's members follow, over data the system holds.

A rule-based group stores {field: value} for the rules it uses (`Segment.rules`); a
customer is a member when they meet every one. Membership is computed when it is read,
never stored, so it is always up to date and nobody can edit it by hand.

Each rule contributes form fields to the client-group form and a condition on `Customer`
(a `Q`, so that filters, counts and badges each stay one query). Client groups declare
the rules over what they can see; later apps declare theirs (linked clients) in their own
hooks.py ("client_group_rule"), because client groups may not import them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from client_groups.models import Segment, SegmentMember
from core import hooks
from core.inputs import WholeNumberField
from groups.models import GroupMember, Role

ANY = ""
YES_NO = [(ANY, "Any"), ("yes", "Yes"), ("no", "No")]


@dataclass(frozen=True)
class Rule:
    #: Its name among the rules: the key its values are stored under.
    key: str
    #: The form fields this rule adds, by name: a function, so choices are read when the form is made.
    fields: Callable[[], dict]
    #: condition(values, catalogue, *, seen): a Q on Customer, from this rule's non-empty
    #: values; `seen` (the groups being worked out) goes to `catalogue.members`.
    condition: Callable
    #: describe(values, catalogue): the rule in words, for the group's page.
    describe: Callable
    order: int


def _key(rule):
    return rule.key


def ordered():
    """The rules every app declared ("client_group_rule" in its hooks.py), in form order:
    [(key, rule)]."""
    rules = hooks.by_key("client_group_rule", _key)
    return sorted(rules.items(), key=lambda item: item[1].order)


def own_values(rule, stored):
    """The values in `stored` that belong to `rule`'s fields, when any is set."""
    names = rule.fields().keys()
    return {name: stored[name] for name in names if stored.get(name) not in (None, "")}


@dataclass
class Catalogue:
    """Every client group, read in one query, and the day ages are counted on: what
    membership conditions are built from, so a page asks for the groups once however
    many rule-based groups it shows."""

    segments: dict
    today: date

    @classmethod
    def load(cls, today=None):
        return cls(segments={s.pk: s for s in Segment.objects.all()}, today=today or timezone.localdate())

    def members(self, segment, _seen=()):
        """A Q on Customer that holds for exactly the members of `segment`."""
        if not segment.is_rule_based:
            return Q(Exists(SegmentMember.objects.filter(segment_id=segment.pk, customer=OuterRef("pk"))))
        if segment.pk in _seen:  # refused when saved (uses_itself); here so a loop can never hang
            return Q(pk__in=[])
        condition = Q()
        for _, rule in ordered():
            values = own_values(rule, segment.rules)
            if values:
                condition &= rule.condition(values, self, seen=(*_seen, segment.pk))
        return condition

    def member_of_any(self, segment_ids):
        """A Q on Customer for the members of any of these groups (unknown ids match nobody)."""
        condition = Q(pk__in=[])
        for segment_id in segment_ids:
            if segment_id in self.segments:
                condition |= self.members(self.segments[segment_id])
        return condition

    def name(self, segment_id):
        segment = self.segments.get(int(segment_id))
        return segment.name if segment else "a deleted client group"


def describe(segment, catalogue):
    """The rules of a rule-based group, in words, in form order."""
    lines = []
    for _, rule in ordered():
        values = own_values(rule, segment.rules)
        if values:
            lines.append(rule.describe(values, catalogue))
    return lines


def uses_itself(segment_id, stored):
    """Whether rules `stored` for group `segment_id` lead back to that group through
    "in client group" rules, which would make its membership undefined."""
    pending = [value for key, value in stored.items() if key in SEGMENT_FIELDS and value]
    seen = set()
    while pending:
        other_id = int(pending.pop())
        if other_id == segment_id:
            return True
        if other_id in seen:
            continue
        seen.add(other_id)
        other = Segment.objects.filter(pk=other_id).values_list("rules", flat=True).first() or {}
        pending.extend(value for key, value in other.items() if key in SEGMENT_FIELDS and value)
    return False


def years_before(today, years):
    """The same day `years` earlier; 28 February for a 29 February that year lacks."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


# The rules over data `groups` holds.


def _age_fields():
    return {
        "age_from": WholeNumberField(label="Aged from", required=False, min_value=0, max_value=130),
        "age_to": WholeNumberField(label="Aged to", required=False, min_value=0, max_value=130),
    }


def _age_condition(values, catalogue, **_):
    """Age in whole years, as `Customer.age` counts it: no date of birth, no match."""
    condition = Q(date_of_birth__isnull=False)
    if "age_from" in values:
        condition &= Q(date_of_birth__lte=years_before(catalogue.today, int(values["age_from"])))
    if "age_to" in values:
        condition &= Q(date_of_birth__gt=years_before(catalogue.today, int(values["age_to"]) + 1))
    return condition


def _age_words(values, catalogue):
    low, high = values.get("age_from"), values.get("age_to")
    if low is not None and high is not None:
        return f"Aged {low} to {high}"
    return f"Aged {low} or over" if low is not None else f"Aged {high} or under"


def _family_fields():
    roles = [(ANY, "Any"), *Role.choices]
    return {
        "in_family_group": forms.ChoiceField(label="In a family group", choices=YES_NO, required=False),
        "family_role": forms.ChoiceField(label="Role in the family group", choices=roles, required=False),
    }


def _family_condition(values, catalogue, **_):
    condition = Q()
    if values.get("in_family_group"):
        in_group = Q(Exists(GroupMember.objects.filter(customer=OuterRef("pk"))))
        condition &= in_group if values["in_family_group"] == "yes" else ~in_group
    if values.get("family_role"):
        condition &= Q(
            Exists(GroupMember.objects.filter(customer=OuterRef("pk"), role=values["family_role"]))
        )
    return condition


def _family_words(values, catalogue):
    words = []
    if values.get("in_family_group"):
        words.append("In a family group" if values["in_family_group"] == "yes" else "Not in a family group")
    if values.get("family_role"):
        words.append(f"{Role(values['family_role']).label} of a family group")
    return "; ".join(words)


def _created_fields():
    return {
        "created_since": forms.DateField(
            label="Client since", required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
    }


def _created_condition(values, catalogue, **_):
    since = datetime.combine(date.fromisoformat(values["created_since"]), time.min)
    return Q(created_at__gte=timezone.make_aware(since))


def _created_words(values, catalogue):
    return f"Client since {date.fromisoformat(values['created_since']):%-d %b %Y}"


SEGMENT_FIELDS = ("in_segment", "not_in_segment")


def _segment_choices():
    return [(ANY, "Any"), *((str(pk), name) for pk, name in Segment.objects.values_list("pk", "name"))]


def _segment_fields():
    return {
        "in_segment": forms.TypedChoiceField(
            label="Also in client group", choices=_segment_choices, coerce=int, empty_value="", required=False
        ),
        "not_in_segment": forms.TypedChoiceField(
            label="Not in client group", choices=_segment_choices, coerce=int, empty_value="", required=False
        ),
    }


def _segment_condition(values, catalogue, *, seen):
    condition = Q()
    if values.get("in_segment"):
        other = catalogue.segments.get(int(values["in_segment"]))
        condition &= catalogue.members(other, seen) if other else Q(pk__in=[])
    if values.get("not_in_segment"):
        other = catalogue.segments.get(int(values["not_in_segment"]))
        if other:
            condition &= ~catalogue.members(other, seen)
    return condition


def _segment_words(values, catalogue):
    words = []
    if values.get("in_segment"):
        words.append(f"Also in {catalogue.name(values['in_segment'])}")
    if values.get("not_in_segment"):
        words.append(f"Not in {catalogue.name(values['not_in_segment'])}")
    return "; ".join(words)


#: The rules over what client groups themselves can see (ages, family groups, how long a
#: client, other client groups); declared in the app's hooks.py.
OWN_RULES = (
    Rule("age", fields=_age_fields, condition=_age_condition, describe=_age_words, order=10),
    Rule("family", fields=_family_fields, condition=_family_condition, describe=_family_words, order=20),
    Rule("created", fields=_created_fields, condition=_created_condition, describe=_created_words, order=40),
    Rule("segments", fields=_segment_fields, condition=_segment_condition, describe=_segment_words, order=90),
)
