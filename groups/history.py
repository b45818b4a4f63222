"""What family groups write in a customer's History (see customers/history.py)."""

from customers.history import Action, Area
from groups.models import Role


def _role(code):
    return Role(code).label


def _changes(changes):
    """[["role", "dependent", "admin"], ["label", "Child", "Nanny"]] → "role Dependent → Admin; …"."""
    said = []
    for what, was, now in changes:
        if what == "role":
            was, now = _role(was), _role(now)
        said.append(f"{what} {was} → {now}")
    return "; ".join(said)


ROLE = {"role": _role}

ACTIONS = [
    Action("group.created", Area.FAMILY, "Created the group “{group}” as its {role} ({label}).", ROLE),
    Action(
        "group.member_added",
        Area.FAMILY,
        ("{member} was added to “{group}” as {role} ({label}).", "Added to “{group}” as {role} ({label})."),
        ROLE,
    ),
    Action(
        "group.owner_changed",
        Area.FAMILY,
        ("Handed ownership of “{group}” to {owner}; now an Admin.", "Became the Owner of “{group}”."),
    ),
    Action(
        "group.member_changed",
        Area.FAMILY,
        ("{member} in “{group}”: {changes}.", "In “{group}”: {changes}."),
        {"changes": _changes},
    ),
    Action(
        "group.member_removed",
        Area.FAMILY,
        ("{member} was removed from “{group}”.", "Removed from “{group}”."),
    ),
    Action("group.deleted", Area.FAMILY, "Left “{group}”, its last member; the group is gone."),
    Action("group.renamed", Area.FAMILY, "The group “{was}” was renamed “{name}”."),
]
