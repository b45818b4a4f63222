"""The one place that answers "may this customer act for that one in this way?".

Two things give authority, and nothing else does:
- a link whose agent is the one acting and whose principal is the one acted for, with that
  permission ticked;
- the group rule: a group's Owner and its Admins act for its Dependents, in every way.

Bookings, intake forms, notification copies and packages ask here. While account linking
is switched off nobody acts for anybody. Each function runs a fixed number of queries.
"""

from django.db.models import Exists, OuterRef, Q

from customers.models import Customer
from groups.features import account_linking_on
from groups.models import MANAGING_ROLES, GroupMember, Role
from linking.models import PERMISSION_FIELDS, Link


def _check(permission):
    if permission not in PERMISSION_FIELDS:
        raise ValueError(f"Unknown permission {permission!r}; one of {', '.join(PERMISSION_FIELDS)}.")


def _by_link(permission, *, agent=None, principal=None):
    links = Link.objects.filter(**{permission: True})
    if agent is not None:
        links = links.filter(agent=agent)
    if principal is not None:
        links = links.filter(principal=principal)
    return links


def _dependents_of(agent_ref):
    """Memberships as Dependent in a group that `agent_ref` manages."""
    managed = GroupMember.objects.filter(
        customer=agent_ref, customer__merged_into__isnull=True, role__in=MANAGING_ROLES
    ).values("group_id")
    return GroupMember.objects.filter(role=Role.DEPENDENT, group_id__in=managed)


def may_act_for(agent, principal, permission):
    """Whether `agent` may do `permission` (a field of PERMISSIONS) on behalf of `principal`."""
    _check(permission)
    if agent is None or principal is None or agent == principal or not account_linking_on():
        return False
    # Asked of the database, not of the objects passed in, which may be older than a merge:
    # a tombstone acts for nobody, and nobody acts for one.
    by_link = _by_link(permission, agent=agent, principal=principal).filter(agent__merged_into__isnull=True)
    by_group = _dependents_of(agent).filter(customer=principal)
    live = Customer.objects.filter(pk=principal.pk, merged_into__isnull=True)
    return live.filter(Exists(by_link) | Exists(by_group)).exists()


def principals_for(agent, permission):
    """Everyone `agent` may do `permission` for, by name, in one query (never themselves)."""
    _check(permission)
    if agent is None or not account_linking_on():
        return Customer.objects.none()
    by_link = _by_link(permission, agent=agent, principal=OuterRef("pk"))
    by_group = _dependents_of(agent).filter(customer=OuterRef("pk"))
    return (
        Customer.objects.filter(merged_into__isnull=True)
        .filter(Exists(by_link) | Exists(by_group))
        .exclude(pk=agent.pk)
        .order_by("last_name", "first_name", "id")
    )


def agents_for(principal, permission):
    """Everyone who may do `permission` for `principal` (who gets notification copies, say)."""
    _check(permission)
    if principal is None or not account_linking_on():
        return Customer.objects.none()
    by_link = _by_link(permission, agent=OuterRef("pk"), principal=principal)
    managers = GroupMember.objects.filter(
        customer=OuterRef("pk"),
        role__in=MANAGING_ROLES,
        group_id__in=GroupMember.objects.filter(customer=principal, role=Role.DEPENDENT).values("group_id"),
    )
    return (
        Customer.objects.filter(merged_into__isnull=True)
        .filter(Q(Exists(by_link)) | Q(Exists(managers)))
        .exclude(pk=principal.pk)
        .order_by("last_name", "first_name", "id")
    )
