"""Review of access at 18: who is due (adults others may act for, by a link with any
permission or as a group's Dependent, never reviewed, not merged), the flags on their profile
and on their agents', the Managers' Access Reviews page, and Mark Reviewed."""

import html
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from waffle.testutils import override_switch

from core.errors import KinshipError
from customers import services as customer_services
from customers.merging import merge_token
from customers.models import Activity
from groups import services as group_services
from groups.models import Role
from linking import queries, services
from linking.features import ACCOUNT_LINKING
from linking.models import AccessReview
from tests.bookings.acting_for_others import link, snapshot
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

#: The day the query tests count birthdays from. Today, because marking a review (in the
#: fixtures too) asks whether it is due on the real date.
TODAY = date.today()


def born(years_old, *, today=TODAY, days_later=0):
    """The date of birth of someone who turns `years_old` on `today` (+ `days_later`)."""
    try:
        birthday = today.replace(year=today.year - years_old)
    except ValueError:  # 29 February in a year without one
        birthday = today.replace(year=today.year - years_old, month=3, day=1)
    return birthday + timedelta(days=days_later)


def person(first, years_old=None, *, today=TODAY, days_later=0, last="Reed"):
    dob = None if years_old is None else born(years_old, today=today, days_later=days_later)
    return CustomerFactory(first_name=first, last_name=last, date_of_birth=dob)


def group_of(actor, labels, owner, dependent):
    return group_services.create_group(
        actor=actor,
        owner_id=owner.pk,
        owner_label_id=labels["Parent"].pk,
        member_id=dependent.pk,
        member_role=Role.DEPENDENT,
        member_label_id=labels["Child"].pk,
    )


def merge(actor, survivor, absorbed):
    survivor.refresh_from_db()
    absorbed.refresh_from_db()
    customer_services.merge_customers(
        actor=actor, survivor_id=survivor.pk, absorbed_id=absorbed.pk, token=merge_token(survivor, absorbed)
    )


@pytest.fixture
def town(actor, types, labels):
    """Mum may book for Zoe (18 today) and Yan (18 tomorrow); Kim gets the copies of Xia (18 for
    200 days); Wes (18 for 30 days) is linked to Lee with nothing ticked either way; Vic (18 for
    50 days) may book for Kit (10) but nobody acts for Vic; Uma (18 for 100 days) is a Dependent
    in Tia's group; Sal (18 for 10 days) was reviewed already; Ray's date of birth is unknown; Ola
    turned 19 today and Mum still books for her; Quin (18 for 20 days, Pat acts for him) was merged
    into Pia (18 for 300 days)."""
    mum, kim, lee, pat, tia = (person(name, 45) for name in ("Mum", "Kim", "Lee", "Pat", "Tia"))
    zoe, yan = person("Zoe", 18), person("Yan", 18, days_later=1)
    xia, wes, vic = (
        person("Xia", 18, days_later=-200),
        person("Wes", 18, days_later=-30),
        person("Vic", 18, days_later=-50),
    )
    uma, sal, ray = person("Uma", 18, days_later=-100), person("Sal", 18, days_later=-10), person("Ray")
    kit, ola = person("Kit", 10), person("Ola", 19)
    quin, pia = person("Quin", 18, days_later=-20), person("Pia", 18, days_later=-300)
    link(actor, types, mum, zoe, agent_may={"can_book"})
    link(actor, types, mum, yan, agent_may={"can_book", "can_complete_forms"})
    link(actor, types, kim, xia, agent_may={"receives_copies"})
    link(actor, types, lee, wes)
    link(actor, types, vic, kit, agent_may={"can_book"})
    group_of(actor, labels, tia, uma)
    link(actor, types, mum, sal, agent_may={"can_use_packages"})
    services.review_access(actor=actor, customer_id=sal.pk, note="Sal wants Mum to keep booking.")
    link(actor, types, mum, ray, agent_may={"can_book"})
    link(actor, types, mum, ola, agent_may={"can_book"})
    link(actor, types, pat, quin, agent_may={"can_book"})
    merge(actor, pia, quin)
    everyone = (mum, kim, lee, pat, tia, zoe, yan, xia, wes, vic, uma, sal, ray, kit, ola, quin, pia)
    return {c.first_name.lower(): c for c in everyone}


