"""The Linked Clients section, the Linked Accounts tab, the relations list and the link form
run a fixed number of queries, whether a customer has 2 links or 30."""

import pytest
from django.urls import reverse
from waffle.testutils import override_switch

from groups.features import ACCOUNT_LINKING
from linking import services
from linking.models import RelationshipType
from tests.factories import CustomerFactory
from tests.perf.test_group_query_counts import LINKS
from tests.perf.test_query_counts import AUTH, HTMX, PERMS, SWITCH, queries_for

pytestmark = pytest.mark.django_db

# The customer is in no group: their memberships are read, and there are no members to read.
GROUP = 1

PAGES = [
    # (name, url builder, headers, expected queries beyond auth + permissions)
    ("profile summary", lambda c: reverse("customers:profile", args=[c.pk]), {}, 1 + SWITCH + GROUP + LINKS),
    (
        "desk linked accounts fragment",
        lambda c: reverse("customers:desk_tab", args=[c.pk, "linked-accounts"]),
        {**HTMX, "HX-Target": "customer-tabs"},
        1 + SWITCH + GROUP + LINKS,
    ),
    # The customer, their memberships and every member of their groups, links, the merge
    # records, and tombstones older than merge records.
    (
        "relations list",
        lambda c: reverse("linking:relations", args=[c.pk]),
        {},
        SWITCH + 1 + GROUP + LINKS + 2,
    ),
    # The customer; the matches, and which of them are linked to the customer already.
    (
        "add relationship: live search",
        lambda c: reverse("linking:create", args=[c.pk]) + "?q=smi",
        {**HTMX, "HX-Target": "link-candidates"},
        SWITCH + 1 + 2,
    ),
    # The customer, the one chosen, the offered types.
    (
        "setup relationship",
        lambda c: reverse("linking:create", args=[c.pk]) + f"?select={c.pk + 1}",
        {**HTMX, "HX-Target": "link-editor"},
        SWITCH + 1 + 1 + 1,
    ),
]


def grow(customer, count):
    kinds = list(RelationshipType.objects.filter(is_active=True))
    for number, other in enumerate(CustomerFactory.create_batch(count, last_name="Smithson")):
        services.link_customers(
            actor=None, agent_id=customer.pk, principal_id=other.pk, type_id=kinds[number % len(kinds)].pk
        )


@pytest.mark.parametrize(("name", "url", "headers", "extra"), PAGES, ids=[page[0] for page in PAGES])
@override_switch(ACCOUNT_LINKING, active=True)
def test_link_page_query_count_is_fixed(desk, name, url, headers, extra):
    customer = CustomerFactory(last_name="Smith")
    CustomerFactory(last_name="Smithers")  # the one "setup relationship" chooses (customer.pk + 1)
    grow(customer, 2)
    desk.get(url(customer), headers=headers)  # fill the shared cache of switches
    small = queries_for(desk, url(customer), **headers)
    grow(customer, 28)
    large = queries_for(desk, url(customer), **headers)
    assert small == large == AUTH + PERMS + extra, name
