"""Every write to groups and their members. One function per receptionist action.

Each runs in one transaction, writes a History line on every customer it touches, and
locks what two desks could race for, always in the same order: the group row first, then
customers by id, then memberships. The database constraints on `GroupMember` hold the rules a lock could
miss; their violations come back as `KinshipError`s a receptionist can read.
"""

from django.db import IntegrityError, transaction

from core.errors import KinshipError, StaleEdit
from customers.models import Customer
from customers.services import lock_customer, lock_customers, record_activity
from groups.features import admins_in_several_groups
from groups.models import CustomerGroup, GroupMember, MemberLabel, Role
from groups.queries import managed_pairs
from mail.services import Recipient, queue

NAME_MAX = CustomerGroup._meta.get_field("name").max_length


def default_group_name(owner):
    """Name a new group after its owner's family: "Smith family"."""
    return f"{owner.last_name} family"[:NAME_MAX]


def _lock_customers(customer_ids):
    """Lock the customers for change, in id order, refusing any that cannot join a group."""
    return lock_customers(customer_ids, active_for="adding them to a group")


def _lock_group(group_id):
    try:
        return CustomerGroup.objects.select_for_update().get(pk=group_id)
    except CustomerGroup.DoesNotExist:
        raise KinshipError("That group no longer exists.") from None


def _offered_label(label_id):
    """The label for a new choice: it must exist and not be retired."""
    label = MemberLabel.objects.filter(pk=label_id).first()
    if label is None:
        raise KinshipError("Choose a label.")
    if not label.is_active:
        raise KinshipError(f"The label “{label.name}” is retired; choose another.")
    return label


def _check_role(role):
    if role not in Role.values:
        raise KinshipError("Choose a role: Owner, Admin or Dependent.")


def _joinable(customer, role, group=None):
    """Refuse unless `customer` may join a group in `role`; return the new place's sharing flag.

    A customer belongs to one group; when the switch allows it, an Admin may belong to
    several, as long as every group they are in has them as an Admin. Joining a second
    group marks the Admin places they already hold as shared too.
    """
    current = list(customer.group_memberships.select_related("group"))
    if group is not None and any(m.group_id == group.pk for m in current):
        raise KinshipError(f"{customer.full_name} is already in this group.")
    several = role == Role.ADMIN and admins_in_several_groups()
    if not current:
        return several
    if several and all(m.role == Role.ADMIN for m in current):
        # An Admin who joined while the switch was off is held to one group by the
        # database; now that they may be in several, so are their Admin places so far.
        GroupMember.objects.filter(pk__in=[m.pk for m in current]).update(in_several_groups=True)
        return True
    where = current[0].group.name
    if several:
        raise KinshipError(
            f"{customer.full_name} is the {current[0].get_role_display()} in {where}; "
            "only someone who is an Admin everywhere may be in several groups."
        )
    raise KinshipError(f"{customer.full_name} is already in a group ({where}).")


def _insert_member(**fields):
    """Insert a membership; a constraint the locks could not foresee becomes a clear refusal."""
    try:
        with transaction.atomic():
            return GroupMember.objects.create(**fields)
    except IntegrityError:
        raise KinshipError(
            f"{fields['customer'].full_name} was added to a group at another desk just now. "
            "Reload to see where they are."
        ) from None


@transaction.atomic
def create_group(
    *,
    actor,
    owner_id,
    owner_label_id,
    name="",
    member_id=None,
    member_role=Role.DEPENDENT,
    member_label_id=None,
):
    """Start a group with `owner_id` as its Owner and, if given, one more member.

    Naming a second member with the role Owner hands ownership to them at once, as adding
    an Owner to an existing group does.
    """
    if member_id is not None and int(member_id) == int(owner_id):
        raise KinshipError("The owner is already in the group; choose someone else to add.")
    owner_label = _offered_label(owner_label_id)
    if member_id is not None:
        _check_role(member_role)
        member_label = _offered_label(member_label_id)
    customers = _lock_customers([owner_id] + ([member_id] if member_id is not None else []))
    owner = customers[int(owner_id)]
    _joinable(owner, Role.OWNER)
    group = CustomerGroup.objects.create(name=(name or "").strip()[:NAME_MAX] or default_group_name(owner))
    _insert_member(group=group, customer=owner, role=Role.OWNER, label=owner_label)
    record_activity(
        customers=[owner],
        actor=actor,
        action="group.created",
        data={"group": group.name, "role": Role.OWNER, "label": owner_label.name},
    )
    if member_id is not None:
        _add(
            actor=actor, group=group, customer=customers[int(member_id)], role=member_role, label=member_label
        )
    return group


