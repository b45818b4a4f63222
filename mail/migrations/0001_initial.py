"""The email log, moved here from `customers` (issue 17) with every row it holds.

customers/migrations/0016_email_moves_to_mail.py took the model out of the customers app's
state; this migration takes it up in `mail`'s state as it stood, on the table it has always
had (`customers_email`), without touching the database. Then:

- AlterModelTable renames the table to `mail_email` (one ALTER TABLE ... RENAME: no rows are
  copied, and the indexes and constraints, named explicitly, keep their names);
- the content type (customers, email) becomes (mail, email), so the permissions on emails,
  and whoever holds them, stay as they were.

Each step runs backwards too, so `migrate customers 0015` puts the old layout back.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.migration_ops import move_content_types


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0016_email_moves_to_mail"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Email",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("to_address", models.EmailField(blank=True, max_length=254)),
                        ("kind", models.CharField(max_length=64)),
                        ("subject", models.CharField(max_length=200)),
                        ("body", models.TextField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("sending", "Sending"),
                                    ("sent", "Sent"),
                                    ("failed", "Failed"),
                                    ("no_address", "Not sent: no email address"),
                                ],
                                default="queued",
                                max_length=12,
                            ),
                        ),
                        ("error", models.CharField(blank=True, max_length=300)),
                        ("attempts", models.PositiveSmallIntegerField(default=0, editable=False)),
                        ("claimed_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "once_key",
                            models.CharField(
                                blank=True, editable=False, max_length=100, null=True, unique=True
                            ),
                        ),
                        (
                            "about",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="emails_about",
                                to="customers.customer",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="emails_received",
                                to="customers.customer",
                            ),
                        ),
                        (
                            "sent_again_as",
                            models.OneToOneField(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="sent_again_from",
                                to="mail.email",
                            ),
                        ),
                    ],
                    options={
                        # The table the rows are in until AlterModelTable below renames it.
                        "db_table": "customers_email",
                        "ordering": ["-id"],
                        "indexes": [
                            models.Index(fields=["recipient", "-id"], name="email_recipient_log"),
                            models.Index(fields=["about", "-id"], name="email_about_log"),
                            models.Index(
                                condition=models.Q(("status", "sending")),
                                fields=["claimed_at"],
                                name="email_sending_claims",
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("status__in", ["queued", "sending", "sent", "failed", "no_address"])
                                ),
                                name="email_status_known",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("status", "sending"), _negated=True),
                                    ("claimed_at__isnull", False),
                                    _connector="OR",
                                ),
                                name="email_sending_is_claimed",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("status", "no_address"),
                                    models.Q(("to_address", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="email_has_address_unless_unsent",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        # db_table back to the default, `mail_email`: the table is renamed, its rows stay.
        migrations.AlterModelTable(name="email", table=None),
        move_content_types(["email"], old="customers", new="mail"),
    ]
