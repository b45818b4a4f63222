"""The rules a rule-based client group follows: who each rule matches (ages at their
boundaries, families, links, client since, other groups), how they combine and read, and
how badges and the list's filter use them."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from client_groups import queries, services
from client_groups.rules import Catalogue, describe, years_before
from customers.models import Customer
from customers.services import update_customer
from groups.models import Role
from linking.services import link_customers
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 15)


def ruled(actor, name="Rules", **rules):
    return services.create_segment(actor=actor, name=name, rules=rules)


def manual(actor, name, *customers):
    segment = services.create_segment(actor=actor, name=name)
    services.add_customers(
        actor=actor,
        segment_id=segment.pk,
        customers=Customer.objects.filter(pk__in=[c.pk for c in customers]),
    )
    return segment


def members(segment, today=TODAY):
    """The first names of the group's members on `today`, worked out as every page does."""
    catalogue = Catalogue.load(today=today)
    return set(Customer.objects.filter(catalogue.members(segment)).values_list("first_name", flat=True))


def born(first_name, date_of_birth):
    return CustomerFactory(first_name=first_name, date_of_birth=date_of_birth)


# Age.


@pytest.fixture
def eighteens(db):
    """Three customers whose 18th birthday is yesterday, today and tomorrow, and one of unknown age."""
    born("Yesterday", date(2006, 6, 14))
    born("Today", date(2006, 6, 15))
    born("Tomorrow", date(2006, 6, 16))
    born("Unknown", None)


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ({"age_from": 18}, {"Yesterday", "Today"}),
        ({"age_to": 17}, {"Tomorrow"}),
        ({"age_from": 18, "age_to": 18}, {"Yesterday", "Today"}),
        ({"age_from": 17, "age_to": 17}, {"Tomorrow"}),
        ({"age_from": 17, "age_to": 18}, {"Yesterday", "Today", "Tomorrow"}),
        ({"age_from": 19}, set()),
    ],
)
def test_age_counts_a_birthday_from_the_day_itself(actor, eighteens, rules, expected):
    assert members(ruled(actor, **rules)) == expected


def test_customers_without_a_date_of_birth_never_match_an_age_rule(actor, eighteens):
    for rules in ({"age_from": 0}, {"age_to": 130}, {"age_from": 0, "age_to": 130}):
        assert "Unknown" not in members(ruled(actor, name=str(rules), **rules))


@pytest.mark.parametrize(
    ("today", "age"),
    [
        (date(2022, 2, 28), 17),  # no 29 February this year: the birthday is 1 March
        (date(2022, 3, 1), 18),
        (date(2024, 2, 28), 19),
        (date(2024, 2, 29), 20),
        (date(2024, 3, 1), 20),
    ],
)
def test_a_29_february_birthday(actor, today, age):
    leapling = born("Leap", date(2004, 2, 29))
    assert leapling.age(today) == age
    assert members(ruled(actor, name="Exact", age_from=age, age_to=age), today) == {"Leap"}
    assert members(ruled(actor, name="Older", age_from=age + 1), today) == set()
    assert members(ruled(actor, name="Younger", age_to=age - 1), today) == set()


@pytest.mark.parametrize("today", [date(2023, 2, 28), date(2023, 3, 1), date(2024, 2, 28), date(2024, 2, 29)])
def test_age_rules_agree_with_customer_age_around_the_end_of_february(actor, today):
    """Every birthday from mid-February to mid-March in a leap and a plain year, counted on
    the days where 29 February makes "a year ago" awkward."""
    for start in (date(2004, 2, 15), date(2005, 2, 15)):
        for offset in range(30):
            born(f"{start.year}-{offset}", start + timedelta(days=offset))
    ages = {c.first_name: c.age(today) for c in Customer.objects.all()}
    for low, high in ((18, None), (None, 18), (19, 19), (18, 19)):
        rules = {key: value for key, value in (("age_from", low), ("age_to", high)) if value is not None}
        expected = {
            name
            for name, age in ages.items()
            if (low is None or age >= low) and (high is None or age <= high)
        }
        assert members(ruled(actor, name=f"{low}-{high}", **rules), today) == expected, rules


