"""The group panel, the Linked Accounts tab and the group forms run a fixed number of queries.

Each page is measured for a group of 2 and again of 50: the count must be the same and
the one stated, or a query per member has crept in.
"""

import pytest
from django.urls import reverse
from waffle.testutils import override_switch

from groups import services
from groups.features import ACCOUNT_LINKING
from groups.models import MemberLabel, Role
from tests.factories import CustomerFactory
from tests.perf.test_query_counts import AUTH, HTMX, PERMS, SWITCH, queries_for

pytestmark = pytest.mark.django_db

# The customer's memberships, then every member of their groups with customer and label.
GROUP = 2
# Both halves of every link of the customer, with the two customers and the type...
LINK_ROWS = 1
# ...and the review of access at 18 on the Linked Clients panel (linking.queries.review_flags):
# whether the customer's own access is due, and which of the people they act for are due.
REVIEW_OWN = 1
REVIEW_THEIRS = 1
LINKS = LINK_ROWS + REVIEW_OWN + REVIEW_THEIRS

PAGES = [
    # (name, url builder, headers, expected queries beyond auth + permissions)
    (
        "profile summary",
        lambda o, g: reverse("customers:profile", args=[o.pk]),
        {},
        1 + SWITCH + GROUP + LINKS,
    ),
    (
        "linked accounts",
        lambda o, g: reverse("customers:profile_tab", args=[o.pk, "linked-accounts"]),
        {},
        1 + SWITCH + GROUP + LINKS,
    ),
    (
        "desk linked accounts fragment",
        lambda o, g: reverse("customers:desk_tab", args=[o.pk, "linked-accounts"]),
        {**HTMX, "HX-Target": "customer-tabs"},
        1 + SWITCH + GROUP + LINKS,
    ),
    # The customer and their managing membership.
    ("add form", lambda o, g: reverse("groups:add", args=[o.pk, g.pk]), {}, SWITCH + 2),
    # ...the matches, their memberships, and the several-groups switch.
    (
        "add: live search",
        lambda o, g: reverse("groups:add", args=[o.pk, g.pk]) + "?q=smi",
        {**HTMX, "HX-Target": "candidate-results"},
        SWITCH + 2 + 3,
    ),
    # ...or the customer chosen, and the labels offered.
    (
        "add: customer selected",
        lambda o, g: reverse("groups:add", args=[o.pk, g.pk]) + f"?select={o.pk}",
        {**HTMX, "HX-Target": "group-editor"},
        SWITCH + 2 + 2,
    ),
    ("create form", lambda o, g: reverse("groups:create", args=[o.pk]), {}, SWITCH + 1 + 1),
]


def grow(group, count):
    child = MemberLabel.objects.get(name="Child")
    for customer in CustomerFactory.create_batch(count, last_name="Smithson"):
        services.add_member(
            actor=None, group_id=group.pk, customer_id=customer.pk, role=Role.DEPENDENT, label_id=child.pk
        )


@pytest.mark.parametrize(("name", "url", "headers", "extra"), PAGES, ids=[page[0] for page in PAGES])
@override_switch(ACCOUNT_LINKING, active=True)
def test_group_page_query_count_is_fixed(desk, name, url, headers, extra):
    owner = CustomerFactory(last_name="Smith")
    group = services.create_group(
        actor=None, owner_id=owner.pk, owner_label_id=MemberLabel.objects.get(name="Parent").pk
    )
    grow(group, 1)
    desk.get(url(owner, group), headers=headers)  # fill the shared cache of switches
    small = queries_for(desk, url(owner, group), **headers)
    grow(group, 48)
    large = queries_for(desk, url(owner, group), **headers)
    assert small == large == AUTH + PERMS + extra, name
