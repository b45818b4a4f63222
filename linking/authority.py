"""The one place that answers "may this customer act for that one in this way?".

Two things give authority, and nothing else does:
- a link whose agent is the one acting and whose principal is the one acted for, with that
  permission ticked;
- the group rule: a group's Owner and its Admins act for its Dependents, in every way.
  Who manages whom is a fact of groups (groups.queries.managed_pairs, which groups' own
  services use too); that it gives every permission is said here, and only here. (DESIGN.md's
  Resolutions decide packages in a family otherwise: Owner and Dependents both ways, Admins
  not at all. That is not built yet; today the group rule gives packages like the rest.)

Bookings, intake forms, notification copies and packages ask here, for one pair, one
customer or many at once. While account linking is switched off nobody acts for anybody.
Each function runs a fixed number of queries, whatever the number of customers asked about.
A permission is one of `Permission` (linking.models).
"""

from django.db.models import Exists, OuterRef, Q

from customers.models import Customer
from groups.queries import managed_pairs
from linking.features import account_linking_on
from linking.models import PERMISSION_FIELDS, Link


def _check(permission):
    if permission not in PERMISSION_FIELDS:
        raise ValueError(f"Unknown permission {permission!r}; one of {', '.join(PERMISSION_FIELDS)}.")


def _links(*permissions):
    """Link rows with any of `permissions` ticked."""
    ticked = Q()
    for permission in permissions:
        _check(permission)
        ticked |= Q(**{permission: True})
    return Link.objects.filter(ticked)


def may_act_for(agent, principal, permission):
    """Whether `agent` may do `permission` (a `Permission`) on behalf of `principal`."""
    _check(permission)
    if agent is None or principal is None or agent == principal or not account_linking_on():
        return False
    # Asked of the database, not of the objects passed in, which may be older than a merge:
    # a tombstone acts for nobody, and nobody acts for one.
    by_link = _links(permission).filter(agent=agent, principal=principal, agent__merged_into__isnull=True)
    by_group = managed_pairs(customer=agent, customer__merged_into__isnull=True).filter(customer=principal)
    live = Customer.objects.filter(pk=principal.pk, merged_into__isnull=True)
    return live.filter(Exists(by_link) | Exists(by_group)).exists()


def principals_for(agent, permission):
    """Everyone `agent` may do `permission` for, by name, in one query (never themselves)."""
    _check(permission)
    if agent is None or not account_linking_on():
        return Customer.objects.none()
    by_link = _links(permission).filter(agent=agent, principal=OuterRef("pk"))
    by_group = managed_pairs(customer=agent, customer__merged_into__isnull=True).filter(
        customer=OuterRef("pk")
    )
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
    by_link = _links(permission).filter(agent=OuterRef("pk"), principal=principal)
    by_group = managed_pairs(customer=OuterRef("pk")).filter(customer=principal)
    return (
        Customer.objects.filter(merged_into__isnull=True)
        .filter(Exists(by_link) | Exists(by_group))
        .exclude(pk=principal.pk)
        .order_by("last_name", "first_name", "id")
    )


# Many customers at once: for a page or a service that asks about a whole list (the Day
# View's attendees, say), one query for all of them instead of one each.


def _live_pairs(permission, *, agents=None, principals=None):
    """(agent id, principal id) of every pair in which the agent may do `permission` for the
    principal, both alive, narrowed to these `agents` or `principals` (ids): one UNION query.
    A pair given both by a link and by the group rule comes once."""
    links = _links(permission).filter(agent__merged_into__isnull=True, principal__merged_into__isnull=True)
    managing = {"customer__merged_into__isnull": True}
    if agents is not None:
        links = links.filter(agent__in=agents)
        managing["customer__in"] = agents
    group = managed_pairs(**managing).filter(customer__merged_into__isnull=True)
    if principals is not None:
        links = links.filter(principal__in=principals)
        group = group.filter(customer__in=principals)
    pairs = links.order_by().values_list("agent_id", "principal_id")
    return pairs.union(group.order_by().values_list("manager_id", "customer_id")).order_by()


def principals_of_each(agent_ids, permission):
    """{agent id: ids of everyone that agent may do `permission` for}, for many agents at once
    (an empty set for one who may act for nobody): a read of the switch and one query."""
    _check(permission)
    found = {agent: set() for agent in agent_ids}
    if found and account_linking_on():
        for agent, principal in _live_pairs(permission, agents=list(found)):
            found[agent].add(principal)
    return found


def agents_of_each(principal_ids, permission):
    """{principal id: ids of everyone who may do `permission` for them}, for many principals
    at once: a read of the switch and one query."""
    _check(permission)
    found = {principal: set() for principal in principal_ids}
    if found and account_linking_on():
        for agent, principal in _live_pairs(permission, principals=list(found)):
            found[principal].add(agent)
    return found


def stored_principal_ids(*, agent=None):
    """The ids of everyone someone (`agent`, when given) may act for in any way as the rows
    stand: one UNION to use as a subquery, so PostgreSQL starts from these few rows rather
    than scanning every customer.

    It reads neither the switch nor tombstones: it is for asking about the say that is
    stored (the review of access at 18, which stays due while linking is switched off), not
    for deciding whether someone may act now; that is the functions above."""
    links = _links(*PERMISSION_FIELDS)
    group = managed_pairs(**({} if agent is None else {"customer": agent}))
    if agent is not None:
        links = links.filter(agent=agent)
    return links.values("principal_id").union(group.values("customer_id"))
