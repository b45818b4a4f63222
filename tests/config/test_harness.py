"""The test harness itself (tests/conftest.py): the rows the data migrations made come back for
every transactional test, and on SQLite the test database is a file whose writers wait for
each other, so the live server never shares the tests' connection."""

import threading
import time
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, models, transaction

from core.roles import FRONT_DESK, MANAGER
from groups.models import MemberLabel
from tests.conftest import restore_migrated_rows

# Made again by post_migrate after any flush (under new ids), or written by the tests themselves.
NOT_SEEDED = {ContentType, Permission}


def seed():
    """Every row of every model, by what it says rather than by id: foreign keys and many-to-many
    fields by the related rows' text, timestamps left out (a replay writes its own)."""
    rows = {}
    for model in apps.get_models():
        if model in NOT_SEEDED or model._meta.proxy:
            continue
        fields = [
            field
            for field in model._meta.concrete_fields
            if not field.primary_key and not isinstance(field, models.DateTimeField | models.DateField)
        ]
        many = model._meta.many_to_many
        found = sorted(
            (
                tuple(
                    str(getattr(row, field.name)) if field.is_relation else getattr(row, field.name)
                    for field in fields
                )
                + tuple(tuple(sorted(map(str, getattr(row, field.name).all()))) for field in many)
            )
            for row in model._base_manager.all()
        )
        if found:
            rows[model._meta.label] = found
    return rows


@pytest.mark.django_db
def test_a_flushed_database_gets_back_every_row_the_migrations_made(seed_migrations):
    # A non-transactional test sees the database as `migrate` left it (pytest-django runs them
    # before the transactional ones), and rolls back whatever it does, the flush included.
    migrated = seed()
    assert {FRONT_DESK, MANAGER} <= {name for (name, _) in migrated["auth.Group"]}
    assert {"groups.MemberLabel", "linking.RelationshipType", "waffle.Switch"} <= set(migrated)
    try:
        # As TransactionTestCase ends: every table emptied, post_migrate sent.
        call_command("flush", interactive=False, verbosity=0)
        assert seed() == {}
        # SQLite opens no schema editor inside a transaction; the seed migrations use none of
        # it but its connection (the fixture, outside any transaction, gives them a real one).
        restore_migrated_rows(seed_migrations, schema_editor=SimpleNamespace(connection=connection))
        assert seed() == migrated
    finally:
        # The flush made content types under new ids, which the rollback takes away again.
        ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_the_test_database_is_a_file_whose_writers_wait_for_each_other():
    if connection.vendor != "sqlite":
        pytest.skip("The SQLite test database.")
    assert not connection.is_in_memory_db()

    first_holds_the_lock, events = threading.Event(), []

    def first():
        try:
            with transaction.atomic():  # BEGIN IMMEDIATE: takes the write lock at once.
                MemberLabel.objects.create(name="First")
                first_holds_the_lock.set()
                time.sleep(0.3)
                events.append("first commits")
        finally:
            connection.close()

    def second():
        try:
            first_holds_the_lock.wait(5)
            with transaction.atomic():  # Waits for the lock (`timeout`), not "database is locked".
                MemberLabel.objects.create(name="Second")
            events.append("second committed")
        except Exception as error:
            events.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert events == ["first commits", "second committed"]
    assert set(MemberLabel.objects.filter(name__in=["First", "Second"]).values_list("name", flat=True)) == {
        "First",
        "Second",
    }


def test_the_live_server_opens_its_own_connections(transactional_db, live_server):
    # With an in-memory SQLite database pytest-django hands the server thread the tests' own
    # connection; with a file (or PostgreSQL) there is nothing to hand over.
    assert live_server.thread.connections_override == {}


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_starts_with_the_staff_roles():
    # Last in the file, so the transactional tests above have flushed the database before it:
    # the roles are back, with their permissions.
    roles = Group.objects.filter(name__in=[FRONT_DESK, MANAGER])
    assert sorted(role.name for role in roles) == sorted([FRONT_DESK, MANAGER])
    assert all(role.permissions.exists() for role in roles)