def names(customers):
    return [customer.first_name for customer in customers]


def test_reviews_due_lists_who_turned_18_within_the_year_most_recently_first(town):
    # Pia inherited Quin's link from Pat when he was merged into her; Quin's tombstone is not
    # listed, nor Ola (19 today: her review was due a year ago), nor Wes (nobody may do anything
    # for him), nor Vic (he acts for Kit; nobody acts for him).
    assert names(queries.reviews_due(today=TODAY)) == ["Zoe", "Uma", "Xia", "Pia"]


def test_the_day_before_the_18th_birthday_is_too_early_and_the_day_itself_is_not(town):
    assert "Yan" not in names(queries.reviews_due(today=TODAY))
    assert "Yan" in names(queries.reviews_due(today=TODAY + timedelta(days=1)))
    assert "Zoe" not in names(queries.reviews_due(today=TODAY - timedelta(days=1)))


def test_the_review_is_due_for_a_year_after_the_18th_birthday(town):
    assert "Ola" in names(queries.reviews_due(today=TODAY - timedelta(days=1)))
    assert "Zoe" in names(queries.reviews_due(today=TODAY + timedelta(days=364)))
    assert "Zoe" not in names(queries.reviews_due(today=TODAY + timedelta(days=365)))


def test_someone_born_on_29_february_turns_18_on_1_march(actor, types):
    leap = CustomerFactory(first_name="Leap", last_name="Day", date_of_birth=date(2008, 2, 29))
    link(actor, types, CustomerFactory(), leap, agent_may={"can_book"})
    assert queries.reviews_due(today=date(2026, 2, 28)) == []
    assert queries.reviews_due(today=date(2026, 3, 1)) == [leap]
    assert queries.review_flags(leap, today=date(2026, 3, 1))["own"] is True


def test_a_reviewed_adult_is_not_due_again(actor, town):
    services.review_access(actor=actor, customer_id=town["zoe"].pk)
    assert "Zoe" not in names(queries.reviews_due(today=TODAY))


def test_reviews_due_reads_one_query_whatever_the_number_due(actor, types, town, django_assert_num_queries):
    for number in range(10):
        newly = person(f"Extra{number}", 18, days_later=-number)
        link(actor, types, town["mum"], newly, agent_may={"can_book"})
    with django_assert_num_queries(1):
        assert len(queries.reviews_due(today=TODAY)) == 14


def test_review_flags_for_the_adult_and_for_those_who_act_for_them(town):
    def flags(name):
        found = queries.review_flags(town[name], today=TODAY)
        return found["own"], names(found["theirs"])

    assert flags("zoe") == (True, [])
    assert flags("uma") == (True, [])
    assert flags("yan") == (False, [])  # 18 tomorrow
    assert flags("wes") == (False, [])  # linked, but nobody may do anything for him
    assert flags("vic") == (False, [])  # he acts for Kit; nobody acts for him
    assert flags("sal") == (False, [])  # reviewed
    assert flags("ray") == (False, [])  # age unknown
    assert flags("ola") == (False, [])  # her year for review has passed
    # Not Yan (17), Sal (reviewed), Ray (age unknown) or Ola (19).
    assert flags("mum") == (False, ["Zoe"])
    assert flags("tia") == (False, ["Uma"])
    assert flags("kim") == (False, ["Xia"])
    assert flags("pat") == (False, ["Pia"])


def test_review_flags_leave_out_adults_the_customer_has_no_say_over(actor, types, town):
    # Lee's link to Xia ticks nothing; Kim gets Xia's copies, so Xia is due, but not for Lee.
    link(actor, types, town["lee"], town["xia"])
    assert queries.review_flags(town["lee"], today=TODAY)["theirs"] == []


