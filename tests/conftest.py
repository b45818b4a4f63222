"""Fixtures shared by every test folder."""

import os

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from hypothesis import HealthCheck, settings
from waffle.testutils import override_switch

from billing.features import BILLING
from customers.roles import FRONT_DESK, MANAGER
from groups import services as group_services
from groups.features import ACCOUNT_LINKING, ADMINS_IN_SEVERAL_GROUPS, CLIENT_GROUPS
from groups.models import MemberLabel, Role
from linking.models import RelationshipType
from tests.factories import CustomerFactory, UserFactory

# CI runs a fixed, small set of examples so that a run is repeatable; locally, "dev" explores.
settings.register_profile(
    "ci", derandomize=True, max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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
        pytest.skip("Needs PostgreSQL: set DATABASE_URL=postgres://… (see README).")


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
