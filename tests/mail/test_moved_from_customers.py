"""A database from before the email log had its own app (customers.Email, sent by
customers.tasks) migrates to today's layout with every row: the emails keep their ids,
fields and links, the permissions on emails (and the roles holding them) now say `mail`, and
a delivery waiting in the queue at deploy time is still made.

Migrates the test database back to the old layout and forward again, so it runs in real
transactions (as the migrations do) and leaves the schema as it found it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import mail as outbox
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.roles import MANAGER
from mail.models import Email
from tests.mail.test_mail_queue import DATABASE_QUEUE

pytestmark = pytest.mark.django_db(transaction=True)

#: The last migration of the old layout, and `mail` not yet there.
OLD_LAYOUT = [("customers", "0015_email_sending_claim"), ("mail", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # what is applied now
    return executor


def _fields(email):
    return {field.attname: getattr(email, field.attname) for field in email._meta.concrete_fields}


def test_the_email_log_moves_to_mail_with_every_row():
    executor = _migrate(OLD_LAYOUT)
    try:
        old = executor.loader.project_state([OLD_LAYOUT[0]]).apps
        assert not old.is_installed("mail")
        Customer, OldEmail = old.get_model("customers", "Customer"), old.get_model("customers", "Email")
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        assert "customers_email" in tables and "mail_email" not in tables

        ann = Customer.objects.create(first_name="Ann", last_name="Lee", email="ann@example.com")
        ben = Customer.objects.create(first_name="Ben", last_name="Lee")
        failed = OldEmail.objects.create(
            recipient=ann,
            about=ben,
            to_address="ann@example.com",
            kind="booking.confirmation",
            subject="Ben's haircut is booked",
            body="See you on Friday.",
            status="failed",
            error="SMTPRecipientsRefused: mailbox full",
            attempts=2,
            once_key="booking.confirmation:1:c1",
        )
        again = OldEmail.objects.create(
            recipient=ann, about=ben, to_address="ann@example.com", kind="booking.confirmation",
            subject="Ben's haircut is booked", body="See you on Friday.", status="queued",
        )  # fmt: skip
        failed.sent_again_as = again
        failed.save(update_fields=["sent_again_as"])
        unsent = OldEmail.objects.create(
            recipient=ben, about=ben, kind="form.request", subject="Your form", body="Please fill it in.",
            status="no_address",
        )  # fmt: skip
        before = {email.pk: _fields(email) for email in OldEmail.objects.all()}

        # The permissions on emails were the customers app's; a role may hold one.
        old_type, _ = ContentType.objects.get_or_create(app_label="customers", model="email")
        view_email, _ = Permission.objects.get_or_create(
            content_type=old_type, codename="view_email", defaults={"name": "Can view email"}
        )
        manager, _ = Group.objects.get_or_create(name=MANAGER)
        manager.permissions.add(view_email)

        # A delivery of the email sent again, waiting in the database queue at deploy time,
        # and one the worker finished before it, kept as history.
        waiting = DBTaskResult.objects.create(
            task_path="customers.tasks.deliver_email",
            args_kwargs={"args": [again.pk], "kwargs": {}},
            backend_name="default",
            run_after=timezone.now(),
            exception_class_path="",
            traceback="",
        )
        finished = DBTaskResult.objects.create(
            task_path="customers.tasks.deliver_email",
            args_kwargs={"args": [failed.pk], "kwargs": {}},
            backend_name="default",
            run_after=timezone.now(),
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path="smtplib.SMTPRecipientsRefused",
            traceback="",
        )
    finally:
        executor = _migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert "mail_email" in tables and "customers_email" not in tables
    assert {email.pk: _fields(email) for email in Email.objects.all()} == before
    assert Email.objects.get(pk=failed.pk).sent_again_as == Email.objects.get(pk=again.pk)
    assert Email.objects.get(pk=unsent.pk).status == Email.Status.NO_ADDRESS
    # Every constraint and index kept its name, on the renamed table.
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, "mail_email"))
    assert {
        "email_recipient_log",
        "email_about_log",
        "email_sending_claims",
        "email_status_known",
        "email_sending_is_claimed",
        "email_has_address_unless_unsent",
    } <= names

    # The same content type and permission, now the mail app's, and the role still holds it.
    email_type = ContentType.objects.get(pk=old_type.pk)
    assert (email_type.app_label, email_type.model) == ("mail", "email")
    assert ContentType.objects.get_for_model(Email) == email_type
    assert not ContentType.objects.filter(app_label="customers", model="email").exists()
    assert Permission.objects.get(pk=view_email.pk).content_type == email_type
    assert manager.permissions.filter(content_type__app_label="mail", codename="view_email").exists()

    # The waiting delivery now names the task where it lives, and the worker makes it.
    waiting.refresh_from_db()
    finished.refresh_from_db()
    assert waiting.task_path == "mail.tasks.deliver_email"
    assert finished.task_path == "customers.tasks.deliver_email"
    with override_settings(TASKS=DATABASE_QUEUE):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    sent = Email.objects.get(pk=again.pk)
    assert sent.status == Email.Status.SENT and sent.sent_at is not None
    assert [message.to for message in outbox.outbox] == [["ann@example.com"]]
