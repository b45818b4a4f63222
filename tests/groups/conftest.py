import pytest
from waffle.testutils import override_switch

from groups import services
from groups.features import ACCOUNT_LINKING, ADMINS_IN_SEVERAL_GROUPS
from groups.models import MemberLabel, Role
from tests.factories import CustomerFactory


@pytest.fixture
def linking_on(db):
    with override_switch(ACCOUNT_LINKING, active=True):
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
    group = services.create_group(
        actor=actor,
        owner_id=anna.pk,
        owner_label_id=labels["Parent"].pk,
        member_id=ben.pk,
        member_role=Role.DEPENDENT,
        member_label_id=labels["Child"].pk,
    )
    services.add_member(
        actor=actor, group_id=group.pk, customer_id=cara.pk, role=Role.ADMIN, label_id=labels["Nanny"].pk
    )
    members = {m.customer.first_name.lower(): m for m in group.members.select_related("customer")}
    return {"group": group, "anna": anna, "ben": ben, "cara": cara, "members": members}
