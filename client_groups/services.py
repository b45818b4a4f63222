"""Every write to client groups and their members. One function per user action.

Adding and removing customers is one path whether it is one badge or ten thousand rows of
the client list: the chosen customers arrive as a queryset, and each change is a fixed
number of statements (INSERT … SELECT, DELETE … WHERE), History included, never one
query per customer.

Locks, in the order every service takes them so two desks never deadlock: the client
group's row, then the chosen customers in id order (so a merge cannot absorb one of them
halfway through).
"""

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, IntegerField, OuterRef, Value
from django.utils import timezone

from client_groups.models import Segment, SegmentMember
from client_groups.rules import SEGMENT_FIELDS, uses_itself
from core.errors import KinshipError, StaleEdit
from customers.models import Activity, Customer
from customers.services import activity_line

NAME_TAKEN = "There is already a client group with that name."


@dataclass(frozen=True)
class Change:
    """What a bulk action did: how many customers changed, and how many already were as asked."""

    changed: int
    unchanged: int


def _lock_segment(segment_id):
    # NO KEY UPDATE: a merge moving memberships between customers still may, meanwhile.
    segment = Segment.objects.select_for_update(no_key=True).filter(pk=segment_id).first()
    if segment is None:
        raise KinshipError("That client group no longer exists.")
    return segment


def _lock_with_named(segment_id, rules):
    """Lock a group (None for a new one) and every group its rules name, in id order, so
    that none of those can be deleted meanwhile; refuse rules that name a deleted group or,
    even through another group, the group itself. Returns the group."""
    named = {int(rules[field]) for field in SEGMENT_FIELDS if rules.get(field)}
    wanted = sorted(named | ({segment_id} if segment_id is not None else set()))
    found = {
        s.pk: s for s in Segment.objects.select_for_update(no_key=True).filter(pk__in=wanted).order_by("pk")
    }
    if segment_id is not None and segment_id not in found:
        raise KinshipError("That client group no longer exists.")
    if named - set(found):
        raise KinshipError("A client group the rules name no longer exists; choose another.")
    if segment_id is not None and uses_itself(segment_id, rules):
        raise KinshipError(
            "A client group's rules cannot include the group itself, even through another group."
        )
    return found.get(segment_id)


def _saved(segment, **fields):
    """Save a new or edited group, turning a name clash into words: the unique constraint is
    the one check of a name, as it is the only one two desks saving at once cannot both pass."""
    for name, value in fields.items():
        setattr(segment, name, value)
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError:
        raise KinshipError(NAME_TAKEN) from None
    return segment


def create_segment(*, actor, name, description="", rules=None):
    """A new client group: chosen by staff, or following `rules` when there are any."""
    name = name.strip()
    if not name:
        raise KinshipError("Give the client group a name.")
    with transaction.atomic():
        _lock_with_named(None, rules or {})
        return _saved(Segment(), name=name, description=description.strip(), rules=rules or {})


def edit_segment(*, actor, segment_id, version, name, description="", rules=None):
    """Rename, describe, or change the rules of a client group. Whether its members are
    chosen by staff or follow rules is settled when it is created."""
    name = name.strip()
    if not name:
        raise KinshipError("Give the client group a name.")
    with transaction.atomic():
        segment = _lock_with_named(segment_id, rules or {})
        if segment.version != version:
            raise StaleEdit(
                "Someone else changed this client group since you opened it. Reload and try again."
            )
        if segment.is_rule_based and not rules:
            raise KinshipError("A rule-based client group needs at least one rule.")
        if not segment.is_rule_based and rules:
            raise KinshipError("This client group's members are chosen by staff; it cannot follow rules.")
        return _saved(
            segment,
            name=name,
            description=description.strip(),
            rules=rules or {},
            version=segment.version + 1,
        )


