"""The client-groups switch and what each role may do with client groups, now under this
app's label: the front desk adds and removes customers; a Manager also creates, edits and
deletes the groups.

On a database migrated from the old layout this changes nothing: groups 0005 made the switch
and granted these permissions, and 0001 carried them over with the content types. It is what
makes them on a new database's replay of the seed migrations (tests/conftest.py), where the
old grants name permissions that no longer exist under `groups`.
"""

from django.db import migrations

from core.migration_ops import switches_and_grants
from core.roles import FRONT_DESK, MANAGER

SWITCHES = {"client_groups": "Client groups: categorise customers (VIP, Trade…), filter and bulk actions."}
MEMBERSHIP_WORK = [
    "client_groups.view_segment",
    "client_groups.view_segmentmember",
    "client_groups.add_segmentmember",
    "client_groups.delete_segmentmember",
]
GRANTS = {
    FRONT_DESK: MEMBERSHIP_WORK,
    MANAGER: [
        *MEMBERSHIP_WORK,
        "client_groups.add_segment",
        "client_groups.change_segment",
        "client_groups.delete_segment",
    ],
}


def _forwards_only(operation):
    """Undoing this must not take back what groups 0005 granted: backwards does nothing."""
    return migrations.RunPython(operation.code, migrations.RunPython.noop)


class Migration(migrations.Migration):
    dependencies = [("client_groups", "0001_initial"), ("waffle", "0004_update_everyone_nullbooleanfield")]

    operations = [_forwards_only(switches_and_grants(SWITCHES, GRANTS))]
