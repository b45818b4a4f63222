"""The pages of family groups that `manage.py benchmark` measures."""

from django.db.models import Count
from django.urls import reverse

from groups.models import CustomerGroup, Role


def pages():
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
