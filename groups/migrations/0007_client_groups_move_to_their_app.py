"""Client groups move to the `client_groups` app (issue 17): here they leave groups' state.

Only the state changes: the tables and every row stay. client_groups/migrations/0001_initial.py,
which depends on this one, takes the models up (under the same tables) and renames the tables.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("groups", "0006_single_line_text")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SegmentMember"),
                migrations.DeleteModel(name="Segment"),
            ],
            database_operations=[],
        ),
    ]
