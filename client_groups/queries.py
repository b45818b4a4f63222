"""Reads the client-group pages need, each in a fixed number of queries whatever the number
of groups and members."""

from django.db.models import BooleanField, Case, Count, Value, When

from client_groups.models import Segment, SegmentMember
from client_groups.rules import Catalogue
from core.errors import KinshipError
from core.ids import is_id
from core.paging import page_of
from customers import listing
from customers.models import Customer

#: The query-string name of the client list's client-group filter.
FILTER = "client_group"


def live_customers():
    return Customer.objects.filter(merged_into__isnull=True)


def segments_with_counts(catalogue=None):
    """Every client group, by name, each with `member_count`: three queries.

    Staff-chosen groups count their membership rows; rule-based ones are counted together
    in one pass over the customers.
    """
    catalogue = catalogue or Catalogue.load()
    segments = sorted(catalogue.segments.values(), key=lambda s: (s.name.lower(), s.pk))
    chosen = dict(
        SegmentMember.objects.values("segment").annotate(n=Count("pk")).values_list("segment", "n").order_by()
    )
    ruled = [s for s in segments if s.is_rule_based]
    counted = {}
    if ruled:
        counted = live_customers().aggregate(
            **{f"s{s.pk}": Count("pk", filter=catalogue.members(s)) for s in ruled}
        )
    for segment in segments:
        key = f"s{segment.pk}"
        segment.member_count = counted[key] if segment.is_rule_based else chosen.get(segment.pk, 0)
    return segments


def members_page(segment, *, page=1, per_page=25, catalogue=None):
    """One page of a client group's members, by name, archived ones included."""
    return page_of(members(segment, catalogue), page, per_page)


def members(segment, catalogue=None):
    """Every member of a client group, by name: its page and its export."""
    catalogue = catalogue or Catalogue.load()
    return live_customers().filter(catalogue.members(segment)).order_by("last_name", "first_name", "id")


def manual_segments():
    """The client groups staff choose members for: the targets of Add to Group."""
    return [s for s in Segment.objects.order_by("name") if not s.is_rule_based]


def attach_badges(customers, catalogue=None):
    """Set `client_groups` on each customer: the groups they are in, by name.

    Three queries at most, however many customers and groups: the groups, the staff-chosen
    memberships of these customers, and every rule-based group's condition for them at once.
    """
    catalogue = catalogue or Catalogue.load()
    ids = [customer.pk for customer in customers]
    found = {pk: set() for pk in ids}
    if not ids:
        return customers
    for customer_id, segment_id in SegmentMember.objects.filter(customer_id__in=ids).values_list(
        "customer_id", "segment_id"
    ):
        found[customer_id].add(segment_id)
    ruled = [s for s in catalogue.segments.values() if s.is_rule_based]
    if ruled:
        flags = {
            f"s{s.pk}": Case(
                When(catalogue.members(s), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
            for s in ruled
        }
        for row in Customer.objects.filter(pk__in=ids).values("pk", **flags):
            found[row["pk"]].update(s.pk for s in ruled if row[f"s{s.pk}"])
    for customer in customers:
        # A group made since the catalogue was read (by another desk, mid-request) waits
        # for the next page.
        known = (catalogue.segments.get(pk) for pk in found[customer.pk])
        customer.client_groups = sorted(filter(None, known), key=lambda s: (s.name.lower(), s.pk))
    return customers


def filter_ids(params):
    """The client-group ids a query string filters by; anything that is not a number is ignored."""
    return sorted({int(value) for value in params.getlist(FILTER) if is_id(value)})


def narrow(customers, segment_ids, catalogue=None):
    """`customers` narrowed to members of any of the client groups `segment_ids`."""
    if not segment_ids:
        return customers
    catalogue = catalogue or Catalogue.load()
    return customers.filter(catalogue.member_of_any(segment_ids))


def in_segment_count(segment, customers, catalogue=None):
    """How many of `customers` are in `segment` already."""
    catalogue = catalogue or Catalogue.load()
    return customers.order_by().filter(catalogue.members(segment)).count()


def selection(request, params):
    """The customers chosen on the client list: every one matching its filters, or those ticked.

    Returns (customers, the ids ticked or None when all matching are chosen).
    """
    if params.get("all_matching"):
        return listing.matching(request, params), None
    raw = params.getlist("customer")
    if not raw:
        raise KinshipError("Tick the customers to change, or select all that match.")
    if len(raw) > 1000:
        raise KinshipError("That is too many to tick one by one; use Select all matching instead.")
    if not all(is_id(value) for value in raw):
        raise KinshipError("Some of the chosen customers no longer exist. Reload the list and choose again.")
    ids = sorted({int(value) for value in raw})
    return Customer.objects.filter(pk__in=ids), ids


def bulk_preview(customers, ids, action, segment, catalogue):
    """How many customers the action would change, for the confirmation."""
    if ids is not None and customers.filter(merged_into__isnull=True).count() != len(ids):
        raise KinshipError(
            "Some of the chosen customers no longer exist or were merged into another account. "
            "Reload the list and choose again."
        )
    chosen = customers.order_by().filter(merged_into__isnull=True)
    total = chosen.count()
    inside = in_segment_count(segment, chosen, catalogue)
    changing = total - inside if action == "add" else inside
    return {"segment": segment, "total": total, "changing": changing, "unchanged": total - changing}
