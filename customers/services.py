"""Every write to customers and their history. One function per user action."""

import json
import re

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import KinshipError, StaleEdit
from core.ids import to_id
from customers import history, merging
from customers.models import Activity, Customer, Merge

EDITABLE_FIELDS = ("first_name", "last_name", "email", "phone", "date_of_birth", "notes")
TRIMMED_FIELDS = ("first_name", "last_name", "email", "phone")
FIELD_LABELS = {
    "first_name": "first name",
    "last_name": "last name",
    "email": "email",
    "phone": "phone",
    "date_of_birth": "date of birth",
    "notes": "notes",
}


def phone_digits(phone):
    """Return just the digits of a phone number, the form search matches."""
    return re.sub(r"\D", "", phone or "")


def record_activity(*, customers, actor, action, data=None):
    """Write one history line on each customer, in one INSERT.

    Call inside the transaction of the change it describes. `action` is a code some app
    declares (customers/history.py), `data` what its sentence needs: a dict, or a function
    of the customer for lines that name the other party.
    """
    lines = [
        activity_line(customer=customer, actor=actor, action=action, data=data) for customer in customers
    ]
    Activity.objects.bulk_create(lines)
    return lines


def activity_line(*, customer, actor, action, data=None):
    """One unsaved history line: the action, its data as JSON will give it back, and the
    sentence it makes now, kept with it. An action no app declares is refused."""
    declared = history.action(action)
    data = data(customer) if callable(data) else (data or {})
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return Activity(
        customer=customer,
        actor=staff_user(actor),
        kind=action,
        data=data,
        message=declared.render(data)[:500],
    )


def staff_user(actor):
    """The staff login to record as having done something, or None for the system (a
    command, a background task) or an anonymous request."""
    return actor if actor is not None and actor.is_authenticated else None


def lock_customer(customer_id):
    """Fetch a customer for change, locking the row until the transaction ends.

    NO KEY UPDATE, like every customer lock: it still keeps two changes of one customer
    apart, but not a row elsewhere that points at the customer (a ledger entry, a history
    line), whose foreign-key check at commit only needs the key to stay. A plain FOR UPDATE
    would make that check wait, and a desk posting to an account while another links its
    holders would deadlock.
    """
    try:
        return Customer.objects.select_for_update(no_key=True).get(pk=customer_id)
    except Customer.DoesNotExist:
        raise KinshipError("That customer does not exist.") from None


def lock_customers(customer_ids, *, active_for=None):
    """Lock several customers for change, in id order (the order every service uses, so two
    desks never deadlock); return them by id.

    With `active_for` (words such as "adding them to a group"), refuse merged and archived
    customers too, saying what to do instead.
    """
    ids = sorted({int(pk) for pk in customer_ids})
    # No row holds a number past the largest id, and SQLite cannot even look (pk__in raises
    # OverflowError): forms bound their ids, and this keeps a service called otherwise safe.
    if any(to_id(pk) is None for pk in ids):
        raise KinshipError("That customer does not exist.")
    locked = Customer.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
    customers = {c.pk: c for c in locked}
    for customer_id in ids:
        customer = customers.get(customer_id)
        if customer is None:
            raise KinshipError("That customer does not exist.")
        if active_for and customer.is_merged:
            raise KinshipError(
                f"{customer.full_name} was merged into another account; choose that one instead."
            )
        if active_for and customer.is_archived:
            raise KinshipError(f"{customer.full_name} is archived; restore them before {active_for}.")
    return customers


def _refuse_if_merged(customer):
    if customer.is_merged:
        raise KinshipError(f"{customer.full_name} was merged into another account; change that one instead.")


