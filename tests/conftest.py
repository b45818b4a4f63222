"""Fixtures shared by every test folder."""

import os
from contextlib import nullcontext
from importlib import import_module

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from hypothesis import HealthCheck, settings
from waffle.testutils import override_switch

from billing.features import BILLING
from client_groups.features import CLIENT_GROUPS
from core.roles import FRONT_DESK, MANAGER
from groups import services as group_services
from groups.features import ACCOUNT_LINKING, ADMINS_IN_SEVERAL_GROUPS
from groups.models import MemberLabel, Role
from linking.models import RelationshipType
from tests.factories import CustomerFactory, UserFactory

# CI runs a fixed, small set of examples so that a run is repeatable; locally, "dev" explores.
settings.register_profile(
    "ci", derandomize=True, max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


POSTGRES_ONLY = "Needs PostgreSQL: set DATABASE_URL=postgres://… (see README)."


# --- Which tests use a database --------------------------------------------------------------

# A test that requests none of these (nor carries `django_db`, nor is a Django TestCase, as
# hypothesis' stateful tests are) cannot reach the database:
# pytest-django refuses it one. Its outcome does not depend on the database engine, so CI's
# PostgreSQL run leaves it out (`-m "not no_database"`) once the SQLite run has passed it.
# (`django_db_blocker` is not one: an autouse fixture of pytest-django's needs it everywhere.)
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup", "_django_db_helper"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # First, so that the mark is there before `-m` deselects.
    from django.conf import settings as django_settings
    from django.test import TransactionTestCase

    on_postgres = django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    for item in items:
        if not on_postgres and item.get_closest_marker("postgres"):
            # Skipped here, before pytest-django sets up a transactional database for it and
            # flushes it again, as it did before `on_postgres` skipped (228 tests: 67 s to skip).
            item.add_marker(pytest.mark.skip(reason=POSTGRES_ONLY))
        django_test_case = issubclass(getattr(item, "cls", None) or object, TransactionTestCase)
        fixtures = set(getattr(item, "fixturenames", ()))
        if not (django_test_case or item.get_closest_marker("django_db") or DATABASE_FIXTURES & fixtures):
            item.add_marker(pytest.mark.no_database)


# --- The test database -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, tmp_path_factory):
    """On SQLite, a test database in a file (under pytest's temporary directory, one per run and
    per xdist worker) rather than pytest-django's in-memory one.

    With an in-memory database the live server's thread borrows the tests' own connection, so
    a browser test's factories and the page it drives share one SQLite connection across two
    threads, which can hang a run. With a file the live server opens connections of its own,
    which wait for each other's writes (IMMEDIATE transactions, `timeout` in config/settings.py)
    as an app server's do. It costs the rest of the suite little (see README, "Working on
    Kinship"), so the whole SQLite run uses it.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    test = database.setdefault("TEST", {})
    if database["ENGINE"] == "django.db.backends.sqlite3" and not test.get("NAME"):
        test["NAME"] = str(tmp_path_factory.mktemp("database") / "kinship.sqlite3")


# --- Transactional tests get the migrated rows back ------------------------------------------
#
# The staff roles ("Front desk", "Manager" auth groups), the member labels, the relationship
# types and the waffle switches come from data migrations, and every transactional test
# (`django_db(transaction=True)`, `transactional_db`, `live_server`: tests/e2e, concurrency,
# faults, the mail queue) ends by flushing every table. The first such test of a run sees those
# rows; the later ones would not, as the flush's post_migrate signal recreates only content
# types and permissions. So `migrated_rows` below replays, before each transactional test, the
# data migrations that make them: those whose module defines GRANTS (add GRANTS to a new one).
# They use get_or_create and add, so on a database that still has the rows they change nothing.
#
# Why not pytest-django's `serialized_rollback=True`, which reloads the rows `migrate` left
# (193 of them today: 34 content types, 139 permissions, 2 groups, 5 switches, 4 labels,
# 9 relationship types) before the test? It works only if every transactional test of the run
# uses it:
# - A transactional test without it ends with a flush whose post_migrate signal recreates the
#   content types and permissions under new ids (TransactionTestCase flushes with
#   reset_sequences=False). A serialized_rollback test after it then saves content type 1
#   (admin.logentry) while (admin, logentry) exists as, say, 35: IntegrityError on
#   django_content_type's unique (app_label, model). That is what happened after
#   tests/concurrency (reproduced on PostgreSQL 15: tests/concurrency/test_customer_races.py,
#   then a serialized_rollback test).
# - A serialized_rollback test's own flush inhibits post_migrate (so that the next reload does
#   not collide), which leaves no content types, permissions or roles at all for a transactional
#   test without it that runs next.
# - pytest-django serialises the database only when a test selected for the run asks for it,
#   so the same test behaves differently alone and in the whole run.
# Marking every transactional test serialized_rollback at collection would hold only while no
# test requests `transactional_db` dynamically; the replay below works in any order.


@pytest.fixture(scope="session")
def seed_migrations():
    """The data migrations that make the roles, labels, types and switches (those whose module
    defines GRANTS), in the order `migrate` runs them, and the historical apps to run them with."""
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


def restore_migrated_rows(seed_migrations, schema_editor=None):
    """Replay the seed migrations on the test database, and forget what the cache holds."""
    from django.core.cache import cache

    apps, operations = seed_migrations
    with connection.schema_editor() if schema_editor is None else nullcontext(schema_editor) as editor:
        for operation in operations:
            operation.code(apps, editor)
    # The replay recreates waffle's switches (off) through the migration's models, which send
    # waffle no signal, and the flush leaves the cache table (`kinship_cache`, not a model) as it
    # was: clear it, so that no test sees the switches the test before it set.
    cache.clear()


def is_transactional(item):
    """Whether pytest-django runs this test in real transactions, ending with a flush (its own
    rule, pytest_django.plugin's get_order_number)."""
    marker = item.get_closest_marker("django_db")
    if marker:
        transaction = marker.kwargs.get("transaction", marker.args[0] if marker.args else False)
        if transaction or marker.kwargs.get("reset_sequences"):
            return True
    fixtures = getattr(item, "fixturenames", ())
    return any(name in fixtures for name in ("transactional_db", "live_server", "django_db_reset_sequences"))


@pytest.fixture(autouse=True)
def migrated_rows(request):
    """Every transactional test starts with the rows the data migrations made (see above)."""
    if not is_transactional(request.node):
        return
    request.getfixturevalue("transactional_db")
    restore_migrated_rows(request.getfixturevalue("seed_migrations"))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords cheaply; real hashing is slow on purpose and tests make many."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _staff(role, **kwargs):
    # A role, not is_staff, opens the back office; is_staff means "may use the Django admin".
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def front_desk_user(db):
    return _staff(FRONT_DESK, username="fran")


@pytest.fixture
def manager_user(db):
    return _staff(MANAGER, username="morgan")


@pytest.fixture
def superuser(db):
    """A superuser: every permission, and the Django admin."""
    return UserFactory(is_staff=True, is_superuser=True, username="sue")


@pytest.fixture
def staff_without_roles(db):
    """Staff in name only: no role, so no permissions (and not made staff of the admin)."""
    return UserFactory(username="nora")


@pytest.fixture
def portal_user(db):
    """A logged-in user who is not staff (a client of the portal, later)."""
    return UserFactory(is_staff=False, username="pat")


@pytest.fixture
def desk(client, front_desk_user):
    """A test client logged in as a Front desk receptionist."""
    client.force_login(front_desk_user)
    return client


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip(POSTGRES_ONLY)


@pytest.fixture
def linking_on(db):
    with override_switch(ACCOUNT_LINKING, active=True):
        yield


@pytest.fixture
def billing_on(db):
    with override_switch(BILLING, active=True):
        yield


@pytest.fixture
def client_groups_on(db):
    with override_switch(CLIENT_GROUPS, active=True):
        yield


@pytest.fixture
def several_groups_on(db):
    with override_switch(ADMINS_IN_SEVERAL_GROUPS, active=True):
        yield


@pytest.fixture
def labels(db):
    """The default labels the data migration made, by name."""
    return {label.name: label for label in MemberLabel.objects.all()}


@pytest.fixture
def actor(front_desk_user):
    return front_desk_user


@pytest.fixture
def family(actor, labels):
    """The Smiths: Anna (Owner, Parent), Ben (Dependent, Child) and Cara (Admin, Nanny)."""
    anna = CustomerFactory(first_name="Anna", last_name="Smith")
    ben = CustomerFactory(first_name="Ben", last_name="Smith")
    cara = CustomerFactory(first_name="Cara", last_name="Jones")
    group = group_services.create_group(
        actor=actor,
        owner_id=anna.pk,
        owner_label_id=labels["Parent"].pk,
        member_id=ben.pk,
        member_role=Role.DEPENDENT,
        member_label_id=labels["Child"].pk,
    )
    group_services.add_member(
        actor=actor, group_id=group.pk, customer_id=cara.pk, role=Role.ADMIN, label_id=labels["Nanny"].pk
    )
    members = {m.customer.first_name.lower(): m for m in group.members.select_related("customer")}
    return {"group": group, "anna": anna, "ben": ben, "cara": cara, "members": members}


@pytest.fixture
def types(db):
    """The default relationship types the data migration made, by name."""
    return {kind.name: kind for kind in RelationshipType.objects.select_related("reverse")}
