"""Reads the link pages need, each in a fixed number of queries whatever the number of links."""

from datetime import date

from django.db.models import Exists, OuterRef, Q

from customers.models import Customer
from linking.authority import stored_principal_ids
from linking.models import AccessReview, Link

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


def why_not_linked(results, *, customer):
    """For the customer picker: {customer id: why `customer` cannot be linked to them}. One query."""
    linked = Link.objects.filter(agent=customer, principal__in=results).select_related("type")
    return {
        row.principal_id: f"Already linked ({customer.first_name} is their {row.type.name})" for row in linked
    }


# Review of access at 18: someone others may act for has come of age, and nobody has yet
# looked at whether those others should keep that say.


def _years_before(today, years):
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _came_of_age(today=None):
    """Born so as to have turned 18 within the last year: an adult cared for long before
    (a grandparent with a carer) is not coming of age, and a year leaves time to review."""
    today = today or date.today()
    return Q(
        date_of_birth__lte=_years_before(today, ADULT_AGE),
        date_of_birth__gt=_years_before(today, ADULT_AGE + 1),
    )


def _due(today):
    """Customers due a review: come of age, and not yet reviewed for this coming of age (a
    review made for another date of birth covers nothing now)."""
    reviewed = AccessReview.objects.filter(customer=OuterRef("pk"), date_of_birth=OuterRef("date_of_birth"))
    return Customer.objects.filter(_came_of_age(today), merged_into__isnull=True).exclude(Exists(reviewed))


def is_due_review(customer_id, *, today=None):
    """Whether the customer's access is due for review: come of age within the year, someone
    may act for them, and not yet reviewed for this coming of age. One query."""
    return _due(today).filter(pk=customer_id).filter(pk__in=stored_principal_ids()).exists()


def reviews_due(*, today=None, limit=200):
    """Those who turned 18 within the last year while others may act for them, and whose access
    has not been reviewed; the most recently 18 first."""
    due = list(_due(today).filter(pk__in=stored_principal_ids()).order_by("-date_of_birth", "id")[:limit])
    for customer in due:
        customer.turned_18 = eighteenth_birthday(customer.date_of_birth)
    return due


def review_flags(customer, *, today=None):
    """For a profile: whether the customer's own access is due for review, and which of the
    people they act for are due. Two queries."""
    own = is_due_review(customer.pk, today=today)
    theirs = list(
        _due(today)
        .filter(pk__in=stored_principal_ids(agent=customer))
        .order_by("last_name", "first_name", "id")
    )
    return {"own": own, "theirs": theirs}


def eighteenth_birthday(born):
    """The day someone born on `born` turns 18 (29 February's children on 1 March)."""
    try:
        return born.replace(year=born.year + ADULT_AGE)
    except ValueError:
        return born.replace(year=born.year + ADULT_AGE, month=3, day=1)
