"""What bookings write in a customer's History (see customers/history.py). Moments are kept
as ISO text and said in local time when a line is shown."""

from billing.money import format_money as money
from customers.history import Action, Area, listed, moment

LEFT = "({left} of {sessions} left)."
WHEN = {"starts_at": moment, "was": moment}


def _change(code, what):
    """A change to an appointment, told on the attendee (by an agent or not) and on whoever
    booked it or acts for them."""
    return Action(
        code,
        Area.BOOKINGS,
        (f"{what}, by {{agent}}.", f"{what} for {{attendee}}.", f"{what}."),
        WHEN,
    )


ACTIONS = [
    _change("booking.booked", "Booked {service} on {starts_at}"),
    _change("booking.cancelled", "Cancelled {service} on {starts_at}"),
    _change("booking.moved", "Moved {service} from {was} to {starts_at}"),
    Action("booking.attended", Area.BOOKINGS, "{service} on {starts_at}: Attended.", WHEN),
    Action("booking.no_show", Area.BOOKINGS, "{service} on {starts_at}: No-show.", WHEN),
    Action(
        "form.requested",
        Area.BOOKINGS,
        (
            "Asked to fill in “{form}” for {service} on {starts_at}: {attendee}.",
            "Asked to fill in “{form}” for {service} on {starts_at}.",
        ),
        WHEN,
    ),
    Action(
        "form.completed",
        Area.BOOKINGS,
        ("Filled in “{form}” for {subject}.", "“{form}” was filled in by {by}.", "Filled in “{form}”."),
    ),
    # Bookings, not Money: the charge for it is a Money line of its own (billing.posted).
    Action(
        "package.bought",
        Area.BOOKINGS,
        "Bought a package of {sessions} × {service} for {price}.",
        {"price": money},
    ),
    Action(
        "package.redeemed",
        Area.BOOKINGS,
        (
            "{service} on {starts_at} was paid with a session from {owner}'s package " + LEFT,
            "A session of this package paid for {attendee}'s {service} on {starts_at} " + LEFT,
            "Used a session for {service} on {starts_at} " + LEFT,
        ),
        WHEN,
    ),
    Action(
        "package.receipt",
        Area.BOOKINGS,
        "Emailed the receipt for {sessions} × {service} to {to}.",
        {"to": listed},
    ),
]
