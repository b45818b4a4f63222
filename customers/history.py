"""What a History line can say: one catalogue of actions, each with its area and sentence.

A line (`customers.models.Activity`) stores an action code ("group.member_added") and the
data its sentence needs (names, amounts in minor units, moments as ISO text), as Django's
`LogEntry` does; the sentence is put together when the line is shown, so a change of wording
reaches every line. Lines written before the data was kept have none and show the sentence
stored with them.

Every app declares its own actions (a list `ACTIONS` in its `history.py`) and registers them
under the hook point "history_action" (core/hooks.py); `customers` imports none of them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime

from core import hooks


class Area(models.TextChoices):
    """What the History tab's filter narrows the list to."""

    MONEY = "money", "Money"
    BOOKINGS = "bookings", "Bookings"
    FAMILY = "family", "Family and links"
    DETAILS = "details", "Details"


class UnknownAction(LookupError):
    pass


@dataclass(frozen=True, eq=False)
class Action:
    """One thing a History line can record.

    `sentence` is a template formatted with the line's data ("Added to “{group}” as
    {role}."), or several, most particular first: the first whose every field the data has
    is used, so one action reads right from either side ("{member} was added…" on the
    Owner's history, "Added…" on the member's). Or a function of the data, for sentences a
    template cannot say. `formats` turns stored values into words, field by field (minor
    units into money, an ISO moment into local time).
    """

    code: str
    area: str
    sentence: str | tuple | Callable
    formats: dict = field(default_factory=dict)

    def render(self, data):
        """The sentence for `data`; KeyError when no template fits it."""
        if callable(self.sentence):
            return self.sentence(data)
        words = {
            name: self.formats[name](value) if name in self.formats else value for name, value in data.items()
        }
        templates = (self.sentence,) if isinstance(self.sentence, str) else self.sentence
        for template in templates:
            try:
                return template.format_map(words)
            except KeyError:
                continue
        raise KeyError(f"No sentence of {self.code!r} fits the data {sorted(data)}.")


def _code(action):
    if action.area not in Area.values:
        raise ValueError(f"{action.code!r} has no area the History filter knows: {action.area!r}.")
    return action.code


def actions():
    """{code: Action} of everything the apps declared; a code declared twice is an error."""
    return hooks.by_key("history_action", _code)


def action(code):
    try:
        return actions()[code]
    except KeyError:
        raise UnknownAction(
            f"No History action {code!r} is declared; declare it in the app's history.py."
        ) from None


def codes_in(area):
    """The action codes of `area`, sorted (a stable query, so a stable plan)."""
    return sorted(code for code, declared in actions().items() if declared.area == area)


def sentence(code, data, fallback=""):
    """What a line says: rendered from its data when it has some, else the sentence stored
    with it (every line written before the data was kept, or an action no app declares any
    more)."""
    if data:
        declared = actions().get(code)
        if declared is not None:
            try:
                return declared.render(data)
            except (KeyError, IndexError, TypeError, ValueError):
                pass
    return fallback


def area_of(value):
    """The Area a query string asks for, or None for everything (also for anything unknown)."""
    return value if value in Area.values else None


# Ways to say a stored value, for the apps' `formats`.


def moment(value):
    """An ISO moment, in local time, as History says it: "Mon 3 Mar 2025 at 14:30"."""
    local = localtime(parse_datetime(value))
    return f"{date_format(local, 'D j M Y')} at {local:%H:%M}"


def day(value):
    """An ISO date: "3 Mar 2025"."""
    return f"{date.fromisoformat(value):%-d %b %Y}"


def listed(values, shown=3):
    """A few values, then how many more: a line has room for a sentence, not a list."""
    more = len(values) - shown
    return ", ".join(values[:shown]) + (f" and {more} more" if more > 0 else "")


def _field_labels(names):
    from customers.models import Customer

    return ", ".join(str(Customer._meta.get_field(name).verbose_name) for name in names)


def _moved(rows):
    return "; ".join(f"{label}: {count}" for label, count in rows) or "nothing else"


#: What `customers` itself records.
ACTIONS = [
    Action("customer.created", Area.DETAILS, ("Added with {source}.", "Customer created.")),
    Action("customer.updated", Area.DETAILS, "Details changed: {fields}.", {"fields": _field_labels}),
    Action("customer.archived", Area.DETAILS, "Customer archived."),
    Action("customer.restored", Area.DETAILS, "Customer restored from the archive."),
    Action(
        "customer.merged",
        Area.DETAILS,
        (
            "Merged {absorbed} (#{absorbed_id}) into this account; moved here: {moved}.",
            "Merged into {survivor} (#{survivor_id}); everything moved there.",
        ),
        {"moved": _moved},
    ),
    Action(
        "customer.unmerged",
        Area.DETAILS,
        (
            "Undid the merge of {absorbed} (#{absorbed_id}); what came from them went back.",
            "Merge into {survivor} (#{survivor_id}) undone; this account is live again.",
        ),
    ),
]
