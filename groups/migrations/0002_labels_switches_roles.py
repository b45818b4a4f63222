"""The default labels, the two account-linking switches (off), and the roles' group permissions.

On PostgreSQL, also the rule the unique constraint `customer_in_one_group` cannot say alone:
a customer who is an Admin in several groups holds no other kind of membership.
"""

from django.db import migrations

from core.migration_ops import RunSQLOnPostgres
from core.roles import FRONT_DESK, MANAGER, grant, revoke

LABELS = ("Parent", "Nanny", "Child", "Carer")
SWITCHES = {
    "account_linking": "Account linking: family and care groups, the Linked Accounts tab.",
    "admins_in_several_groups": "Lets an Admin (a carer, a nanny) belong to several groups.",
}
GROUP_WORK = [
    "groups.view_customergroup",
    "groups.add_customergroup",
    "groups.change_customergroup",
    "groups.view_groupmember",
    "groups.add_groupmember",
    "groups.change_groupmember",
    "groups.delete_groupmember",
]
GRANTS = {FRONT_DESK: GROUP_WORK, MANAGER: [*GROUP_WORK, "groups.delete_customergroup"]}


def forwards(apps, schema_editor):
    MemberLabel = apps.get_model("groups", "MemberLabel")
    for order, name in enumerate(LABELS):
        MemberLabel.objects.get_or_create(name=name, defaults={"order": order * 10})
    Switch = apps.get_model("waffle", "Switch")
    for name, note in SWITCHES.items():
        Switch.objects.get_or_create(name=name, defaults={"active": False, "note": note})
    grant(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, GRANTS)
    apps.get_model("waffle", "Switch").objects.filter(name__in=SWITCHES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0001_initial"),
        ("customers", "0003_staff_roles"),
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        RunSQLOnPostgres(
            sql=[
                "CREATE EXTENSION IF NOT EXISTS btree_gist",
                # Two memberships of one customer conflict unless both are Admins-in-several.
                "ALTER TABLE groups_groupmember ADD CONSTRAINT group_member_several_only_as_admin "
                "EXCLUDE USING gist (customer_id WITH =, in_several_groups WITH <>)",
            ],
            reverse_sql=["ALTER TABLE groups_groupmember DROP CONSTRAINT group_member_several_only_as_admin"],
        ),
    ]