def delete_segment(*, actor, segment_id):
    """Delete a client group. Its customers stay; only their memberships go, each noted in
    their History."""
    with transaction.atomic():
        segment = Segment.objects.select_for_update().filter(pk=segment_id).first()
        if segment is None:
            raise KinshipError("That client group no longer exists.")
        users = [
            other.name
            for other in Segment.objects.exclude(pk=segment.pk).exclude(rules={})
            if segment.pk in {other.rules.get("in_segment"), other.rules.get("not_in_segment")}
        ]
        if users:
            raise KinshipError(
                f"The rules of {', '.join(users)} use “{segment.name}”; change them before deleting it."
            )
        members = Customer.objects.filter(segment_memberships__segment=segment)
        _write_history(members, actor, "segment.deleted", {"group": segment.name})
        segment.delete()
    return segment


def add_customers(*, actor, segment_id, customers, expected_ids=None):
    """Put the customers of queryset `customers` in a client group; those already in it
    stay as they are. With `expected_ids` (customers picked one by one), refuse unless
    every one of them is there to add."""
    with transaction.atomic():
        segment = _lock_segment(segment_id)
        if segment.is_rule_based:
            raise KinshipError(f"“{segment.name}” follows rules; its members cannot be added by hand.")
        chosen, total = _lock_chosen(customers, expected_ids)
        archived = chosen.filter(archived_at__isnull=False)
        if archived.exists():
            raise KinshipError(_archived_message(archived))
        data = _data(segment, total)
        rows = chosen.values_list(Value(segment.pk), "pk", Value(timezone.now()))
        if connection.vendor == "postgresql":
            added = _with_history(_members_added(rows), actor, "segment.added", data)
        else:
            # SQLite runs one writer at a time, so the two statements see the same customers.
            already = Exists(SegmentMember.objects.filter(segment=segment, customer=OuterRef("pk")))
            added = _write_history(chosen.filter(~already), actor, "segment.added", data)
            _insert_from(SegmentMember, MEMBER_COLUMNS, rows, skip_existing=MEMBER_KEY)
    return Change(changed=added, unchanged=max(total - added, 0))


def remove_customers(*, actor, segment_id, customers, expected_ids=None):
    """Take the customers of queryset `customers` out of a client group; those not in it
    stay as they are."""
    with transaction.atomic():
        segment = _lock_segment(segment_id)
        if segment.is_rule_based:
            raise KinshipError(f"“{segment.name}” follows rules; its members cannot be removed by hand.")
        chosen, total = _lock_chosen(customers, expected_ids)
        data = _data(segment, total)
        if connection.vendor == "postgresql":
            removed = _with_history(_members_removed(segment, chosen), actor, "segment.removed", data)
        else:
            leaving = chosen.filter(
                Exists(SegmentMember.objects.filter(segment=segment, customer=OuterRef("pk")))
            )
            removed = _write_history(leaving, actor, "segment.removed", data)
            SegmentMember.objects.filter(segment=segment, customer__in=chosen.values("pk")).delete()
    return Change(changed=removed, unchanged=max(total - removed, 0))


MEMBER_COLUMNS = ("segment_id", "customer_id", "added_at")
MEMBER_KEY = ("segment_id", "customer_id")


def _members_added(rows):
    """SQL that inserts the memberships `rows` selects, skipping those there already (not
    "WHERE NOT EXISTS": a statement that reads the rows it inserts can make PostgreSQL rescan
    them for every customer), and returns who joined."""
    select = _sql(rows)
    if select is None:
        return None
    quote = connection.ops.quote_name
    table, names, key = (
        quote(SegmentMember._meta.db_table),
        ", ".join(quote(_column(SegmentMember, name)) for name in MEMBER_COLUMNS),
        ", ".join(quote(_column(SegmentMember, name)) for name in MEMBER_KEY),
    )
    return (
        f"INSERT INTO {table} ({names}) {select[0]} ON CONFLICT ({key}) DO NOTHING RETURNING customer_id",
        select[1],
    )


