"""The Linked Clients section, the Linked Accounts tab, the relations list and the link form
run a fixed number of queries, whether a customer has 2 links or 30."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from waffle.testutils import override_switch

from groups import services as group_services
from groups.models import Role
from linking import services
from linking.features import ACCOUNT_LINKING
from linking.models import RelationshipType
from tests.factories import CustomerFactory
from tests.perf.test_group_query_counts import LINK_ROWS, LINKS
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
    # The customer, their memberships and every member of their groups, links (no review
    # flags here), the merge records, and tombstones older than merge records.
    (
        "relations list",
        lambda c: reverse("linking:relations", args=[c.pk]),
        {},
        SWITCH + 1 + GROUP + LINK_ROWS + 2,
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


# The Access Reviews list: those who turned 18 within the year while others may act for them,
# not yet reviewed (linking.queries.reviews_due), in one query however many are due.
REVIEWS_DUE = 1


@override_switch(ACCOUNT_LINKING, active=True)
def test_the_access_reviews_page_runs_a_fixed_number_of_queries(client, manager_user, labels):
    """Due by a link and as a group's Dependent; children, adults long since, the reviewed, and
    those nobody acts for are not listed, and do not add queries either."""
    client.force_login(manager_user)
    url = reverse("linking:access_reviews")
    # Turned 18 a hundred days ago; a child of ten; an adult of 40 (cared for, not coming of age).
    adult = date.today() - timedelta(days=round(18 * 365.25) + 100)
    child, older = adult + timedelta(days=round(8 * 365.25)), adult - timedelta(days=round(22 * 365.25))

    def add(count):
        partner = RelationshipType.objects.get(name="Partner")
        for n in range(count):
            agent = CustomerFactory(last_name="Agent")
            principal = CustomerFactory(
                last_name="Due", date_of_birth=[child, older, adult, adult, adult][n % 5]
            )
            services.link_customers(
                actor=None,
                agent_id=agent.pk,
                principal_id=principal.pk,
                type_id=partner.pk,
                agent_may={"can_book": True},
            )
            if n % 7 == 6 and principal.date_of_birth == adult:  # only someone due is reviewed
                services.review_access(actor=manager_user, customer_id=principal.pk, note="Still wanted.")
        owner = CustomerFactory(last_name="Owner")
        group = group_services.create_group(actor=None, owner_id=owner.pk, owner_label_id=labels["Parent"].pk)
        for dependent in CustomerFactory.create_batch(
            max(1, count // 4), last_name="Due", date_of_birth=adult
        ):
            group_services.add_member(
                actor=None,
                group_id=group.pk,
                customer_id=dependent.pk,
                role=Role.DEPENDENT,
                label_id=labels["Child"].pk,
            )
        CustomerFactory.create_batch(count, last_name="Alone", date_of_birth=adult)  # nobody acts for them

    add(2)
    client.get(url)
    small = queries_for(client, url)
    add(40)
    large = queries_for(client, url)
    assert small == large == AUTH + PERMS + SWITCH + REVIEWS_DUE
    page = client.get(url).text
    assert page.count("Mark Reviewed</button>") >= 25 and "Alone" not in page
