"""Template context for the layout's menu: whether client groups and bookings are switched
on, each asked only if the menu is drawn for someone who may see them (every switch is read
once per request, customers/switches.py)."""

from bookings.features import bookings_on
from groups.features import client_groups_on
from linking.features import account_linking_on


def features(request):
    return {
        "client_groups_on": lambda: client_groups_on(request),
        "bookings_on": lambda: bookings_on(request),
        "linking_on": lambda: account_linking_on(request),
    }
