"""The client-groups switch (off) and what each role may do with client groups: the front
desk adds and removes customers; a Manager also creates, edits and deletes the groups."""

from django.db import migrations

from customers.roles import FRONT_DESK, MANAGER, grant, revoke

SWITCHES = {"client_groups": "Client groups: categorise customers (VIP, Trade…), filter and bulk actions."}
MEMBERSHIP_WORK = [
    "groups.view_segment",
    "groups.view_segmentmember",
    "groups.add_segmentmember",
    "groups.delete_segmentmember",
]
GRANTS = {
    FRONT_DESK: MEMBERSHIP_WORK,
    MANAGER: [*MEMBERSHIP_WORK, "groups.add_segment", "groups.change_segment", "groups.delete_segment"],
}


def forwards(apps, schema_editor):
    Switch = apps.get_model("waffle", "Switch")
    for name, note in SWITCHES.items():
        Switch.objects.get_or_create(name=name, defaults={"active": False, "note": note})
    grant(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, GRANTS)
    apps.get_model("waffle", "Switch").objects.filter(name__in=SWITCHES).delete()


class Migration(migrations.Migration):
    dependencies = [("groups", "0004_client_groups"), ("waffle", "0004_update_everyone_nullbooleanfield")]

    operations = [migrations.RunPython(forwards, backwards)]
