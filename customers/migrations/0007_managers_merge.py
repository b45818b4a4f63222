"""Managers merge duplicate customers; the Front desk does not."""

from django.db import migrations

from core.roles import MANAGER, grant, revoke

GRANTS = {MANAGER: ["customers.merge_customer", "customers.view_merge"]}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


def backwards(apps, schema_editor):
    revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_merge")]

    operations = [migrations.RunPython(forwards, backwards)]
