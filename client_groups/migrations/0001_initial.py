"""Client groups, moved here from `groups` (issue 17) with every row they hold.

groups/migrations/0007 took the models out of groups' state; this migration takes them up
in this app's state as they stood, on the tables they have always had (`groups_segment`,
`groups_segmentmember`), without touching the database. Then:

- AlterModelTable renames the tables to `client_groups_segment` and
  `client_groups_segmentmember` (one ALTER TABLE ... RENAME each: no rows are copied, and
  the indexes and constraints, named explicitly, keep their names);
- the content types (groups, segment…) become (client_groups, segment…), so the roles keep
  the permissions they held.

Each step runs backwards too, so `migrate groups 0006` puts the old layout back.
"""

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.db import migrations, models

import core.validators
from core.migration_ops import move_content_types


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0016_email_moves_to_mail"),
        ("groups", "0007_client_groups_move_to_their_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Segment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "name",
                            models.CharField(
                                max_length=80, validators=[core.validators.validate_single_line]
                            ),
                        ),
                        (
                            "description",
                            models.TextField(blank=True, validators=[core.validators.validate_multi_line]),
                        ),
                        ("rules", models.JSONField(blank=True, default=dict)),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "db_table": "groups_segment",
                        "verbose_name": "client group",
                        "ordering": [django.db.models.functions.text.Lower("name"), "id"],
                        "constraints": [
                            models.UniqueConstraint(
                                django.db.models.functions.text.Lower("name"),
                                name="segment_unique_name",
                                violation_error_message="There is already a client group with that name.",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("name", ""), _negated=True), name="segment_has_name"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SegmentMember",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "added_at",
                            models.DateTimeField(default=django.utils.timezone.now, editable=False),
                        ),
                        (
                            "customer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="segment_memberships",
                                to="customers.customer",
                            ),
                        ),
                        (
                            "segment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="client_groups.segment",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "groups_segmentmember",
                        "verbose_name": "client group member",
                        "indexes": [
                            models.Index(fields=["customer", "segment"], name="segment_member_by_customer")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("segment", "customer"),
                                name="segment_member_once",
                                violation_error_message="This customer is already in this client group.",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        # db_table back to the defaults: the tables are renamed, their rows stay.
        migrations.AlterModelTable(name="segment", table=None),
        migrations.AlterModelTable(name="segmentmember", table=None),
        move_content_types(["segment", "segmentmember"], old="groups", new="client_groups"),
    ]
