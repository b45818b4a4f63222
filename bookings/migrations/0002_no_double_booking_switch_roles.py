"""On PostgreSQL, the rule that one attendee's booked appointments never overlap; the
`bookings` switch (off); and what each role may do: the front desk books, changes and
cancels; a Manager also manages the services."""

from django.db import migrations

from core.migration_ops import RunSQLOnPostgres, switches_and_grants
from core.roles import FRONT_DESK, MANAGER

SWITCHES = {"bookings": "Bookings: services, appointments and booking on behalf of linked clients."}
DESK_WORK = [
    "bookings.view_service",
    "bookings.view_appointment",
    "bookings.add_appointment",
    "bookings.change_appointment",
]
GRANTS = {
    FRONT_DESK: DESK_WORK,
    MANAGER: [*DESK_WORK, "bookings.add_service", "bookings.change_service"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0001_initial"),
        ("groups", "0002_labels_switches_roles"),  # btree_gist
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [
        RunSQLOnPostgres(
            sql=[
                "CREATE EXTENSION IF NOT EXISTS btree_gist",
                "ALTER TABLE bookings_appointment ADD CONSTRAINT appointment_no_double_booking "
                "EXCLUDE USING gist (attendee_id WITH =, tstzrange(starts_at, ends_at) WITH &&) "
                "WHERE (status = 'booked')",
            ],
            reverse_sql=["ALTER TABLE bookings_appointment DROP CONSTRAINT appointment_no_double_booking"],
        ),
        switches_and_grants(SWITCHES, GRANTS),
    ]
