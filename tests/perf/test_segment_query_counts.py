"""Client groups run a fixed number of queries, however many groups there are, however many
customers are in them, and however many customers a bulk action changes.

Each page is measured three times, as its data grows: one client group of two members;
twenty groups (half chosen by staff, half following rules) of two members; the same twenty
of two hundred members each. Every count must be the one stated, or a query per group, per
member or per row has crept in. Add to Group and Remove from Group are measured for ten
customers and for ten thousand.
"""

import re
import time
from datetime import date

import pytest
from django.db import connection
from django.db.models import Count, Max
from django.urls import reverse

from client_groups import queries
from client_groups.models import Segment
from client_groups.rules import years_before
from client_groups.services import Change, add_customers, create_segment, remove_customers
from customers.listing import LIST_PAGE_SIZE
from customers.models import Activity, Customer
from groups import services as group_services
from groups.models import GroupMember, Role
from tests.factories import CustomerFactory
from tests.perf.test_query_counts import AUTH, HTMX, PERMS, SWITCH, queries_for

pytestmark = pytest.mark.django_db

# Every client group, read once per request however many places show them (rules.Catalogue).
CATALOGUE = 1
# The group a page is about.
GROUP = 1
# The customer a profile is about.
CUSTOMER = 1
# One page of customers, with one row more to know whether another page follows; a filter by
# client groups is a condition of this same query.
PAGE = 1
# The badges of the customers shown: their memberships of groups chosen by staff, then
# every rule-based group's condition for them at once (one CASE per rule-based group).
BADGES = 2
# The Client Groups list's member counts: every membership row counted by group, then every
# rule-based group counted in one pass over the customers.
COUNTS = 2
# The Add to Group form: whether any group takes members chosen by staff, then those groups
# (without any, it says so and reads none).
OFFERED = 2

PAGES = [
    # (name, url builder, headers, expected queries beyond auth + permissions); a builder
    # answers None while the clients have nothing for it to show (no group chosen by staff yet).
    ("client groups list", lambda c: reverse("client_groups:list"), {}, SWITCH + CATALOGUE + COUNTS),
    (
        "members of a rule-based group",
        lambda c: reverse("client_groups:detail", args=[c.ruled.pk]),
        {},
        SWITCH + GROUP + CATALOGUE + PAGE,
    ),
    (
        "members of a group chosen by staff",
        lambda c: c.chosen and reverse("client_groups:detail", args=[c.chosen.pk]),
        {},
        SWITCH + GROUP + CATALOGUE + PAGE,
    ),
    ("client list", lambda c: reverse("customers:list"), {}, SWITCH + CATALOGUE + PAGE + BADGES),
    (
        "client list, live results",
        lambda c: reverse("customers:list") + "?q=as",
        {**HTMX, "HX-Target": "customer-results"},
        SWITCH + CATALOGUE + PAGE + BADGES,
    ),
    (
        "client list filtered by a rule-based group",
        lambda c: reverse("customers:list") + f"?client_group={c.ruled.pk}",
        {},
        SWITCH + CATALOGUE + PAGE + BADGES,
    ),
    (
        "client list filtered by a group chosen by staff",
        lambda c: c.chosen and reverse("customers:list") + f"?client_group={c.chosen.pk}",
        {},
        SWITCH + CATALOGUE + PAGE + BADGES,
    ),
    (
        "client list filtered by every group",
        lambda c: reverse("customers:list") + "?" + "&".join(f"client_group={pk}" for pk in c.group_ids()),
        {},
        SWITCH + CATALOGUE + PAGE + BADGES,
    ),
    (
        "profile summary",
        lambda c: reverse("customers:profile", args=[c.ann.pk]),
        {},
        CUSTOMER + SWITCH + CATALOGUE + BADGES,
    ),
    (
        "desk summary fragment",
        lambda c: reverse("customers:desk_tab", args=[c.ann.pk, "summary"]),
        {**HTMX, "HX-Target": "customer-tabs"},
        CUSTOMER + SWITCH + CATALOGUE + BADGES,
    ),
    (
        "add to group form",
        lambda c: c.chosen and reverse("client_groups:profile_add", args=[c.ann.pk]),
        {},
        SWITCH + CUSTOMER + OFFERED,
    ),
]

#: The groups staff choose members for, added by `Clients.more_groups`.
CHOSEN_NAMES = (
    "VIP",
    "Trade",
    "Students",
    "Staff and Friends",
    "Marketing Opt-In",
    "Newsletter",
    "Wholesale",
    "Members",
    "Partners",
    "Regulars",
)


