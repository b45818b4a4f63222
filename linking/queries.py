"""Reads the link pages need, each in a fixed number of queries whatever the number of links."""

from django.db.models import Q

from customers.queries import search_customers
from linking.models import Link, RelationshipType


def links_of(customer):
    """The customer's links, as (their side, the other side) pairs, by the other's name.

    Their side is the row where they are the agent ("Anna is Parent of Ben"), the other
    side its twin. One query for both halves of every link.
    """
    rows = list(
        Link.objects.filter(Q(agent=customer) | Q(principal=customer)).select_related(
            "agent", "principal", "type"
        )
    )
    twins = {(row.agent_id, row.principal_id): row for row in rows}
    pairs = [
        (row, twins.get((row.principal_id, row.agent_id))) for row in rows if row.agent_id == customer.pk
    ]
    return sorted(
        pairs, key=lambda pair: (pair[0].principal.last_name, pair[0].principal.first_name, pair[0].pk)
    )


def offered_types():
    return list(RelationshipType.objects.filter(is_active=True).select_related("reverse"))


def candidates(text, *, customer, limit=10):
    """Customers to link `customer` to, matching `text`; `blocked` says why one cannot be chosen."""
    results = list(search_customers(text, include_archived=False)[:limit])
    linked = {
        row.principal_id: row
        for row in Link.objects.filter(agent=customer, principal__in=results).select_related("type")
    }
    for result in results:
        if result.pk == customer.pk:
            result.blocked = "This is the customer whose profile you are on"
        elif result.pk in linked:
            result.blocked = f"Already linked ({customer.first_name} is their {linked[result.pk].type.name})"
        else:
            result.blocked = ""
    return results
