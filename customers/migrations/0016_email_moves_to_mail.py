"""The email log moves to the `mail` app (issue 17): here it leaves the customers app's state.

Only the state changes: the table and every row stay. mail/migrations/0001_initial.py, which
depends on this one, takes the model up (under the same table) and then renames the table.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0015_email_sending_claim"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Email")],
            database_operations=[],
        ),
    ]
