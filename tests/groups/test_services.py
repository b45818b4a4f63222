"""The group rules, enforced by the services and, beneath them, by the database."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.errors import KinshipError, StaleEdit
from customers.models import Activity
from groups import services
from groups.models import CustomerGroup, GroupMember, MemberLabel, Role
from mail.models import Email
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def roles(group):
    return {
        m.customer.first_name: m.role
        for m in GroupMember.objects.filter(group=group).select_related("customer")
    }


def history(customer):
    return [line.sentence for line in Activity.objects.filter(customer=customer).order_by("id")]


def snapshot():
    return (
        list(CustomerGroup.objects.order_by("pk").values()),
        list(GroupMember.objects.order_by("pk").values()),
        Activity.objects.count(),
    )


def refused(action, match):
    """Run `action`, expect a KinshipError saying `match`, and check that nothing changed."""
    before = snapshot()
    with pytest.raises(KinshipError, match=match):
        action()
    assert snapshot() == before


def test_the_first_member_is_the_owner_and_names_the_group(actor, labels):
    anna = CustomerFactory(first_name="Anna", last_name="Smith")
    group = services.create_group(actor=actor, owner_id=anna.pk, owner_label_id=labels["Parent"].pk)
    assert group.name == "Smith family"
    assert roles(group) == {"Anna": Role.OWNER}
    assert history(anna) == ["Created the group “Smith family” as its Owner (Parent)."]


def test_create_with_a_member_and_an_own_name(family, actor, labels):
    group = family["group"]
    assert roles(group) == {"Anna": "owner", "Ben": "dependent", "Cara": "admin"}
    assert "Added to “Smith family” as Dependent (Child)." in history(family["ben"])
    assert "Ben Smith was added to “Smith family” as Dependent (Child)." in history(family["anna"])
    dan = CustomerFactory(first_name="Dan", last_name="Lee")
    named = services.create_group(
        actor=actor, owner_id=dan.pk, owner_label_id=labels["Carer"].pk, name="  Care of Dad  "
    )
    assert named.name == "Care of Dad"


def test_a_customer_already_in_a_group_cannot_start_or_join_another(family, actor, labels):
    ben, other = family["ben"], CustomerFactory(first_name="Olly")
    parent, child = labels["Parent"].pk, labels["Child"].pk
    refused(
        lambda: services.create_group(actor=actor, owner_id=ben.pk, owner_label_id=parent),
        r"Ben Smith is already in a group \(Smith family\)",
    )
    # Nothing half-done: the group for Olly is not left behind when Ben cannot join it.
    refused(
        lambda: services.create_group(
            actor=actor, owner_id=other.pk, owner_label_id=parent, member_id=ben.pk, member_label_id=child
        ),
        "already in a group",
    )
    olly_group = services.create_group(actor=actor, owner_id=other.pk, owner_label_id=parent)
    refused(
        lambda: services.add_member(
            actor=actor, group_id=olly_group.pk, customer_id=ben.pk, role=Role.DEPENDENT, label_id=child
        ),
        "already in a group",
    )


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: CustomerFactory(archived_at=timezone.now()), "is archived"),
        (lambda: CustomerFactory(merged_into=CustomerFactory(), merged_at=timezone.now()), "was merged"),
    ],
    ids=["archived", "merged"],
)
def test_archived_and_merged_customers_cannot_join(family, actor, labels, make, match):
    customer = make()
    refused(
        lambda: services.add_member(
            actor=actor,
            group_id=family["group"].pk,
            customer_id=customer.pk,
            role=Role.DEPENDENT,
            label_id=labels["Child"].pk,
        ),
        match,
    )
    refused(
        lambda: services.create_group(actor=actor, owner_id=customer.pk, owner_label_id=labels["Parent"].pk),
        match,
    )


def test_unknown_customer_group_member_and_label(family, actor, labels):
    group, child = family["group"], labels["Child"].pk
    refused(
        lambda: services.add_member(
            actor=actor, group_id=group.pk, customer_id=999_999, role=Role.DEPENDENT, label_id=child
        ),
        "does not exist",
    )
    stranger = CustomerFactory()
    refused(
        lambda: services.add_member(
            actor=actor, group_id=999_999, customer_id=stranger.pk, role=Role.DEPENDENT, label_id=child
        ),
        "no longer exists",
    )
    refused(
        lambda: services.add_member(
            actor=actor, group_id=group.pk, customer_id=stranger.pk, role="boss", label_id=child
        ),
        "Choose a role",
    )
    refused(
        lambda: services.add_member(
            actor=actor, group_id=group.pk, customer_id=stranger.pk, role=Role.DEPENDENT, label_id=999_999
        ),
        "Choose a label",
    )
    refused(lambda: services.remove_member(actor=actor, member_id=999_999), "no longer in the group")
    refused(
        lambda: services.create_group(
            actor=actor,
            owner_id=stranger.pk,
            owner_label_id=child,
            member_id=stranger.pk,
            member_label_id=child,
        ),
        "choose someone else",
    )


def test_a_retired_label_is_not_offered_but_members_keep_it(family, actor, labels):
    MemberLabel.objects.filter(pk=labels["Nanny"].pk).update(is_active=False)
    cara = family["members"]["cara"]
    newcomer = CustomerFactory()
    refused(
        lambda: services.add_member(
            actor=actor,
            group_id=family["group"].pk,
            customer_id=newcomer.pk,
            role=Role.ADMIN,
            label_id=labels["Nanny"].pk,
        ),
        "“Nanny” is retired",
    )
    # Cara keeps her retired label through a change of role.
    changed = services.change_member(
        actor=actor, member_id=cara.pk, role=Role.DEPENDENT, label_id=labels["Nanny"].pk, version=cara.version
    )
    assert changed.label_id == labels["Nanny"].pk and changed.role == Role.DEPENDENT
    # ...but cannot be moved onto another retired one.
    MemberLabel.objects.filter(pk=labels["Carer"].pk).update(is_active=False)
    refused(
        lambda: services.change_member(
            actor=actor,
            member_id=cara.pk,
            role=Role.DEPENDENT,
            label_id=labels["Carer"].pk,
            version=changed.version,
        ),
        "“Carer” is retired",
    )


def test_adding_an_owner_hands_ownership_over(family, actor, labels):
    dan = CustomerFactory(first_name="Dan", last_name="Smith")
    services.add_member(
        actor=actor,
        group_id=family["group"].pk,
        customer_id=dan.pk,
        role=Role.OWNER,
        label_id=labels["Parent"].pk,
    )
    assert roles(family["group"]) == {"Anna": "admin", "Ben": "dependent", "Cara": "admin", "Dan": "owner"}
    assert history(family["anna"])[-1] == "Handed ownership of “Smith family” to Dan Smith; now an Admin."


def test_making_a_member_owner_hands_over_and_the_owner_cannot_step_down_alone(family, actor, labels):
    anna, cara = family["members"]["anna"], family["members"]["cara"]
    refused(
        lambda: services.change_member(
            actor=actor, member_id=anna.pk, role=Role.ADMIN, label_id=anna.label_id, version=anna.version
        ),
        "Make another member the Owner first",
    )
    services.change_member(
        actor=actor, member_id=cara.pk, role=Role.OWNER, label_id=cara.label_id, version=cara.version
    )
    assert roles(family["group"]) == {"Anna": "admin", "Ben": "dependent", "Cara": "owner"}
    assert history(family["cara"])[-2:] == [
        "Became the Owner of “Smith family”.",
        "In “Smith family”: role Admin → Owner.",
    ]
    assert "Handed ownership of “Smith family” to Cara Jones; now an Admin." in history(family["anna"])


def test_change_label_writes_history_on_member_and_owner(family, actor, labels):
    ben = family["members"]["ben"]
    services.change_member(
        actor=actor, member_id=ben.pk, role=Role.DEPENDENT, label_id=labels["Carer"].pk, version=ben.version
    )
    assert history(family["ben"])[-1] == "In “Smith family”: label Child → Carer."
    assert history(family["anna"])[-1] == "Ben Smith in “Smith family”: label Child → Carer."


def test_a_stale_change_is_refused(family, actor, labels):
    ben = family["members"]["ben"]
    services.change_member(
        actor=actor, member_id=ben.pk, role=Role.ADMIN, label_id=ben.label_id, version=ben.version
    )
    before = snapshot()
    with pytest.raises(StaleEdit):
        services.change_member(
            actor=actor, member_id=ben.pk, role=Role.DEPENDENT, label_id=ben.label_id, version=ben.version
        )
    assert snapshot() == before


def test_the_owner_leaves_last_and_then_the_group_is_gone(family, actor):
    members = family["members"]
    refused(lambda: services.remove_member(actor=actor, member_id=members["anna"].pk), "is the Owner")
    services.remove_member(actor=actor, member_id=members["ben"].pk)
    assert history(family["ben"])[-1] == "Removed from “Smith family”."
    assert history(family["anna"])[-1] == "Ben Smith was removed from “Smith family”."
    services.remove_member(actor=actor, member_id=members["cara"].pk)
    assert services.remove_member(actor=actor, member_id=members["anna"].pk) is None
    assert not CustomerGroup.objects.exists()
    assert history(family["anna"])[-1] == "Left “Smith family”, its last member; the group is gone."


def test_rename_writes_history_on_every_member_and_refuses_stale_or_empty(family, actor):
    group = family["group"]
    refused(lambda: services.rename_group(actor=actor, group_id=group.pk, name="   ", version=1), "name")
    services.rename_group(actor=actor, group_id=group.pk, name="The Smiths", version=1)
    for who in ("anna", "ben", "cara"):
        assert history(family[who])[-1] == "The group “Smith family” was renamed “The Smiths”."
    refused(lambda: services.rename_group(actor=actor, group_id=group.pk, name="Other", version=1), "changed")


def test_with_the_switch_an_admin_may_be_in_several_groups(family, actor, labels, several_groups_on):
    cara, nanny = family["cara"], labels["Nanny"].pk
    other = services.create_group(
        actor=actor, owner_id=CustomerFactory().pk, owner_label_id=labels["Parent"].pk
    )
    # Cara joined the Smiths before the switch; now she may join another family too.
    services.add_member(actor=actor, group_id=other.pk, customer_id=cara.pk, role=Role.ADMIN, label_id=nanny)
    assert set(GroupMember.objects.filter(customer=cara).values_list("in_several_groups", flat=True)) == {
        True
    }
    carer = CustomerFactory(first_name="Cal")
    for group in (family["group"], other):
        services.add_member(
            actor=actor, group_id=group.pk, customer_id=carer.pk, role=Role.ADMIN, label_id=nanny
        )
    assert GroupMember.objects.filter(customer=carer, in_several_groups=True).count() == 2
    # ...but not as a Dependent or an Owner anywhere while she is in two.
    third = services.create_group(
        actor=actor, owner_id=CustomerFactory().pk, owner_label_id=labels["Parent"].pk
    )
    refused(
        lambda: services.add_member(
            actor=actor, group_id=third.pk, customer_id=carer.pk, role=Role.DEPENDENT, label_id=nanny
        ),
        "already in a group",
    )
    membership = GroupMember.objects.get(customer=carer, group=other)
    refused(
        lambda: services.change_member(
            actor=actor, member_id=membership.pk, role=Role.OWNER, label_id=nanny, version=membership.version
        ),
        "also in another group",
    )
    # The owner of a group cannot become an Admin elsewhere either.
    refused(
        lambda: services.add_member(
            actor=actor, group_id=other.pk, customer_id=family["anna"].pk, role=Role.ADMIN, label_id=nanny
        ),
        "only someone who is an Admin everywhere",
    )


def test_the_database_refuses_what_the_services_refuse(family, labels):
    """The rules hold even for code that skips the services."""
    ben, group = family["ben"], family["group"]
    other = CustomerGroup.objects.create(name="Other")
    child = labels["Child"]
    fresh = {"customer": CustomerFactory, "label": child}
    cases = {
        "customer_in_one_group": {"group": other, "customer": ben, "role": Role.DEPENDENT, "label": child},
        "group_has_one_owner": {**fresh, "group": group, "role": Role.OWNER},
        "group_member_role_known": {**fresh, "group": other, "role": "boss"},
        "group_member_only_admins_in_several": {
            **fresh,
            "group": other,
            "role": Role.DEPENDENT,
            "in_several_groups": True,
        },
    }
    for name, fields in cases.items():
        if callable(fields["customer"]):
            fields["customer"] = fields["customer"]()
        with pytest.raises(IntegrityError) as refused_by, transaction.atomic():
            GroupMember.objects.create(**fields)
        if connection.vendor == "postgresql":  # SQLite names the columns, not the constraint
            assert name in str(refused_by.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberLabel.objects.create(name="pArEnT")


def test_on_postgresql_an_admin_in_several_groups_holds_no_other_kind_of_place(family, labels, on_postgres):
    """The exclusion constraint from migration 0002: a shared Admin place and a sole place
    of the same customer cannot coexist, whatever writes them."""
    other = CustomerGroup.objects.create(name="Other")
    with pytest.raises(IntegrityError, match="group_member_several_only_as_admin"), transaction.atomic():
        GroupMember.objects.create(
            group=other,
            customer=family["ben"],
            role=Role.ADMIN,
            label=labels["Nanny"],
            in_several_groups=True,
        )


def test_a_dependent_is_emailed_when_someone_may_now_act_for_them(
    actor, labels, mailoutbox, django_capture_on_commit_callbacks
):
    """Adding a Dependent tells them who manages the group; adding an Admin tells each
    Dependent; a change that grants nobody anything new sends nothing."""
    owner = CustomerFactory(first_name="Olga", email="olga@example.com")
    child = CustomerFactory(first_name="Kim", email="kim@example.com")
    nanny = CustomerFactory(first_name="Nia", email="nia@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        group = services.create_group(
            actor=actor,
            owner_id=owner.pk,
            owner_label_id=labels["Parent"].pk,
            member_id=child.pk,
            member_role=Role.DEPENDENT,
            member_label_id=labels["Child"].pk,
        )

    def told():
        return Email.objects.filter(kind="group.granted")

    assert [(e.recipient, e.subject) for e in told()] == [(child, f"{owner.full_name} may now act for you")]

    with django_capture_on_commit_callbacks(execute=True):
        member = services.add_member(
            actor=actor, group_id=group.pk, customer_id=nanny.pk, role=Role.ADMIN, label_id=labels["Nanny"].pk
        )
    assert told().count() == 2
    assert told().first().subject == f"{nanny.full_name} may now act for you"
    assert told().first().recipient == child

    with django_capture_on_commit_callbacks(execute=True):  # a new label grants nothing new
        services.change_member(
            actor=actor,
            member_id=member.pk,
            role=Role.ADMIN,
            label_id=labels["Carer"].pk,
            version=member.version,
        )
    assert told().count() == 2
    assert sorted(message.to[0] for message in mailoutbox if "may now act" in message.subject) == [
        "kim@example.com",
        "kim@example.com",
    ]
