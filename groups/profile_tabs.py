"""The group panel on the Summary tab and the Linked Accounts tab, added to the registry."""

from customers.tabs import Panel, Tab, registry
from groups import queries
from groups.features import account_linking_on

VIEW_GROUPS = "groups.view_customergroup"


def _groups(request, customer):
    """The customer's groups with their members, read once per request."""
    cache = request.__dict__.setdefault("_customer_groups", {})
    if customer.pk not in cache:
        cache[customer.pk] = queries.groups_of(customer)
    return cache[customer.pk]


def panel_visible(request, customer):
    return account_linking_on(request) and request.user.has_perm(VIEW_GROUPS) and not customer.is_merged


def tab_visible(request, customer):
    return panel_visible(request, customer) and bool(_groups(request, customer))


def group_context(request, customer):
    groups = _groups(request, customer)
    return {
        "groups": groups,
        "in_group": bool(groups),
        "can_create": request.user.has_perm("groups.add_customergroup") and not customer.is_archived,
        "can_manage": request.user.has_perm("groups.change_groupmember"),
    }


def register():
    registry.add_panel(
        Panel(
            slug="group",
            title="Group",
            template="groups/panel.html",
            order=10,
            context=group_context,
            is_visible=panel_visible,
        )
    )
    registry.add_tab(
        Tab(
            slug="linked-accounts",
            title="Linked Accounts",
            template="groups/linked_accounts.html",
            order=10,
            context=group_context,
            is_visible=tab_visible,
        )
    )
