"""What linking writes in a customer's History (see customers/history.py)."""

from customers.history import Action, Area
from linking.models import PERMISSIONS


def _may(permissions):
    """["can_book", …] → the words of each, or that they may do nothing."""
    words = [words for field, words in PERMISSIONS if field in permissions]
    return "; ".join(words) if words else "nothing on their behalf"


MAY = {"may": _may}

ACTIONS = [
    Action("link.created", Area.FAMILY, "Linked to {other}: {name} is their {type} and may: {may}.", MAY),
    Action(
        "link.changed", Area.FAMILY, "Link to {other} changed: {name} is their {type} and may: {may}.", MAY
    ),
    Action("link.removed", Area.FAMILY, "Unlinked from {other} (was their {type})."),
    Action("link.access_reviewed", Area.FAMILY, ("Access reviewed at 18: {note}", "Access reviewed at 18.")),
]