def test_years_before_moves_29_february_to_the_28th():
    assert years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
    assert years_before(date(2024, 2, 29), 4) == date(2020, 2, 29)
    assert years_before(date(2024, 6, 15), 18) == date(2006, 6, 15)


def test_a_fixed_today_can_be_given_with_the_segments(actor, eighteens):
    adults = ruled(actor, age_from=18)
    catalogue = Catalogue(segments={adults.pk: adults}, today=date(2024, 6, 16))
    found = Customer.objects.filter(catalogue.members(adults)).values_list("first_name", flat=True)
    assert set(found) == {"Yesterday", "Today", "Tomorrow"}  # a day later, Tomorrow is 18 too


# Families, links and client since.


@pytest.fixture
def loner(db):
    return CustomerFactory(first_name="Loner")


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ({"in_family_group": "yes"}, {"Anna", "Ben", "Cara"}),
        ({"in_family_group": "no"}, {"Loner"}),
        ({"family_role": Role.OWNER}, {"Anna"}),
        ({"family_role": Role.ADMIN}, {"Cara"}),
        ({"family_role": Role.DEPENDENT}, {"Ben"}),
        ({"in_family_group": "yes", "family_role": Role.ADMIN}, {"Cara"}),
        ({"in_family_group": "no", "family_role": Role.OWNER}, set()),
    ],
)
def test_family_group_rules(actor, family, loner, rules, expected):
    assert members(ruled(actor, **rules)) == expected


def test_has_linked_clients(actor, family, loner, types, linking_on):
    link_customers(actor=actor, agent_id=family["anna"].pk, principal_id=loner.pk, type_id=types["Parent"].pk)
    # A link is a reciprocal pair: both ends have a linked client.
    assert members(ruled(actor, name="Linked", has_linked_clients="yes")) == {"Anna", "Loner"}
    assert members(ruled(actor, name="Unlinked", has_linked_clients="no")) == {"Ben", "Cara"}


def test_client_since_counts_from_midnight_where_the_business_is(actor):
    for name, when in (("Before", datetime(2024, 2, 29, 23, 59, 59)), ("Midnight", datetime(2024, 3, 1))):
        customer = CustomerFactory(first_name=name)
        Customer.objects.filter(pk=customer.pk).update(created_at=timezone.make_aware(when))
    assert members(ruled(actor, created_since="2024-03-01")) == {"Midnight"}
    assert members(ruled(actor, name="Earlier", created_since="2024-02-29")) == {"Before", "Midnight"}


# Other client groups, and rules together.


@pytest.fixture
def people(db):
    return {
        "adult_vip": born("AdultVip", date(1980, 1, 1)),
        "child_vip": born("ChildVip", date(2015, 1, 1)),
        "adult": born("Adult", date(1990, 1, 1)),
        "child": born("Child", date(2016, 1, 1)),
        "unknown": born("Unknown", None),
    }


@pytest.fixture
def vip(actor, people):
    return manual(actor, "VIP", people["adult_vip"], people["child_vip"])


@pytest.fixture
def adults(actor, people):
    return ruled(actor, name="Adults", age_from=18)


def test_in_and_not_in_a_group_whose_members_staff_choose(actor, vip):
    assert members(ruled(actor, name="In", in_segment=vip.pk)) == {"AdultVip", "ChildVip"}
    assert members(ruled(actor, name="Out", not_in_segment=vip.pk)) == {"Adult", "Child", "Unknown"}


def test_in_and_not_in_a_rule_based_group(actor, adults):
    assert members(ruled(actor, name="In", in_segment=adults.pk)) == {"AdultVip", "Adult"}
    # Not being a member includes having no date of birth.
    assert members(ruled(actor, name="Out", not_in_segment=adults.pk)) == {"ChildVip", "Child", "Unknown"}


def test_groups_chained_through_rules(actor, vip, adults):
    adult_vips = ruled(actor, name="Adult VIPs", in_segment=adults.pk, not_in_segment=vip.pk)
    assert members(ruled(actor, name="Chained", in_segment=adult_vips.pk)) == {"Adult"}


