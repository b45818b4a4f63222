"""Reads the link pages need, each in a fixed number of queries whatever the number of links."""

from datetime import date

from django.db.models import Exists, OuterRef, Q

from customers.models import Customer
from customers.queries import search_customers
from groups.models import MANAGING_ROLES, GroupMember, Role
from linking.models import PERMISSION_FIELDS, AccessReview, Link, RelationshipType

#: The age at which someone's access is reviewed.
ADULT_AGE = 18


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


# Review of access at 18: someone others may act for has come of age, and nobody has yet
# looked at whether those others should keep that say.


def coming_of_age_cutoff(today=None):
    """The latest date of birth of someone who is 18 today (29 February counts as 1 March)."""
    today = today or date.today()
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:
        return today.replace(year=today.year - ADULT_AGE, day=28)


def _someone_acts_for():
    """Customers someone may act for: by a link with any permission, or as a Dependent in a
    group (whose Owner and Admins act for them)."""
    any_permission = Q()
    for field in PERMISSION_FIELDS:
        any_permission |= Q(**{field: True})
    by_link = Link.objects.filter(any_permission, principal=OuterRef("pk"))
    as_dependent = GroupMember.objects.filter(customer=OuterRef("pk"), role=Role.DEPENDENT)
    return Exists(by_link) | Exists(as_dependent)


def reviews_due(*, today=None, limit=200):
    """Adults whose access has never been reviewed though others may act for them, those who
    turned 18 most recently first."""
    return list(
        Customer.objects.filter(merged_into__isnull=True, date_of_birth__lte=coming_of_age_cutoff(today))
        .filter(_someone_acts_for())
        .exclude(Exists(AccessReview.objects.filter(customer=OuterRef("pk"))))
        .order_by("-date_of_birth", "id")[:limit]
    )


def review_flags(customer, *, today=None):
    """For a profile: whether the customer's own access is due for review, and which of the
    people they act for are due. Two queries."""
    cutoff = coming_of_age_cutoff(today)
    unreviewed = ~Exists(AccessReview.objects.filter(customer=OuterRef("pk")))
    own = (
        customer.date_of_birth is not None
        and customer.date_of_birth <= cutoff
        and Customer.objects.filter(pk=customer.pk).filter(_someone_acts_for()).filter(unreviewed).exists()
    )
    managed = GroupMember.objects.filter(customer=customer, role__in=MANAGING_ROLES).values("group_id")
    theirs = list(
        Customer.objects.filter(merged_into__isnull=True, date_of_birth__lte=cutoff)
        .filter(
            Q(pk__in=Link.objects.filter(agent=customer).values("principal_id"))
            | Q(
                pk__in=GroupMember.objects.filter(group_id__in=managed, role=Role.DEPENDENT).values(
                    "customer_id"
                )
            )
        )
        .filter(_someone_acts_for())
        .filter(unreviewed)
        .order_by("last_name", "first_name", "id")
    )
    return {"own": own, "theirs": theirs}