def adult(years=40):
    return years_before(date.today(), years)


class Clients:
    """Customers and client groups, grown step by step; the first step is one group following
    a rule, "Adults", whose two members are Ann and Bo Ash, a family group of two."""

    def __init__(self, actor, labels):
        self.actor = actor
        self.ann = CustomerFactory(first_name="Ann", last_name="Ash", date_of_birth=adult(45))
        self.bo = CustomerFactory(first_name="Bo", last_name="Ash", date_of_birth=adult(43))
        # A child, who belongs only to groups of an age that fits her; last on the list.
        CustomerFactory(first_name="Cy", last_name="Zed", date_of_birth=adult(10))
        self.family = group_services.create_group(
            actor=actor,
            owner_id=self.ann.pk,
            owner_label_id=labels["Parent"].pk,
            member_id=self.bo.pk,
            member_role=Role.DEPENDENT,
            member_label_id=labels["Child"].pk,
        )
        self.child_label = labels["Child"]
        self.ruled = create_segment(actor=actor, name="Adults", rules={"age_from": 18})
        self.chosen = None
        self.members = Customer.objects.filter(pk__in=[self.ann.pk, self.bo.pk])

    def group_ids(self):
        return list(Segment.objects.values_list("pk", flat=True))

    def more_groups(self):
        """Nineteen more groups: ten whose members are Ann and Bo, chosen by staff, and nine
        following rules over every kind of data."""
        chosen = [create_segment(actor=self.actor, name=name) for name in CHOSEN_NAMES]
        for segment in chosen:
            add_customers(actor=self.actor, segment_id=segment.pk, customers=self.members)
        self.chosen = vip = chosen[0]
        for name, rules in (
            ("Families", {"in_family_group": "yes"}),
            ("Family owners", {"in_family_group": "yes", "family_role": Role.OWNER}),
            ("Children", {"age_to": 17}),
            ("Adults in families", {"age_from": 18, "in_family_group": "yes"}),
            ("VIP adults", {"age_from": 18, "in_segment": vip.pk}),
            ("Everyone but VIPs", {"not_in_segment": vip.pk}),
            ("Clients since 2000", {"created_since": "2000-01-01"}),
            ("Without linked clients", {"has_linked_clients": "no"}),
            ("Working age", {"age_from": 18, "age_to": 67}),
        ):
            create_segment(actor=self.actor, name=name, rules=rules)
        assert Segment.objects.count() == 20

    def more_members(self, count=198):
        """Two hundred members in every group chosen by staff, in the family group and so in
        most groups following rules."""
        newcomers = CustomerFactory.create_batch(count, last_name="Ashby", date_of_birth=adult())
        GroupMember.objects.bulk_create(
            GroupMember(group=self.family, customer=c, role=Role.DEPENDENT, label=self.child_label)
            for c in newcomers
        )
        self.members = Customer.objects.filter(last_name__in=["Ash", "Ashby"])
        for segment in queries.manual_segments():
            add_customers(actor=self.actor, segment_id=segment.pk, customers=self.members)
        sizes = Segment.objects.filter(rules={}).annotate(n=Count("memberships")).values_list("n", flat=True)
        assert set(sizes) == {count + 2}


@pytest.fixture
def clients(front_desk_user, labels, client_groups_on):
    return Clients(front_desk_user, labels)


@pytest.mark.parametrize(("name", "url", "headers", "extra"), PAGES, ids=[page[0] for page in PAGES])
def test_client_group_page_query_count_is_fixed(desk, clients, name, url, headers, extra):
    desk.get(reverse("client_groups:list"))  # fill the shared cache of switches
    counts = []
    for grow in (None, clients.more_groups, clients.more_members):
        if grow is not None:
            grow()
        address = url(clients)
        if address:
            counts.append(queries_for(desk, address, **headers))
    assert len(counts) >= 2, name
    assert counts == [AUTH + PERMS + extra] * len(counts), name


BADGE = re.compile(r'class="badge segment-badge[^"]*" href="/client-groups/(\d+)/"')


def groups_of(customer):
    """The ids of the client groups `customer` is in, asked group by group, the slow way."""
    return {
        segment.pk
        for segment in Segment.objects.all()
        if queries.members(segment).filter(pk=customer.pk).exists()
    }


