"""The superuser switch that turns bookings on; made, switched off, by migration 0002."""

from core.switches import feature, switch_on

BOOKINGS = "bookings"


def bookings_on(request=None):
    return switch_on(request, BOOKINGS)


bookings_feature = feature(bookings_on, "Bookings")
