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
