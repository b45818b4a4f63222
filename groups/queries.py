"""Reads the group pages need, each in a fixed number of queries whatever the group's size."""

from django.db.models import Case, F, IntegerField, Value, When

from groups.features import admins_in_several_groups
from groups.models import MANAGING_ROLES, GroupMember, Role

ROLE_ORDER = Case(
    When(role=Role.OWNER, then=Value(0)),
    When(role=Role.ADMIN, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def memberships_of(customer):
    """The customer's groups, as their memberships (usually none or one)."""
    return list(
        GroupMember.objects.filter(customer=customer)
        .select_related("group", "label")
        .order_by("group__name", "id")
    )


def members_of(group_ids):
    """Every member of these groups, Owner first, then Admins, then Dependents, by name."""
    return list(
        GroupMember.objects.filter(group_id__in=group_ids)
        .select_related("customer", "label")
        .annotate(role_order=ROLE_ORDER)
        .order_by("group_id", "role_order", "customer__last_name", "customer__first_name", "id")
    )


def groups_of(customer):
    """The customer's groups, each with its members: [(membership, [members])], in 2 queries."""
    memberships = memberships_of(customer)
    if not memberships:
        return []
    members = members_of([m.group_id for m in memberships])
    groups = []
    for membership in memberships:
        together = [each for each in members if each.group_id == membership.group_id]
        for each in [membership, *together]:
            # What the panel asks of each member, so the template holds no rule of its own.
            each.may_leave = each.may_leave_among(len(together))
        membership.owner = next((each for each in together if each.role == Role.OWNER), None)
        groups.append((membership, together))
    return groups


def managed_pairs(**manager):
    """Who manages whom: each Dependent's membership, once for every Owner and Admin of its
    group, with that manager's customer id as `manager_id`.

    These are the facts of the group rule; what they allow (acting for the Dependent in every
    way) is linking.authority's to say, and it builds on this, as do groups' own services,
    which sit below linking. `manager` narrows the managing side by lookups on its membership
    (`customer=…`, `customer__in=…`, `customer__merged_into__isnull=True`), in the same join;
    narrow the Dependent's side with `.filter(customer…)`. A queryset: one query, or a subquery.
    """
    managing = {f"group__members__{lookup}": value for lookup, value in manager.items()}
    return GroupMember.objects.filter(
        role=Role.DEPENDENT, group__members__role__in=MANAGING_ROLES, **managing
    ).annotate(manager_id=F("group__members__customer_id"))


def why_not_in_group(results, *, group=None):
    """For the customer picker: {customer id: why they cannot join `group`} (or any group,
    when there is none yet), attaching to each their `memberships`. One query."""
    by_customer = {}
    for membership in GroupMember.objects.filter(customer__in=results).select_related("group"):
        by_customer.setdefault(membership.customer_id, []).append(membership)
    several = admins_in_several_groups() if by_customer else False
    reasons = {}
    for customer in results:
        customer.memberships = by_customer.get(customer.pk, [])
        reasons[customer.pk] = _why_blocked(customer.memberships, group=group, several=several)
    return reasons


def _why_blocked(memberships, *, group, several):
    if not memberships:
        return ""
    if group is not None and any(m.group_id == group.pk for m in memberships):
        return "Already in this group"
    if several and all(m.role == Role.ADMIN for m in memberships):
        return ""  # may join as an Admin; the form says so if another role is chosen
    return f"In {memberships[0].group.name}"
