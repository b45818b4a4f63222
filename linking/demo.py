"""The demo's links: partners, grandparents, a parent at another address, a guardian, siblings."""

from datetime import date

from django.contrib.auth import get_user_model

from customers.models import Customer
from groups.demo import households as _households
from linking import services
from linking.models import Link, RelationshipType


def make_links(stdout):
    """Link demo customers in the ways families are linked, once."""
    if Link.objects.exists():
        return
    customers = list(
        Customer.objects.filter(merged_into__isnull=True, archived_at__isnull=True).order_by("pk")
    )
    adults = [c for c in customers if _age(c) is not None and 25 <= _age(c) < 70]
    elders = [c for c in customers if _age(c) is not None and _age(c) >= 70]
    children = [c for c in customers if _age(c) is not None and _age(c) < 16]
    if len(adults) < 12 or len(elders) < 3 or len(children) < 8:
        stdout.write("  Too few demo customers to make the demo links; none made.")
        return
    actor = get_user_model().objects.filter(username="frontdesk").first()
    kinds = {kind.name: kind for kind in RelationshipType.objects.select_related("reverse")}
    made = 0

    def link(agent, principal, kind, **changes):
        nonlocal made
        agent_may = {**kinds[kind].defaults(), **changes}
        services.link_customers(
            actor=actor,
            agent_id=agent.pk,
            principal_id=principal.pk,
            type_id=kinds[kind].pk,
            agent_may=agent_may,
            principal_may=kinds[kind].other_side.defaults(),
        )
        made += 1

    # Grandparents who bring the grandchildren, and get the reminders.
    for elder, child in zip(elders[:3], children[:3], strict=True):
        link(elder, child, "Grandparent")
    # A parent at another address: books and gets copies, but forms stay with the family.
    link(adults[0], children[3], "Parent", can_complete_forms=False)
    link(adults[1], children[4], "Guardian")
    # Couples who book for each other; one pair also shares packages, one does not.
    couples = [home for home in _households() if len(home) == 2 and all((_age(c) or 30) >= 18 for c in home)]
    for (one, two), packages in zip(couples[-2:], (True, False), strict=False):
        link(one, two, "Partner", can_use_packages=packages)
    # Siblings at different addresses, and an adult child who looks after a parent.
    brother = next(
        (c for c in adults[7:] if c.last_name == adults[6].last_name and c.pk != adults[6].pk), adults[7]
    )
    link(adults[6], brother, "Sibling")
    link(
        adults[8],
        elders[0] if elders[0] != adults[8] else elders[1],
        "Child",
        can_book=True,
        receives_copies=True,
    )
    link(adults[9], children[5], "Other", receives_copies=True)
    stdout.write(f"  {made} links between customers.")


def _age(customer):
    return customer.age(date.today())
