"""Migration operations shared by the apps' migrations."""

from django.db import migrations


class RunSQLOnPostgres(migrations.RunSQL):
    """SQL that only PostgreSQL understands (trigram indexes, triggers); skipped elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def switches_and_grants(switches, grants):
    """A RunPython that makes feature switches, off ({name: note}), and gives each role its
    permissions ({role: ["app.codename", ...]}); undone by taking both away again."""
    from core.roles import grant, revoke

    def forwards(apps, schema_editor):
        Switch = apps.get_model("waffle", "Switch")
        for name, note in switches.items():
            Switch.objects.get_or_create(name=name, defaults={"active": False, "note": note})
        grant(apps, grants)

    def backwards(apps, schema_editor):
        revoke(apps, grants)
        apps.get_model("waffle", "Switch").objects.filter(name__in=switches).delete()

    return migrations.RunPython(forwards, backwards)


def move_content_types(models, *, old, new):
    """A RunPython for models that moved from app `old` to app `new` (their tables kept):
    relabel each model's content type, keeping its id, its permissions and the roles and
    users that hold them. A content type already made under the new label (by a data
    migration's create_permissions, say) holds no grant worth keeping over the old one's."""

    def relabel(apps, schema_editor, *, old, new):
        types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
        for model in models:
            if types.filter(app_label=old, model=model).exists():
                types.filter(app_label=new, model=model).delete()
                types.filter(app_label=old, model=model).update(app_label=new)

    return migrations.RunPython(
        lambda apps, editor: relabel(apps, editor, old=old, new=new),
        lambda apps, editor: relabel(apps, editor, old=new, new=old),
        elidable=False,
    )