def test_review_flags_read_at_most_two_queries(town, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        queries.review_flags(town["mum"], today=TODAY)


def test_reviewing_writes_history_and_keeps_the_links(actor, town):
    zoe = town["zoe"]
    review = services.review_access(actor=actor, customer_id=zoe.pk, note="  Zoe is happy for Mum to book.  ")

    assert (review.customer, review.reviewed_by, review.note) == (zoe, actor, "Zoe is happy for Mum to book.")
    assert [line.sentence for line in Activity.objects.filter(customer=zoe, kind="link.access_reviewed")] == [
        "Access reviewed at 18: Zoe is happy for Mum to book."
    ]
    assert zoe.links_as_principal.filter(can_book=True).count() == 1


def test_a_review_cannot_be_marked_before_it_is_due(actor, town):
    # Yan turns 18 tomorrow: marked today, the review would hide the real one.
    before = snapshot()
    with pytest.raises(KinshipError, match="^Yan Reed is not due a review: a review is marked once they"):
        services.review_access(actor=actor, customer_id=town["yan"].pk)
    assert snapshot() == before
    assert "Yan" in names(queries.reviews_due(today=TODAY + timedelta(days=1)))


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("kit", "10 years old"),
        ("wes", "nobody may do anything for him"),
        ("ray", "no date of birth"),
        ("ola", "her year for review has passed"),
        ("sal", "reviewed already"),
    ],
)
def test_a_review_is_marked_only_for_someone_due(actor, town, name, why):
    before = snapshot()
    with pytest.raises(KinshipError, match="is not due a review"):
        services.review_access(actor=actor, customer_id=town[name].pk)
    assert snapshot() == before, why


def test_a_review_made_for_another_date_of_birth_does_not_hide_the_real_one(actor, town):
    # Zoe is reviewed; then her date of birth is corrected: she is really 16 years and 364 days.
    zoe = town["zoe"]
    services.review_access(actor=actor, customer_id=zoe.pk)
    corrected = born(18, days_later=365 + 1)
    customer_services.update_customer(
        actor=actor, customer_id=zoe.pk, version=zoe.version, date_of_birth=corrected
    )
    coming_of_age = queries.eighteenth_birthday(corrected)
    assert "Zoe" not in names(queries.reviews_due(today=TODAY))
    assert "Zoe" in names(queries.reviews_due(today=coming_of_age))
    assert queries.review_flags(zoe, today=coming_of_age)["own"] is True