def test_every_row_of_the_client_list_shows_its_badges(desk, clients):
    clients.more_groups()
    clients.more_members()
    response = desk.get(reverse("customers:list"))
    rows = response.content.decode().split("<tr")[2:]  # past the heading's row
    assert len(rows) == LIST_PAGE_SIZE
    shown = 0
    for row in rows:
        customer = Customer.objects.get(pk=re.search(r'href="/customers/(\d+)/"', row).group(1))
        badges = [int(pk) for pk in BADGE.findall(row)]
        assert sorted(badges) == sorted(groups_of(customer)), customer
        shown += len(badges)
    # Ann, Bo and the first newcomers are in every group chosen by staff and most others.
    assert shown > LIST_PAGE_SIZE * len(CHOSEN_NAMES)


def test_the_profile_shows_every_group_the_customer_is_in(desk, clients):
    clients.more_groups()
    clients.more_members()
    response = desk.get(reverse("customers:profile", args=[clients.ann.pk]))
    panel = response.content.decode().split('id="client-groups-panel"')[1]
    shown = {int(pk) for pk in re.findall(r'href="/client-groups/(\d+)/"', panel)}
    assert shown == groups_of(clients.ann)
    assert len(shown) > len(CHOSEN_NAMES)


# Add to Group and Remove from Group, one customer or ten thousand.

# The service's transaction: a savepoint inside the test's own transaction, and its release.
ATOMIC = 2
# The client group's row, locked.
GROUP_LOCK = 1
# How many customers were chosen. On PostgreSQL the statement that counts them also locks
# their rows, in id order; SQLite, which has no row locks, holds the whole database instead.
# Customers ticked one by one are checked against this count, without a query of their own.
CHOSEN = 1
# Add only: whether any chosen customer is archived.
ARCHIVED = 1
# The memberships and a History line on each customer who changed. On PostgreSQL one
# statement: the INSERT (or DELETE) of memberships RETURNING who changed, feeding the INSERT
# of History lines. SQLite, one writer at a time, runs the two as separate statements.
CHANGE = 1
HISTORY_APART = 1


def statements(action):
    """What Add to Group ("add") or Remove from Group runs, however many customers it changes."""
    apart = HISTORY_APART if connection.vendor != "postgresql" else 0
    return ATOMIC + GROUP_LOCK + CHOSEN + (ARCHIVED if action == "add" else 0) + CHANGE + apart


def crowd(count, last_name):
    """`count` new customers called `last_name`, inserted in a few statements; as a queryset."""
    Customer.objects.bulk_create(
        (Customer(first_name=f"Client{n}", last_name=last_name) for n in range(count)), batch_size=2_000
    )
    return Customer.objects.filter(last_name=last_name)


def last_line():
    return Activity.objects.aggregate(last=Max("pk"))["last"]


def assert_one_line_each(mark, kind, customers):
    """Since `mark`, History has exactly one line, of `kind`, on each of `customers` and no other."""
    lines = Activity.objects.filter(pk__gt=mark or 0)
    assert set(lines.values_list("kind", flat=True)) == {kind}
    per_customer = dict(lines.values_list("customer").annotate(n=Count("pk")).order_by())
    assert set(per_customer) == set(customers.values_list("pk", flat=True))
    assert set(per_customer.values()) == {1}


@pytest.mark.parametrize(
    ("how", "sizes"),
    [("all matching", (10, 10_000)), ("ticked", (10, 1_000))],
    ids=["all matching", "ticked one by one"],
)
def test_bulk_add_and_remove_run_a_fixed_number_of_statements(actor, django_assert_num_queries, how, sizes):
    """Whatever the number of customers; three of them are as asked already each time, and
    History tells only of those who changed. The client list ticks at most 1,000 customers."""
    for size in sizes:
        chosen = crowd(size, f"Crowd{size}")
        ids = sorted(chosen.values_list("pk", flat=True))
        ticked = ids if how == "ticked" else None
        vip = create_segment(actor=actor, name=f"VIP {size}")
        ahead = Customer.objects.filter(pk__in=ids[:3])
        add_customers(actor=actor, segment_id=vip.pk, customers=ahead)

        mark = last_line()
        with django_assert_num_queries(statements("add")):
            added = add_customers(actor=actor, segment_id=vip.pk, customers=chosen, expected_ids=ticked)
        assert added == Change(changed=size - 3, unchanged=3)
        assert vip.memberships.count() == size
        assert_one_line_each(mark, "segment.added", chosen.exclude(pk__in=ids[:3]))

        remove_customers(actor=actor, segment_id=vip.pk, customers=ahead)
        mark = last_line()
        with django_assert_num_queries(statements("remove")):
            removed = remove_customers(actor=actor, segment_id=vip.pk, customers=chosen, expected_ids=ticked)
        assert removed == Change(changed=size - 3, unchanged=3)
        assert not vip.memberships.exists()
        assert_one_line_each(mark, "segment.removed", chosen.exclude(pk__in=ids[:3]))