@transaction.atomic
def add_member(*, actor, group_id, customer_id, role, label_id):
    """Add a customer to a group; adding them as Owner hands ownership over."""
    _check_role(role)
    label = _offered_label(label_id)
    group = _lock_group(group_id)
    customer = _lock_customers([customer_id])[int(customer_id)]
    return _add(actor=actor, group=group, customer=customer, role=role, label=label)


def _managed_pairs(group):
    """{(manager id, dependent id)}: who manages whom in the group, as groups.queries states it
    for linking.authority too (managing a Dependent is what lets someone act for them; groups
    sit below linking, so they ask the fact, not authority). One query."""
    return set(managed_pairs().filter(group=group).order_by().values_list("manager_id", "customer_id"))


def _tell_dependents_of_new_managers(group, before):
    """Email each Dependent whom someone may now act for by the group rule (as the group's
    Owner or an Admin), so nobody gains a say over their bookings without them knowing."""
    new = sorted(_managed_pairs(group) - before, key=lambda pair: (pair[1], pair[0]))
    people = Customer.objects.in_bulk({customer for pair in new for customer in pair})
    for manager, dependent in ((people[m], people[d]) for m, d in new):
        queue(
            kind="group.granted",
            subject=f"{manager.full_name} may now act for you",
            body=(
                f"Hello {dependent.first_name},\n\n{manager.full_name} manages the group "
                f"“{group.name}” you are in, and so may now act for you: book and manage your "
                "appointments, complete your intake forms, receive copies of your appointment emails "
                "and use sessions from your packages."
                "\n\nIf you did not expect this, please contact us and we will change it."
            ),
            about=dependent,
            recipients=[Recipient(dependent)],
        )


def _add(*, actor, group, customer, role, label):
    several = _joinable(customer, role, group)
    before = _managed_pairs(group)
    owner = group.members.select_related("customer").get(role=Role.OWNER)
    if role == Role.OWNER:
        _demote(owner)
    member = _insert_member(group=group, customer=customer, role=role, label=label, in_several_groups=several)
    added = {"group": group.name, "role": role, "label": label.name}
    record_activity(customers=[customer], actor=actor, action="group.member_added", data=added)
    if role == Role.OWNER:
        record_activity(
            customers=[owner.customer],
            actor=actor,
            action="group.owner_changed",
            data={"group": group.name, "owner": customer.full_name},
        )
    else:
        record_activity(
            customers=[owner.customer],
            actor=actor,
            action="group.member_added",
            data={"member": customer.full_name, **added},
        )
    _tell_dependents_of_new_managers(group, before)
    return member


def _demote(owner):
    """Make the current Owner an Admin, first, so the new Owner can take the one place."""
    owner.role = Role.ADMIN
    owner.version += 1
    owner.save(update_fields=["role", "version"])


def _lock_member(member_id, *, version=None):
    """Lock a membership's group and then the membership, and check the form is fresh."""
    ids = GroupMember.objects.filter(pk=member_id).values_list("group_id", "customer_id").first()
    if ids is None:
        raise KinshipError("That customer is no longer in the group.")
    group = _lock_group(ids[0])
    # The customer before their membership, as adding them elsewhere does (which may
    # update this very row): the same order everywhere, so two desks never deadlock.
    lock_customer(ids[1])
    member = (
        GroupMember.objects.select_for_update()
        .select_related("customer", "label")
        .filter(pk=member_id, group=group)
        .first()
    )
    if member is None:
        raise KinshipError("That customer is no longer in the group.")
    if version is not None and member.version != int(version):
        raise StaleEdit(
            f"{member.customer.full_name}'s place in the group was changed at another desk. "
            "Reload to see the change, then try again."
        )
    return group, member


