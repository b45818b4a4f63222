"""The pages of linking that `manage.py benchmark` measures."""

from django.db.models import Count
from django.urls import reverse

from linking.models import Link


def pages():
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
