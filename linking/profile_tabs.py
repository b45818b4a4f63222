"""The Linked Clients section of the Summary tab, and the Linked Accounts tab, which shows a
customer's group and their linked clients together."""

from django.db.models import Count
from django.urls import reverse

from customers.tabs import Panel, Tab, registry
from groups.profile_tabs import group_context
from linking import queries
from linking.features import account_linking_on
from linking.models import Link


def links_for(request, customer):
    """The customer's links, read once per request."""
    cache = request.__dict__.setdefault("_customer_links", {})
    if customer.pk not in cache:
        cache[customer.pk] = queries.links_of(customer)
    return cache[customer.pk]


def _on(request, customer):
    return account_linking_on(request) and not customer.is_merged


def panel_visible(request, customer):
    return _on(request, customer) and request.user.has_perm("linking.view_link")


def tab_visible(request, customer):
    user = request.user
    return _on(request, customer) and (
        user.has_perm("linking.view_link") or user.has_perm("groups.view_customergroup")
    )


def links_context(request, customer):
    user = request.user
    return {
        "links": links_for(request, customer) if user.has_perm("linking.view_link") else [],
        "can_link": user.has_perm("linking.add_link") and not customer.is_archived,
        "can_change_links": user.has_perm("linking.change_link"),
        "can_unlink": user.has_perm("linking.delete_link"),
        "review": queries.review_flags(customer),
        "can_review": user.has_perm("linking.add_accessreview"),
    }


def linked_accounts_context(request, customer):
    groups = group_context(request, customer) if request.user.has_perm("groups.view_customergroup") else {}
    return {**groups, **links_context(request, customer)}


def register():
    registry.add_panel(
        Panel(
            slug="links",
            title="Linked Clients",
            template="linking/panel.html",
            order=20,
            context=links_context,
            is_visible=panel_visible,
        )
    )
    registry.add_tab(
        Tab(
            slug="linked-accounts",
            title="Linked Accounts",
            template="linking/linked_accounts.html",
            order=10,
            context=linked_accounts_context,
            is_visible=tab_visible,
        )
    )


def benchmark_pages():
    """The relations list and Linked Accounts tab of the customer with the most links."""
    busiest = (
        Link.objects.values("agent_id").annotate(count=Count("id")).order_by("-count", "agent_id").first()
    )
    if busiest is None:
        return []
    customer_id, where = busiest["agent_id"], f"({busiest['count']} links)"
    return [
        (f"relations list {where}", reverse("linking:relations", args=[customer_id]), {}),
        (
            f"linked accounts {where}",
            reverse("customers:profile_tab", args=[customer_id, "linked-accounts"]),
            {},
        ),
    ]