def own_tables():
    """Empty customer tables of the test's own: TRUNCATE makes new ones, rolled back with the
    test, and with them the statistics ANALYZE records, which would otherwise outlive the test
    (they are written in place) and mislead the planner in the tests that follow."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE customers_customer CASCADE")


def analyse():
    """Bring PostgreSQL's statistics up to date, as load_demo_data does after an import and
    autovacuum soon after any: the test database's tables are otherwise never analysed, and
    what the planner then guesses depends on which tests ran before."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer, customers_activity, client_groups_segmentmember")


def timed(service, **arguments):
    started = time.perf_counter()
    change = service(**arguments)
    return change, time.perf_counter() - started


def test_ten_thousand_are_added_and_removed_in_well_under_a_second(on_postgres, actor):
    own_tables()
    chosen = crowd(10_000, "Crowd")
    analyse()
    vip = create_segment(actor=actor, name="VIP")

    added, adding = timed(add_customers, actor=actor, segment_id=vip.pk, customers=chosen)
    assert added == Change(changed=10_000, unchanged=0)
    assert_one_line_each(None, "segment.added", chosen)
    assert adding < 1.0, f"Adding 10,000 took {adding:.3f} s"

    mark = last_line()
    removed, removing = timed(remove_customers, actor=actor, segment_id=vip.pk, customers=chosen)
    assert removed == Change(changed=10_000, unchanged=0)
    assert_one_line_each(mark, "segment.removed", chosen)
    assert removing < 1.0, f"Removing 10,000 took {removing:.3f} s"


def test_the_first_big_group_of_a_new_installation_fills_in_linear_time(on_postgres, actor):
    """Twice as many customers take about twice as long: 20,000 in well under a second too."""
    own_tables()  # and so an empty membership table, as a new installation's
    chosen = crowd(20_000, "Crowd")
    analyse()
    vip = create_segment(actor=actor, name="VIP")

    added, adding = timed(add_customers, actor=actor, segment_id=vip.pk, customers=chosen)

    assert added == Change(changed=20_000, unchanged=0)
    assert adding < 1.0, f"Adding 20,000 took {adding:.3f} s"


# Bulk Actions on the client list, "select all matching".

# The list's filters, read to know whom "all matching" means, load every client group.
MATCHING = CATALOGUE
# The group chosen in the form, looked up among those staff choose members for.
CHOSEN_GROUP = 1
# The confirmation counts those chosen and those in the group already.
CONFIRMATION = 2
# The success message, saved in the session within a savepoint.
MESSAGE = 3


@pytest.mark.parametrize("action", ["add", "remove"])
def test_bulk_action_on_all_matching_runs_a_fixed_number_of_queries(
    desk, client_groups_on, actor, django_assert_num_queries, action
):
    desk.get(reverse("customers:list"))  # fill the shared cache of switches
    for size in (10, 10_000):
        chosen = crowd(size, f"Crowd{size}")
        vip = create_segment(actor=actor, name=f"VIP {size}")
        if action == "remove":
            add_customers(actor=actor, segment_id=vip.pk, customers=chosen)
        form = {"action": action, "all_matching": "1", "q": f"crowd{size}", "segment": vip.pk}

        with django_assert_num_queries(AUTH + SWITCH + PERMS + MATCHING + CHOSEN_GROUP + CONFIRMATION):
            confirm = desk.get(reverse("client_groups:bulk"), form)
        verb = "Add" if action == "add" else "Remove"
        assert f"{verb} <strong>{size} customers</strong>" in confirm.content.decode()
        mark = last_line()
        service = statements(action)
        with django_assert_num_queries(AUTH + SWITCH + PERMS + MATCHING + CHOSEN_GROUP + service + MESSAGE):
            response = desk.post(reverse("client_groups:bulk"), form)

        assert response.status_code == 302
        assert vip.memberships.count() == (size if action == "add" else 0)
        assert_one_line_each(mark, f"segment.{'added' if action == 'add' else 'removed'}", chosen)
        desk.get(reverse("customers:list"))  # shows, and so forgets, the success message
