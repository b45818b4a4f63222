"""The group panel on the Summary tab; the Linked Accounts tab, which shows groups too, is
linking's (linking/profile_tabs.py)."""

from groups import queries
from groups.features import groups_on

VIEW_GROUPS = "groups.view_customergroup"


def groups_for(request, customer):
    """The customer's groups with their members, read once per request."""
    cache = request.__dict__.setdefault("_customer_groups", {})
    if customer.pk not in cache:
        cache[customer.pk] = queries.groups_of(customer)
    return cache[customer.pk]


def panel_visible(request, customer):
    return groups_on(request) and request.user.has_perm(VIEW_GROUPS) and not customer.is_merged


def group_context(request, customer):
    groups = groups_for(request, customer)
    return {
        "groups": groups,
        "in_group": bool(groups),
        "can_create": request.user.has_perm("groups.add_customergroup") and not customer.is_archived,
        "can_manage": request.user.has_perm("groups.change_groupmember"),
    }
