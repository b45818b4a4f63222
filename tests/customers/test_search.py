"""Customer search: any part of the name, email or phone; best matches first; from an index."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory

from customers import listing
from customers.queries import quick_search, search_customers, search_words
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def names(customers):
    return [customer.full_name for customer in customers]


@pytest.fixture
def people():
    return {
        "anna": CustomerFactory(
            first_name="Anna", last_name="Smith", email="anna@example.com", phone="07700 900111"
        ),
        "ben": CustomerFactory(
            first_name="Ben", last_name="Smithson", email="ben@mail.example.org", phone=""
        ),
        "cara": CustomerFactory(first_name="Cara", last_name="Goldsmith", email="", phone="020 7946 0123"),
        "dan": CustomerFactory(first_name="Smith", last_name="Jones", email="dj@example.net", phone=""),
    }


def test_words_are_lowered_and_phone_pieces_lose_punctuation():
    assert search_words("  Anna  SMITH ") == ["anna", "smith"]
    assert search_words("07700-900 111") == ["07700900", "111"]
    assert search_words("(020) 7946") == ["020", "7946"]
    assert search_words("") == []
    assert search_words("a b c d e f g") == ["a", "b", "c", "d", "e"]


def test_any_part_of_the_name_matches_and_family_name_starts_rank_first(people):
    assert names(search_customers("smith")) == ["Anna Smith", "Ben Smithson", "Smith Jones", "Cara Goldsmith"]


def test_every_word_must_match(people):
    assert names(search_customers("anna smith")) == ["Anna Smith"]
    assert names(search_customers("smith ben")) == ["Ben Smithson"]


def test_email_and_phone_find_the_customer(people):
    assert names(search_customers("mail.example.org")) == ["Ben Smithson"]
    assert names(search_customers("7946 0123")) == ["Cara Goldsmith"]
    assert names(search_customers("07700-900111")) == ["Anna Smith"]


def test_short_words_match_the_start_of_the_family_name(people):
    assert names(search_customers("Sm")) == ["Anna Smith", "Ben Smithson"]
    assert names(search_customers("sm an")) == ["Anna Smith"]


def test_merged_customers_never_show_and_archived_ones_come_last(people):
    people["anna"].archived_at = people["anna"].created_at
    people["anna"].save()
    CustomerFactory(
        first_name="Old", last_name="Smith", merged_into=people["ben"], merged_at=people["ben"].created_at
    )
    assert names(search_customers("smith")) == ["Ben Smithson", "Anna Smith", "Smith Jones", "Cara Goldsmith"]
    assert "Anna Smith" not in names(search_customers("smith", include_archived=False))


def test_nothing_typed_finds_nothing(people):
    assert list(search_customers("   ")) == []
    assert quick_search("--") == []


def test_search_text_with_like_wildcards_is_literal(people):
    assert list(search_customers("%")) == []
    assert list(search_customers("_mith")) == []


def list_request(**params):
    request = RequestFactory().get("/customers/", params)
    request.user = AnonymousUser()  # sees no addons: the list's own search and status
    listing.visible(request)  # reads the switches, once per request, before the page's query
    return request


def list_page(per_page=listing.LIST_PAGE_SIZE, **params):
    """A page of the customer list as the Customers page reads it (customers.listing.page)."""
    request = list_request(**params)
    return listing.page(request, request.GET, per_page=per_page)


def test_the_list_pages_without_counting(people, django_assert_num_queries):
    CustomerFactory.create_batch(4, first_name="Zoe", last_name="Zed")
    request = list_request()
    with django_assert_num_queries(1):
        first = listing.page(request, request.GET, per_page=3)
    assert first.has_next and not first.has_previous
    last = list_page(page=3, per_page=3)
    assert [customer.last_name for customer in last.items] == ["Zed", "Zed"]
    assert last.has_previous and not last.has_next


def test_the_list_filters_by_status(people):
    people["cara"].archived_at = people["cara"].created_at
    people["cara"].save()
    assert names(list_page(status="archived").items) == ["Cara Goldsmith"]
    assert len(list_page(status="all").items) == 4
    assert "Cara Goldsmith" not in names(list_page(status="active").items)
    assert "Cara Goldsmith" not in names(list_page(status="nonsense").items)


@pytest.fixture
def crowd(on_postgres, people):
    """Forty thousand customers, so the planner weighs the table as a real one.

    On a tiny table any plan is cheap and PostgreSQL rightly prefers another index; the
    point here is which index serves search once the table is big.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_customer (first_name, last_name, email, phone, phone_digits,"
            " notes, version, created_at, updated_at)"
            " SELECT 'Given' || i, 'Family' || (i % 5000), 'p' || i || '@example.com', '',"
            " (7700000000 + i)::text, '', 1, now(), now() FROM generate_series(1, 40000) AS i"
        )
        cursor.execute("ANALYZE customers_customer")


def _plan(queryset):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("smith", "customer_search_trgm"),
        ("anna smith", "customer_search_trgm"),
        ("mail.example.org", "customer_search_trgm"),
        ("07700900", "customer_search_trgm"),
        ("sm", "customer_search_prefix"),
    ],
)
def test_search_is_served_by_its_index_on_postgres(crowd, text, index):
    plan = _plan(search_customers(text))
    assert index in plan, plan
    assert "Seq Scan on customers_customer" not in plan, plan
