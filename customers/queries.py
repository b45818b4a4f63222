"""Reads that pages need, each in a fixed number of queries whatever the data size."""

import re

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from core.paging import page_of
from core.validators import single_line
from customers import history, merging
from customers.models import Activity, Customer, Merge

MAX_SEARCH_WORDS = 5
# pg_trgm needs three characters to narrow a `LIKE '%…%'`; shorter words match a prefix.
TRIGRAM_MIN = 3


def search_words(text):
    """Split what was typed into the lower-case words search matches.

    A word of digits and punctuation ("07700-900") is a piece of a phone number, so only
    its digits count.
    """
    words = []
    # A search box stays free text, but a control character (a NUL, which PostgreSQL refuses
    # in a query) or a bidi override separates words rather than being looked for.
    for word in single_line(text).lower().split()[:MAX_SEARCH_WORDS]:
        if not re.search(r"[^\d\s()+.\-]", word):
            word = re.sub(r"\D", "", word)
        if word:
            words.append(word)
    return words


#: The order of search results, best first; the admin sorts its search results by it too.
SEARCH_ORDER = ("rank", "archived_last", "last_name", "first_name", "id")


def search_customers(text, *, include_archived=True):
    """Customers matching every word typed, best matches first; never merged tombstones."""
    customers = Customer.objects.filter(merged_into__isnull=True)
    if not include_archived:
        customers = customers.filter(archived_at__isnull=True)
    return rank_matches(customers, text)


def rank_matches(customers, text):
    """Narrow `customers` to those matching every word typed, ranked best first.

    Every word must appear somewhere in the name, email or phone digits. Matches at the
    start of the family name come first, then those at the start of any word, then the
    rest; archived customers after active ones. Served by the trigram index on
    `search_text` (and its prefix index when every word is short). Ranking first matters
    for speed too: ordered by name alone, PostgreSQL may walk the name index through a
    million rows looking for the few that match.
    """
    words = search_words(text)
    if not words:
        return customers.none()
    first = words[0]
    if all(len(word) < TRIGRAM_MIN for word in words):
        customers = customers.filter(search_text__startswith=words[0])
        words = words[1:]
    for word in words:
        customers = customers.filter(search_text__contains=word)
    rank = Case(
        When(search_text__startswith=first, then=Value(0)),
        When(search_text__contains=f" {first}", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    archived_last = Case(
        When(archived_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return customers.annotate(rank=rank, archived_last=archived_last).order_by(*SEARCH_ORDER)


CUSTOMER_STATUSES = {
    "active": {"archived_at__isnull": True},
    "archived": {"archived_at__isnull": False},
    "all": {},
}


def customer_list_queryset(*, text="", status="active"):
    """The live customers the list shows, searched and filtered, best matches or names first."""
    filters = CUSTOMER_STATUSES.get(status, CUSTOMER_STATUSES["active"])
    if search_words(text):
        return search_customers(text).filter(**filters)
    return Customer.objects.filter(merged_into__isnull=True, **filters).order_by(
        "last_name", "first_name", "id"
    )


#: Customers per page of the customer list.
def quick_search(text, *, limit=10):
    """The front desk's live results: the best few matches."""
    return list(search_customers(text)[:limit])


def get_customer(customer_id):
    """The customer a page is about, or 404. Merged tombstones still resolve, to say so."""
    return get_object_or_404(Customer.objects.select_related("merged_into"), pk=customer_id)


def get_live_customer(customer_id):
    """The customer a change is for, or 404: a merged tombstone has nothing left to change."""
    return get_object_or_404(Customer, pk=customer_id, merged_into__isnull=True)


def history_page(customer, *, area=None, page=1, per_page=20):
    """A customer's history, newest first, with who did each thing; with `area` (a
    `history.Area`), only the lines of its actions. One query."""
    lines = Activity.objects.filter(customer=customer)
    if area is not None:
        # The index on (customer, action, -id) finds these without reading the other lines.
        lines = lines.filter(kind__in=history.codes_in(area))
    return page_of(lines.select_related("actor").order_by("-id"), page, per_page)


def merges_of(customer):
    """The customer's merges, either way, newest first (`merges`), and the accounts merged
    into them before merges were recorded, which have a tombstone but no record
    (`unrecorded`). Two queries."""
    return {
        "merges": list(
            Merge.objects.filter(Q(survivor=customer) | Q(absorbed=customer))
            .select_related("survivor", "absorbed", "actor", "undone_by")
            .order_by("-created_at", "-id")
        ),
        "unrecorded": list(customer.absorbed.filter(merges_absorbed__isnull=True).order_by("-merged_at")),
    }


def merge_preview(survivor, duplicate):
    """What merging `duplicate` into `survivor` would move and what blocks it, and the token
    that proves, at merge time, that neither changed since. One count per relation."""
    blockers = merging.blockers(survivor, duplicate)
    return {
        "blockers": blockers,
        "moves": [] if blockers else merging.moving(survivor, duplicate),
        "filled": [] if blockers else merging.filled_labels(survivor, duplicate),
        "token": merging.merge_token(survivor, duplicate),
    }


def _live():
    return Customer.objects.filter(merged_into__isnull=True)


def possible_duplicates_page(*, page=1, per_page=25):
    """Live customers who look like another live customer, in name order, with their matches.

    Alike means the same first and family name, or the same first name and the same email
    or phone digits (family members share an address, but not a first name). Each probe is
    an index lookup (migration 0008). Two queries: the page, then every match of its rows.
    """
    others = _live().exclude(pk=OuterRef("pk")).filter(first_name=OuterRef("first_name"))
    same_name = others.filter(last_name=OuterRef("last_name"))
    same_email = (
        others.exclude(email="")
        .annotate(email_lower=Lower("email"))
        .filter(email_lower=Lower(OuterRef("email")))
    )
    same_phone = others.exclude(phone_digits="").filter(phone_digits=OuterRef("phone_digits"))
    candidates = (
        _live()
        .filter(Exists(same_name) | Exists(same_email) | Exists(same_phone))
        .order_by("last_name", "first_name", "id")
    )
    result = page_of(candidates, page, per_page)
    rows = result.items
    if rows:
        matches = list(
            _live()
            .annotate(email_lower=Lower("email"))
            .filter(first_name__in={c.first_name for c in rows})
            .filter(
                Q(last_name__in={c.last_name for c in rows})
                | Q(email_lower__in={c.email.lower() for c in rows if c.email})
                | Q(phone_digits__in={c.phone_digits for c in rows if c.phone_digits})
            )
        )
        for customer in rows:
            customer.duplicates = [
                (other, _alike(customer, other))
                for other in matches
                if other.pk != customer.pk and _alike(customer, other)
            ]
    return result


def _alike(one, other):
    """Why two customers look like one person, in words; "" when they do not."""
    if one.first_name != other.first_name:
        return ""
    if one.last_name == other.last_name:
        return "same name"
    if one.email and one.email.lower() == other.email.lower():
        return "same first name and email"
    if one.phone_digits and one.phone_digits == other.phone_digits:
        return "same first name and phone"
    return ""