def _checked_details(details):
    """Return the details with spaces trimmed from the one-line text fields, refusing any the
    model's validators refuse: the forms say so first, but every caller (an import, the
    shell, another app) writes through here."""
    details = {field: value.strip() if field in TRIMMED_FIELDS else value for field, value in details.items()}
    for field, value in details.items():
        try:
            Customer._meta.get_field(field).run_validators(value)
        except ValidationError as error:
            raise KinshipError(f"{FIELD_LABELS[field]}: {' '.join(error.messages)}") from None
    return details


@transaction.atomic
def create_customer(*, actor, first_name, last_name, email="", phone="", date_of_birth=None, notes=""):
    details = _checked_details(
        {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "phone": phone,
            "date_of_birth": date_of_birth,
            "notes": notes,
        }
    )
    customer = Customer.objects.create(**details, phone_digits=phone_digits(details["phone"]))
    record_activity(customers=[customer], actor=actor, action="customer.created")
    return customer


@transaction.atomic
def update_customer(*, actor, customer_id, version, **changes):
    """Apply an edit form's changes, refusing it when the record changed since it loaded."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    customer = lock_customer(customer_id)
    _refuse_if_merged(customer)
    if customer.version != version:
        raise StaleEdit(
            f"{customer.full_name} was changed by someone else while you were editing. "
            "Reload to see their changes, then edit again."
        )
    changes = _checked_details(changes)
    changed = [
        field for field in EDITABLE_FIELDS if field in changes and getattr(customer, field) != changes[field]
    ]
    if not changed:
        return customer
    for field in changed:
        setattr(customer, field, changes[field])
    customer.phone_digits = phone_digits(customer.phone)
    customer.version += 1
    customer.save()
    record_activity(customers=[customer], actor=actor, action="customer.updated", data={"fields": changed})
    return customer


@transaction.atomic
def archive_customer(*, actor, customer_id):
    """Hide a customer from day-to-day lists, keeping everything about them."""
    customer = lock_customer(customer_id)
    _refuse_if_merged(customer)
    if customer.is_archived:
        raise KinshipError(f"{customer.full_name} is already archived.")
    customer.archived_at = timezone.now()
    customer.version += 1
    customer.save(update_fields=["archived_at", "version", "updated_at"])
    record_activity(customers=[customer], actor=actor, action="customer.archived")
    return customer


@transaction.atomic
def restore_customer(*, actor, customer_id):
    """Bring an archived customer back to the day-to-day lists."""
    customer = lock_customer(customer_id)
    _refuse_if_merged(customer)
    if not customer.is_archived:
        raise KinshipError(f"{customer.full_name} is not archived.")
    customer.archived_at = None
    customer.version += 1
    customer.save(update_fields=["archived_at", "version", "updated_at"])
    record_activity(customers=[customer], actor=actor, action="customer.restored")
    return customer


@transaction.atomic
def merge_customers(*, actor, survivor_id, absorbed_id, token):
    """Fold the duplicate `absorbed_id` into `survivor_id`, in one transaction.

    Both customers are locked, the preview's `token` is checked against them, and then
    every relation to the duplicate moves to the survivor (see customers/merging.py). The
    duplicate stays as a tombstone pointing at the survivor; a Merge records what moved.
    """
    if int(survivor_id) == int(absorbed_id):
        raise KinshipError("That is the same customer; choose the duplicate account.")
    locked = lock_customers([survivor_id, absorbed_id])
    survivor, absorbed = locked[int(survivor_id)], locked[int(absorbed_id)]
    reasons = merging.blockers(survivor, absorbed)
    if reasons:
        raise KinshipError(" ".join(reasons))
    if token != merging.merge_token(survivor, absorbed):
        raise StaleEdit(
            "One of the two accounts changed after the preview was made. Look at the new preview, then merge."
        )
    moved, journal = merging.fold_and_move(survivor, absorbed)
    now = timezone.now()
    Customer.objects.filter(pk=absorbed.pk).update(
        merged_into=survivor, merged_at=now, version=absorbed.version + 1
    )
    filled = merging.details_to_fill(survivor, absorbed)
    before = {name: getattr(survivor, name) for name in [*filled, "notes"]}
    for name, value in filled.items():
        setattr(survivor, name, value)
    if absorbed.notes.strip() and absorbed.notes.strip() not in survivor.notes:
        survivor.notes = "\n\n".join(filter(None, [survivor.notes.strip(), absorbed.notes.strip()]))
        filled["notes"] = absorbed.notes
    before = {name: before[name] for name in filled}
    survivor.phone_digits = phone_digits(survivor.phone)
    survivor.version += 1
    survivor.save()
    if filled:
        moved.append(("details filled in", ", ".join(FIELD_LABELS[f] for f in filled)))
    merge = Merge.objects.create(
        survivor=survivor,
        absorbed=absorbed,
        actor=staff_user(actor),
        moved=moved,
        journal=journal.as_json(),
        filled={"before": before, "after": {name: getattr(survivor, name) for name in before}},
    )
    data = {
        survivor.pk: {"absorbed": absorbed.full_name, "absorbed_id": absorbed.pk, "moved": moved},
        absorbed.pk: {"survivor": survivor.full_name, "survivor_id": survivor.pk},
    }
    record_activity(
        customers=[survivor, absorbed], actor=actor, action="customer.merged", data=lambda c: data[c.pk]
    )
    return merge


@transaction.atomic
def undo_merge(*, actor, merge_id):
    """Put a merged customer back, with everything that moved; refuse if that is unsafe now.

    Unsafe means something that moved or was folded changed since (a moved link removed,
    a folded link edited), or the survivor was itself merged away. Rows are put back as
    the merge's journal recorded them; the database's constraints catch any clash with
    what happened since (the survivor joined another group), which refuses the undo.
    """
    merge = Merge.objects.select_for_update().filter(pk=merge_id).first()
    if merge is None:
        raise KinshipError("That merge does not exist.")
    if merge.is_undone:
        raise KinshipError("That merge was already undone.")
    locked = lock_customers([merge.survivor_id, merge.absorbed_id])
    survivor, absorbed = locked[merge.survivor_id], locked[merge.absorbed_id]
    if survivor.is_merged:
        raise KinshipError(
            f"{survivor.full_name} was itself merged into another account since; undo that merge first."
        )
    if absorbed.merged_into_id != survivor.pk:
        raise KinshipError(f"{absorbed.full_name} no longer points at {survivor.full_name}; nothing to undo.")
    try:
        with transaction.atomic():
            merging.put_back(survivor, absorbed, merge.journal)
    except (merging.Unsafe, IntegrityError) as error:
        raise KinshipError(f"This merge cannot be undone safely: {merging.reason(error)}") from None
    _restore_details(survivor, merge.filled)
    Customer.objects.filter(pk=absorbed.pk).update(
        merged_into=None, merged_at=None, version=absorbed.version + 1
    )
    merge.undone_at, merge.undone_by = timezone.now(), staff_user(actor)
    merge.save(update_fields=["undone_at", "undone_by"])
    data = {
        survivor.pk: {"absorbed": absorbed.full_name, "absorbed_id": absorbed.pk},
        absorbed.pk: {"survivor": survivor.full_name, "survivor_id": survivor.pk},
    }
    record_activity(
        customers=[survivor, absorbed], actor=actor, action="customer.unmerged", data=lambda c: data[c.pk]
    )
    return merge


def _restore_details(survivor, filled):
    """Empty again the details the merge filled in, unless someone has changed them since."""
    survivor.refresh_from_db()
    changed = False
    for name, value in (filled.get("before") or {}).items():
        field = Customer._meta.get_field(name)
        if getattr(survivor, name) == field.to_python(filled["after"][name]):
            setattr(survivor, name, field.to_python(value))
            changed = True
    if changed:
        survivor.phone_digits = phone_digits(survivor.phone)
        survivor.version += 1
        survivor.save()