@transaction.atomic
def change_member(*, actor, member_id, role, label_id, version):
    """Change a member's role or label. Making someone Owner hands ownership over."""
    _check_role(role)
    group, member = _lock_member(member_id, version=version)
    label = member.label if int(label_id) == member.label_id else _offered_label(label_id)
    if role == member.role and label.pk == member.label_id:
        return member
    before = _managed_pairs(group)
    changes = []
    if role != member.role:
        if member.role == Role.OWNER:
            raise KinshipError(
                f"{member.customer.full_name} is the Owner. Make another member the Owner first; "
                f"{member.customer.first_name} then becomes an Admin."
            )
        if role == Role.OWNER:
            _take_ownership(actor=actor, group=group, member=member)
        elif member.in_several_groups:
            _refuse_if_in_other_groups(member, "a Dependent")
        changes.append(["role", member.role, role])
    if label.pk != member.label_id:
        changes.append(["label", member.label.name, label.name])
    member.role, member.label = role, label
    member.in_several_groups = member.in_several_groups and role == Role.ADMIN
    member.version += 1
    member.save(update_fields=["role", "label", "in_several_groups", "version"])
    owner = member if role == Role.OWNER else group.members.select_related("customer").get(role=Role.OWNER)
    touched = {member.customer, owner.customer}
    record_activity(
        customers=sorted(touched, key=lambda c: c.pk),
        actor=actor,
        action="group.member_changed",
        data=lambda c: (
            {"group": group.name, "changes": changes}
            if c == member.customer
            else {"member": member.customer.full_name, "group": group.name, "changes": changes}
        ),
    )
    _tell_dependents_of_new_managers(group, before)
    return member


def _refuse_if_in_other_groups(member, role_words):
    """Refuse if the member (whose customer `_lock_member` locked) is in another group too."""
    customer = member.customer
    if customer.group_memberships.exclude(pk=member.pk).exists():
        raise KinshipError(
            f"{customer.full_name} is also in another group, and {role_words} belongs to one group "
            "only. Remove them from the other group first."
        )
    return customer


def _take_ownership(*, actor, group, member):
    """Hand the group's ownership to `member`; the Owner until now becomes an Admin."""
    customer = _refuse_if_in_other_groups(member, "an Owner")
    previous = group.members.select_for_update().select_related("customer").get(role=Role.OWNER)
    _demote(previous)
    record_activity(
        customers=[previous.customer],
        actor=actor,
        action="group.owner_changed",
        data={"group": group.name, "owner": customer.full_name},
    )
    record_activity(
        customers=[customer], actor=actor, action="group.owner_changed", data={"group": group.name}
    )


@transaction.atomic
def remove_member(*, actor, member_id):
    """Take a member out of the group. The Owner leaves last; then the group is gone."""
    group, member = _lock_member(member_id)
    others = list(group.members.select_for_update().exclude(pk=member.pk).select_related("customer"))
    customer = member.customer
    if not member.may_leave_among(len(others) + 1):
        raise KinshipError(
            f"{customer.full_name} is the Owner of “{group.name}”. Make another member the Owner "
            "first, then remove them."
        )
    member.delete()
    if not others:
        group.delete()
        record_activity(
            customers=[customer],
            actor=actor,
            action="group.deleted",
            data={"group": group.name},
        )
        return None
    owner = next(m for m in others if m.role == Role.OWNER)
    record_activity(
        customers=[customer], actor=actor, action="group.member_removed", data={"group": group.name}
    )
    record_activity(
        customers=[owner.customer],
        actor=actor,
        action="group.member_removed",
        data={"member": customer.full_name, "group": group.name},
    )
    return group


@transaction.atomic
def rename_group(*, actor, group_id, name, version):
    group = _lock_group(group_id)
    if group.version != int(version):
        raise StaleEdit("The group was changed at another desk. Reload to see the change, then try again.")
    name = (name or "").strip()[:NAME_MAX]
    if not name:
        raise KinshipError("Give the group a name.")
    if name == group.name:
        return group
    old = group.name
    group.name = name
    group.version += 1
    group.save(update_fields=["name", "version", "updated_at"])
    members = [m.customer for m in group.members.select_related("customer")]
    record_activity(
        customers=members,
        actor=actor,
        action="group.renamed",
        data={"was": old, "name": name},
    )
    return group
