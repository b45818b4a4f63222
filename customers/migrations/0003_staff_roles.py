"""Create the Front desk and Manager roles with the customer permissions they need."""

from django.db import migrations

from core.roles import FRONT_DESK, MANAGER, grant, revoke

CUSTOMER_WORK = [
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "customers.view_activity",
]
GRANTS = {FRONT_DESK: CUSTOMER_WORK, MANAGER: CUSTOMER_WORK}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0002_search_indexes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