def test_reviews_made_before_the_18th_birthday_stop_counting_when_migrated(actor, town):
    """The data migration keeps the reviews made at or after 18 and lets go of the early ones."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("linking.migrations.0005_review_covers_one_coming_of_age")
    sal, yan = town["sal"], town["yan"]
    early = AccessReview.objects.create(customer=yan, note="Marked a day early, before the fix.")
    AccessReview.objects.update(date_of_birth=None)

    migration.cover_the_coming_of_age_reviewed(apps, None)

    assert AccessReview.objects.get(customer=sal).date_of_birth == sal.date_of_birth
    early.refresh_from_db()
    assert early.date_of_birth is None
    assert "Yan" in names(queries.reviews_due(today=TODAY + timedelta(days=1)))


def test_a_tombstone_is_not_reviewed(actor, town):
    before = snapshot()
    with pytest.raises(
        KinshipError, match="^Quin Reed was merged into another client; review them there\\.$"
    ):
        services.review_access(actor=actor, customer_id=town["quin"].pk)
    assert snapshot() == before


# The pages, on today's date.


def text(response):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


PAGE = reverse("linking:access_reviews")


def review_url(customer):
    return reverse("linking:review_access", args=[customer.pk])


@pytest.fixture
def adults(actor, types, linking_on):
    """Today, Nell has just turned 18 and her father Olaf may still book for her."""
    today = date.today()
    nell = person("Nell", 18, today=today, last="Nash")
    olaf = person("Olaf", 50, today=today, last="Nash")
    link(actor, types, olaf, nell, agent_may={"can_book", "receives_copies"})
    return {"nell": nell, "olaf": olaf}


def summary(client, customer):
    return text(client.get(reverse("customers:profile", args=[customer.pk])))


def test_the_summary_flags_the_review_on_the_adults_and_the_agents_profile(desk, adults):
    nell = summary(desk, adults["nell"])
    assert "Review of access due." in nell
    assert "Nell has turned 18 and others may still act for them" in nell
    olaf = summary(desk, adults["olaf"])
    assert "Review of access due." in olaf
    assert "Nell Nash has turned 18: Olaf's say over them is due for review." in olaf


def test_only_those_who_may_review_get_the_mark_reviewed_button(desk, manager_user, adults):
    assert "Mark Reviewed" not in summary(desk, adults["nell"])
    assert "Mark Reviewed" in summary(logged_in(manager_user), adults["nell"])


def test_no_flag_for_someone_nobody_acts_for(desk, adults, linking_on):
    lone = person("Lone", 30, today=date.today())
    assert "Review of access due" not in summary(desk, lone)


def test_the_access_reviews_page_lists_who_is_due_for_managers(manager_user, adults):
    response = logged_in(manager_user).get(PAGE)
    assert response.status_code == 200
    words = text(response)
    assert "Nell Nash" in words and "Olaf" not in words
    assert f'action="{review_url(adults["nell"])}"' in response.content.decode()


def test_the_access_reviews_page_is_managers_only(client, front_desk_user, staff_without_roles, adults):
    before = snapshot()
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/login/")
    posted = client.post(review_url(adults["nell"]))
    assert posted.status_code == 302 and posted.url.startswith("/login/")
    for user in (front_desk_user, staff_without_roles):
        assert logged_in(user).get(PAGE).status_code == 403
        assert logged_in(user).post(review_url(adults["nell"]), {"note": "ok"}).status_code == 403
    assert snapshot() == before


def test_mark_reviewed_clears_the_flags_and_writes_history(manager_user, adults):
    manager = logged_in(manager_user)

    response = manager.post(review_url(adults["nell"]), {"note": "Nell asked Olaf to keep booking."})

    assert response.status_code == 302 and response.url == PAGE
    review = AccessReview.objects.get()
    assert (review.customer, review.reviewed_by, review.note) == (
        adults["nell"],
        manager_user,
        "Nell asked Olaf to keep booking.",
    )
    history = text(manager.get(reverse("customers:profile_tab", args=[adults["nell"].pk, "history"])))
    assert "Access reviewed at 18: Nell asked Olaf to keep booking." in history
    assert "Nell Nash" not in text(manager.get(PAGE))
    assert "Review of access due" not in summary(manager, adults["nell"])
    assert "Review of access due" not in summary(manager, adults["olaf"])


def test_mark_reviewed_from_the_profile_goes_back_to_it(manager_user, adults):
    profile = reverse("customers:profile", args=[adults["nell"].pk])
    response = logged_in(manager_user).post(review_url(adults["nell"]), {"next": profile})
    assert response.status_code == 302 and response.url == profile


def test_mark_reviewed_for_an_unknown_customer_answers_404(manager_user, adults):
    before = snapshot()
    assert logged_in(manager_user).post(reverse("linking:review_access", args=[999_999])).status_code == 404
    assert snapshot() == before


def test_the_access_reviews_page_and_action_answer_404_while_account_linking_is_off(manager_user, adults):
    manager = logged_in(manager_user)
    before = snapshot()
    with override_switch(ACCOUNT_LINKING, active=False):
        assert manager.get(PAGE).status_code == 404
        assert manager.post(review_url(adults["nell"])).status_code == 404
        assert "Review of access due" not in summary(manager, adults["nell"])
    assert snapshot() == before


def test_the_access_reviews_page_reads_a_fixed_number_of_queries(
    actor, types, manager_user, adults, django_assert_max_num_queries
):
    manager = logged_in(manager_user)
    manager.get(PAGE)
    with django_assert_max_num_queries(12) as few:
        manager.get(PAGE)
    for number in range(10):
        kid = person(f"Kid{number}", 18, today=date.today(), days_later=-7 * (number + 1))
        link(actor, types, adults["olaf"], kid, agent_may={"can_book"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert text(manager.get(PAGE)).count("Mark Reviewed") == 11
