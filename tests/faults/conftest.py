"""Fixtures for the fault tests: they run in real transactions (a fault must roll back a
real one), so each starts from a flushed database and needs the migrated rows back."""

from importlib import import_module

import pytest


@pytest.fixture(scope="session")
def _data_migrations():
    """The data migrations that make the staff roles, labels, relationship types and switches
    (those whose module defines GRANTS), in the order `migrate` runs them, and their apps."""
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    loader = MigrationLoader(None, ignore_no_migrations=True)
    keys = []
    for leaf in sorted(loader.graph.leaf_nodes()):
        keys += [key for key in loader.graph.forwards_plan(leaf) if key not in keys]
    operations = [
        operation
        for key in keys
        if hasattr(import_module(type(loader.graph.nodes[key]).__module__), "GRANTS")
        for operation in loader.graph.nodes[key].operations
        if isinstance(operation, RunPython)
    ]
    assert operations, "No migration defines GRANTS: where do the staff roles come from?"
    return loader.project_state().apps, operations


@pytest.fixture(autouse=True)
def migrated_rows(on_postgres, transactional_db, _data_migrations):
    """Replay the data migrations: a transactional test before this one (tests/concurrency,
    or the previous fault test) ended by flushing every table, roles and types included.
    They use get_or_create, so on a database that still has the rows they change nothing.
    The same approach as tests/e2e/conftest.py's `staff_roles`."""
    from django.core.cache import cache
    from django.db import connection

    apps, operations = _data_migrations
    with connection.schema_editor() as schema_editor:
        for operation in operations:
            operation.code(apps, schema_editor)
    # The flush leaves the cache table as it was: forget the switches an earlier test set.
    cache.clear()
