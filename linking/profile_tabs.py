"""The Linked Clients section of the Summary tab, and the Linked Accounts tab, which shows a
customer's group and their linked clients together."""

from groups.profile_tabs import group_context
from linking import queries
from linking.features import account_linking_on


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
