"""History lines keep their action's data (issue 17), and the History tab filters by area.

`kind` is the action code already ("group.member_added"); it keeps its column and every row.
New lines also store `data`, from which the sentence is put into words when shown; lines
written before have none (`{}`, also the database default, so bulk INSERT … SELECT writers
may leave it out) and keep showing their stored `message`.

The index on (customer, kind, -id) serves the filter: one area is a handful of action codes,
and the index finds a customer's lines of just those codes, newest first within each code,
instead of walking their whole history (customer, -id) to pick out the few of a rare area.
"""

import django.core.serializers.json
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0016_email_moves_to_mail"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="data",
            field=models.JSONField(
                blank=True,
                db_default=models.Value({}, models.JSONField()),
                default=dict,
                encoder=django.core.serializers.json.DjangoJSONEncoder,
            ),
        ),
        migrations.AlterField(
            model_name="activity",
            name="kind",
            field=models.CharField(max_length=64, verbose_name="action"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["customer", "kind", "-id"], name="activity_history_by_action"),
        ),
    ]