def test_several_rules_must_all_be_met(actor, vip, adults):
    assert members(ruled(actor, name="Both", age_from=18, in_segment=vip.pk)) == {"AdultVip"}
    assert members(ruled(actor, name="Neither", age_to=17, not_in_segment=vip.pk)) == {"Child"}
    assert members(ruled(actor, name="None", age_from=18, age_to=17)) == set()


# In words.


def test_describe_reads_every_rule_in_form_order(actor, vip, adults):
    everything = ruled(
        actor,
        name="Everything",
        not_in_segment=vip.pk,
        in_segment=adults.pk,
        created_since="2024-03-01",
        has_linked_clients="yes",
        family_role=Role.OWNER,
        in_family_group="yes",
        age_to=65,
        age_from=18,
    )
    assert describe(everything, Catalogue.load()) == [
        "Aged 18 to 65",
        "In a family group; Owner of a family group",
        "Has linked clients",
        "Client since 1 Mar 2024",
        "Also in Adults; Not in VIP",
    ]


@pytest.mark.parametrize(
    ("rules", "words"),
    [
        ({"age_from": 0}, "Aged 0 or over"),
        ({"age_to": 17}, "Aged 17 or under"),
        ({"in_family_group": "no"}, "Not in a family group"),
        ({"family_role": Role.DEPENDENT}, "Dependent of a family group"),
        ({"has_linked_clients": "no"}, "Has no linked clients"),
        ({"created_since": "2023-12-05"}, "Client since 5 Dec 2023"),
    ],
)
def test_describe_each_rule(actor, rules, words):
    assert describe(ruled(actor, **rules), Catalogue.load()) == [words]


def test_describe_names_a_group_that_is_gone(actor, vip):
    uses_vip = ruled(actor, name="Uses VIP", in_segment=vip.pk)
    catalogue = Catalogue(segments={uses_vip.pk: uses_vip}, today=TODAY)
    assert describe(uses_vip, catalogue) == ["Also in a deleted client group"]


# Badges, the list's filter, and keeping up with changes.


def test_badges_show_every_group_a_customer_is_in_by_name(actor, people, vip, adults):
    trade = manual(actor, "trade", people["adult"], people["adult_vip"])
    customers = list(Customer.objects.order_by("pk"))
    with CaptureQueriesContext(connection) as queries_run:
        queries.attach_badges(customers)
    # The groups, the chosen memberships, and every rule-based group at once: never per customer.
    assert len(queries_run) == 3
    badges = {c.first_name: [s.name for s in c.client_groups] for c in customers}
    assert badges == {
        "AdultVip": ["Adults", "trade", "VIP"],
        "ChildVip": ["VIP"],
        "Adult": ["Adults", "trade"],
        "Child": [],
        "Unknown": [],
    }
    assert {s.pk for s in next(c for c in customers if c.first_name == "Adult").client_groups} == {
        adults.pk,
        trade.pk,
    }


def test_narrow_to_several_groups_means_in_any_of_them(actor, people, vip, adults):
    def narrowed(*segment_ids):
        found = queries.narrow(queries.live_customers(), list(segment_ids))
        return set(found.values_list("first_name", flat=True))

    assert narrowed(vip.pk) == {"AdultVip", "ChildVip"}
    assert narrowed(vip.pk, adults.pk) == {"AdultVip", "ChildVip", "Adult"}
    assert narrowed(vip.pk, 999_999) == {"AdultVip", "ChildVip"}  # an unknown group matches nobody
    assert narrowed() == set(Customer.objects.values_list("first_name", flat=True))


def test_a_rule_based_group_follows_a_change_of_date_of_birth_at_once(actor, adults):
    today = timezone.localdate()
    child = born("Growing", date(today.year - 10, 1, 1))
    assert "Growing" not in members(adults, today)
    update_customer(
        actor=actor, customer_id=child.pk, version=child.version, date_of_birth=date(today.year - 30, 1, 1)
    )
    assert "Growing" in members(adults, today)
    child.refresh_from_db()
    queries.attach_badges([child])
    assert [s.name for s in child.client_groups] == ["Adults"]
    update_customer(actor=actor, customer_id=child.pk, version=child.version, date_of_birth=None)
    assert "Growing" not in members(adults, today)
