"""What client groups write in a customer's History (see customers/history.py)."""

from customers.history import Action, Area

#: One customer changed, or several at once: a bulk action says how many.
BULK = " (a bulk action on {total:,} customers)."

ACTIONS = [
    Action(
        "segment.added",
        Area.DETAILS,
        ("Added to client group “{group}”" + BULK, "Added to client group “{group}”."),
    ),
    Action(
        "segment.removed",
        Area.DETAILS,
        ("Removed from client group “{group}”" + BULK, "Removed from client group “{group}”."),
    ),
    Action("segment.deleted", Area.DETAILS, "Client group “{group}” was deleted."),
]
