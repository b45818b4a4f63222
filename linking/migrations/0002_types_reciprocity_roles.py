"""The default relationship types, the roles' link permissions, and (on PostgreSQL) the
foreign key that makes every link row point at its twin, so a lone half cannot exist."""

from django.db import migrations

from core.migration_ops import RunSQLOnPostgres
from core.roles import FRONT_DESK, MANAGER, grant, revoke

BOOK, FORMS, COPIES, PACKAGES = "can_book", "can_complete_forms", "receives_copies", "can_use_packages"
# (name, reverse or None when symmetric, what someone of this type may do for the other)
TYPES = [
    ("Parent", "Child", {BOOK, FORMS, COPIES, PACKAGES}),
    ("Child", "Parent", set()),
    ("Partner", None, {BOOK, COPIES, PACKAGES}),
    ("Guardian", "Ward", {BOOK, FORMS, COPIES, PACKAGES}),
    ("Ward", "Guardian", set()),
    ("Sibling", None, set()),
    ("Grandparent", "Grandchild", {BOOK, COPIES}),
    ("Grandchild", "Grandparent", set()),
    ("Other", None, set()),
]
LINK_WORK = ["linking.view_link", "linking.add_link", "linking.change_link", "linking.delete_link"]
GRANTS = {FRONT_DESK: LINK_WORK, MANAGER: LINK_WORK}


def forwards(apps, schema_editor):
    RelationshipType = apps.get_model("linking", "RelationshipType")
    made = {}
    for order, (name, _, may) in enumerate(TYPES):
        made[name], _ = RelationshipType.objects.get_or_create(
            name=name, defaults={"order": order * 10, **dict.fromkeys(may, True)}
        )
    for name, reverse, _ in TYPES:
        if reverse and made[name].reverse_id is None:
            made[name].reverse = made[reverse]
            made[name].save(update_fields=["reverse"])
    grant(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("linking", "0001_initial"),
        ("groups", "0002_labels_switches_roles"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        RunSQLOnPostgres(
            sql=[
                # Checked at commit, so that the two halves can be written one after the other.
                "ALTER TABLE linking_link ADD CONSTRAINT link_has_its_twin "
                "FOREIGN KEY (principal_id, agent_id) REFERENCES linking_link (agent_id, principal_id) "
                "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED",
            ],
            reverse_sql=["ALTER TABLE linking_link DROP CONSTRAINT link_has_its_twin"],
        ),
    ]
