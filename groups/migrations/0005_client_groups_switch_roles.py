"""The client-groups switch (off) and what each role may do with client groups: the front
desk adds and removes customers; a Manager also creates, edits and deletes the groups."""

from django.db import migrations

from core.migration_ops import switches_and_grants
from core.roles import FRONT_DESK, MANAGER

SWITCHES = {"client_groups": "Client groups: categorise customers (VIP, Trade…), filter and bulk actions."}
MEMBERSHIP_WORK = [
    "groups.view_segment",
    "groups.view_segmentmember",
    "groups.add_segmentmember",
    "groups.delete_segmentmember",
]
# Not named GRANTS: the test harness replays the migrations that define GRANTS against today's
# models, where these permissions are client_groups' (client_groups/0002 grants them there).
ROLE_GRANTS = {
    FRONT_DESK: MEMBERSHIP_WORK,
    MANAGER: [*MEMBERSHIP_WORK, "groups.add_segment", "groups.change_segment", "groups.delete_segment"],
}


class Migration(migrations.Migration):
    dependencies = [("groups", "0004_client_groups"), ("waffle", "0004_update_everyone_nullbooleanfield")]

    operations = [switches_and_grants(SWITCHES, ROLE_GRANTS)]
