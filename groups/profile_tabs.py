"""The group panel on the Summary tab; the Linked Accounts tab, which shows groups too, is
linking's (linking/profile_tabs.py)."""

from django.db.models import Count
from django.urls import reverse

from customers.tabs import Panel, registry
from groups import queries
from groups.features import groups_on
from groups.models import CustomerGroup, Role

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


def benchmark_pages():
    """The Summary and Linked Accounts tabs of the Owner of the largest group."""
    group = CustomerGroup.objects.annotate(size=Count("members")).order_by("-size", "pk").first()
    if group is None:
        return []
    owner_id = group.members.get(role=Role.OWNER).customer_id
    tabs = {"HX-Request": "true", "HX-Target": "customer-tabs"}
    where = f"(group of {group.size})"
    return [
        (f"profile summary {where}", reverse("customers:profile", args=[owner_id]), {}),
        (
            f"linked accounts {where}",
            reverse("customers:profile_tab", args=[owner_id, "linked-accounts"]),
            {},
        ),
        (
            f"desk linked accounts tab {where}",
            reverse("customers:desk_tab", args=[owner_id, "linked-accounts"]),
            tabs,
        ),
    ]