def _members_removed(segment, chosen):
    """SQL that deletes `chosen`'s memberships of `segment` and returns whose went."""
    select = _sql(chosen.values("pk"))
    if select is None:
        return None
    table = connection.ops.quote_name(SegmentMember._meta.db_table)
    return (
        f"DELETE FROM {table} WHERE segment_id = %s AND customer_id IN ({select[0]}) RETURNING customer_id",
        (segment.pk, *select[1]),
    )


def _with_history(change, actor, action, data):
    """Run `change` (SQL returning customer_id) and write a History line for each customer it
    returns, in one statement, so nobody changed goes without one; how many."""
    if change is None:
        return 0
    sql, params = change
    line = activity_line(customer=None, actor=actor, action=action, data=data)
    activity = connection.ops.quote_name(Activity._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH changed AS ({sql}) INSERT INTO {activity} "
            "(customer_id, actor_id, kind, data, message, created_at) "
            "SELECT customer_id, %s, %s, %s, %s, %s FROM changed",
            (*params, line.actor_id, line.kind, _json(line.data), line.message, timezone.now()),
        )
        return cursor.rowcount


def _data(segment, total):
    """What a line of adding or removing says: the client group, and how many at once when
    it was a bulk action."""
    return {"group": segment.name} if total == 1 else {"group": segment.name, "total": total}


def _json(data):
    """`data` as the database takes it for the JSON column."""
    return Activity._meta.get_field("data").get_db_prep_save(data, connection)


def _archived_message(archived):
    count = archived.count()
    if count == 1:
        return f"{archived.get().full_name} is archived; restore them before adding them to a client group."
    return f"{count:,} of the chosen customers are archived; restore them or leave them out."


def _lock_chosen(customers, expected_ids):
    """The chosen live customers, as an unordered queryset, and how many they are; their
    rows locked, in id order, until the transaction ends.

    Merged customers are never chosen. With `expected_ids`, every one of them must be among
    them, or nothing happens.
    """
    chosen = customers.order_by().filter(merged_into__isnull=True)
    locking = _sql(chosen.order_by("pk").select_for_update(no_key=True).values("pk"))
    if locking is None:
        total = 0
    elif connection.features.has_select_for_update:
        # One statement that locks them all and hands back a single number. A customer a
        # merge absorbs while this waits is left out: PostgreSQL checks the row again once
        # the merge's lock is released.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({locking[0]}) AS chosen", locking[1])
            total = cursor.fetchone()[0]
    else:
        total = chosen.count()  # SQLite: the transaction holds the whole database
    if expected_ids is not None and total != len(set(expected_ids)):
        raise KinshipError(
            "Some of the chosen customers no longer exist or were merged into another account. "
            "Reload the list and choose again."
        )
    return chosen, total


def _write_history(customers, actor, action, data):
    """One History line on each of `customers`, in one INSERT … SELECT; how many."""
    line = activity_line(customer=None, actor=actor, action=action, data=data)
    rows = customers.order_by().values_list(
        "pk",
        Value(line.actor_id, output_field=IntegerField()),
        Value(line.kind),
        Value(line.data, output_field=Activity._meta.get_field("data")),
        Value(line.message),
        Value(timezone.now()),
    )
    return _insert_from(Activity, ("customer_id", "actor_id", "kind", "data", "message", "created_at"), rows)


def _insert_from(model, columns, rows, *, skip_existing=()):
    """INSERT INTO model (columns) SELECT … from the values_list queryset `rows`; the row count.

    `skip_existing` names the columns of a unique constraint whose clashes are skipped.
    """
    select = _sql(rows)
    if select is None:
        return 0
    quote = connection.ops.quote_name
    names = ", ".join(quote(_column(model, name)) for name in columns)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) {select[0]}"
    if skip_existing:
        sql += f" ON CONFLICT ({', '.join(quote(_column(model, name)) for name in skip_existing)}) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, select[1])
        return cursor.rowcount


def _column(model, name):
    return model._meta.get_field(name.removesuffix("_id")).column


def _sql(queryset):
    """The SQL and parameters of `queryset`, or None when Django can tell it selects nothing
    (a filter on an empty list of ids), which it says by raising rather than with SQL."""
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
