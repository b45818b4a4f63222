"""Merging a duplicate customer into the one that stays: the rules for every relation.

Every model that points at `Customer` needs a rule for its foreign key, found through
`Customer._meta.related_objects` (as Odoo's merge wizard does), so a new relation cannot
be forgotten: `tests/customers/test_merging.py` fails while one has none. A rule either

- moves the rows to the survivor (the default: one UPDATE per relation),
- or keeps them where they are (the merge's own records),

and may first **fold** what a unique rule would make a duplicate (two links to the same
third customer become one), or **block** the merge with a reason a receptionist can act
on (the two are in different groups). Each app declares the rules for its own relations
in its hooks.py (`hooks.register("merge_rule", MergeRule(...))`); `customers` imports none
of them.
"""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection

from core import hooks
from customers.models import Customer


@dataclass(frozen=True)
class MergeRule:
    #: The model whose foreign key `field` points at Customer.
    model: type
    field: str
    #: What the rows are, for the preview and the record: "history lines", "group places";
    #: empty for rows counted under another relation (the twin halves of links).
    label: str
    #: Leave the rows where they are instead of moving them.
    keep: bool = False
    #: fold(survivor, absorbed, journal): remove or combine rows the move would make
    #: duplicates, through the journal (`Journal.delete`, `Journal.change`) so Undo can
    #: put them back.
    fold: Callable | None = None
    #: block(survivor, absorbed): a reason the merge cannot go ahead, or None.
    block: Callable | None = None


def _relation(rule):
    return (rule.model._meta.label, rule.field)


def _rules():
    return hooks.by_key("merge_rule", _relation)


def merge_token(survivor, absorbed):
    """What a merge preview was made from: if either customer changes, the preview is stale."""
    return f"{survivor.pk}.{survivor.version}-{absorbed.pk}.{absorbed.version}"


#: Details the survivor lacks that a merge fills in from the duplicate, so none is lost.
FILLED_DETAILS = {"email": "email", "phone": "phone", "date_of_birth": "date of birth"}


def details_to_fill(survivor, absorbed):
    """The details the survivor lacks and the duplicate has: {field: value}. Notes are
    not here: the duplicate's notes are added under the survivor's."""
    return {
        field: getattr(absorbed, field)
        for field in FILLED_DETAILS
        if not getattr(survivor, field) and getattr(absorbed, field)
    }


def filled_labels(survivor, absorbed):
    """In words, the details a merge fills in on the survivor (notes are added, not filled)."""
    labels = [FILLED_DETAILS[name] for name in details_to_fill(survivor, absorbed)]
    if absorbed.notes.strip() and absorbed.notes.strip() not in survivor.notes:
        labels.append("notes")
    return labels


def relations():
    """Every (model, field name) that points at Customer, with its rule (None if it has none)."""
    for relation in Customer._meta.related_objects:
        model, field = relation.related_model, relation.field.name
        yield model, field, _rules().get((model._meta.label, field))


def moving(survivor, absorbed):
    """The relations whose rows move, each with how many rows the absorbed customer has."""
    counts = []
    for model, field, rule in relations():
        if rule is None:
            raise LookupError(f"{model._meta.label}.{field} has no merge rule: register one in its app.")
        if rule.keep:
            continue
        if not rule.label:  # the other half of rows counted under another relation
            continue
        count = model._base_manager.filter(**{field: absorbed}).count()
        if count:
            counts.append((rule.label, count))
    return counts


def blockers(survivor, absorbed):
    """Why these two cannot be merged, in words a receptionist can act on."""
    reasons = []
    if survivor.pk == absorbed.pk:
        reasons.append("That is the same customer; choose the duplicate account.")
    if absorbed.is_merged:
        reasons.append(f"{absorbed.full_name} was already merged into another account.")
    if survivor.is_merged:
        reasons.append(f"{survivor.full_name} was merged into another account; merge into that one.")
    if reasons:
        return reasons
    for _, _, rule in relations():
        if rule is not None and rule.block is not None:
            reason = rule.block(survivor, absorbed)
            if reason:
                reasons.append(reason)
    return reasons


@dataclass
class Journal:
    """What a merge did, kept on its Merge record so that Undo Merge can put it back.

    `moved`: for each relation, the ids of the rows that moved to the survivor; `versions`:
    for rows that keep a version (an appointment, a package), their versions then, so that
    Undo refuses to move back a row used since (a package a session was taken from).
    `deleted`: rows a fold removed, whole, by model. `changed`: rows a fold changed, with
    their values before and the version they had after, by model and id.
    """

    moved: dict = dataclasses.field(default_factory=dict)
    versions: dict = dataclasses.field(default_factory=dict)
    deleted: dict = dataclasses.field(default_factory=dict)
    changed: dict = dataclasses.field(default_factory=dict)
    #: Why Undo Merge cannot put back what a fold did (money moved by ledger entries,
    #: which are never taken back), in words; empty when it can.
    final: list = dataclasses.field(default_factory=list)

    def delete(self, queryset):
        """Delete the rows, remembering them whole."""
        rows = list(queryset.values())
        if rows:
            self.deleted.setdefault(queryset.model._meta.label, []).extend(rows)
            queryset.model._base_manager.filter(pk__in=[row["id"] for row in rows]).delete()

    def change(self, obj, **values):
        """Set fields on `obj` (saved by the caller), remembering what they were."""
        before = {name: getattr(obj, name) for name in values}
        self.changed.setdefault(obj._meta.label, {})[str(obj.pk)] = {"before": before}
        for name, value in values.items():
            setattr(obj, name, value)
        obj.version += 1
        self.changed[obj._meta.label][str(obj.pk)]["version"] = obj.version

    def cannot_be_undone(self, reason):
        """Say that Undo Merge may not put this merge back, and why."""
        self.final.append(reason)

    def as_json(self):
        return {
            "moved": self.moved,
            "versions": self.versions,
            "deleted": self.deleted,
            "changed": self.changed,
            "final": self.final,
        }


def fold_and_move(survivor, absorbed):
    """Fold duplicates, then move every relation's rows; return (what moved, the journal)."""
    moved = moving(survivor, absorbed)
    journal = Journal()
    found = list(relations())
    for _, _, rule in found:
        if rule.fold is not None:
            rule.fold(survivor, absorbed, journal)
    for model, name, rule in found:
        if rule.keep:
            continue
        rows = model._base_manager.filter(**{name: absorbed})
        key = f"{model._meta.label}.{name}"
        if _has_version(model):
            versions = dict(rows.values_list("pk", "version"))
            ids = list(versions)
            if ids:
                journal.versions[key] = [versions[pk] for pk in ids]
        else:
            ids = list(rows.values_list("pk", flat=True))
        if ids:
            journal.moved[key] = ids
            model._base_manager.filter(pk__in=ids).update(**{name: survivor})
    return moved, journal


class Unsafe(Exception):
    """Something a merge moved or folded has changed since, so it cannot be put back."""


def reason(error):
    if isinstance(error, Unsafe):
        return str(error)
    return "it would clash with a change made since (a group place or a link the survivor now holds)."


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


def _row(model, values):
    """A model instance from a journal row, its JSON values turned back into Python ones."""
    return model(**{name: model._meta.get_field(name).to_python(value) for name, value in values.items()})


def put_back(survivor, absorbed, journal):
    """Undo what `fold_and_move` recorded in `journal` (a Journal's JSON); raise Unsafe if
    something it touched has changed since."""
    if journal.get("final"):
        raise Unsafe(" ".join(journal["final"]))
    for key, ids in journal.get("moved", {}).items():
        label, name = key.rsplit(".", 1)
        model = _model(label)
        rows = model._base_manager.filter(pk__in=ids, **{name: survivor})
        then = journal.get("versions", {}).get(key)
        unchanged = rows.count() == len(ids)
        if unchanged and then is not None:
            unchanged = dict(rows.values_list("pk", "version")) == dict(zip(ids, then, strict=True))
        if not unchanged:
            raise Unsafe(
                f"some {model._meta.verbose_name_plural} that moved have been changed or removed since."
            )
        rows.update(**{name: absorbed})
    for label, rows in journal.get("changed", {}).items():
        model = _model(label)
        current = model._base_manager.in_bulk([int(pk) for pk in rows])
        for pk, change in rows.items():
            obj = current.get(int(pk))
            if obj is None or obj.version != change["version"]:
                raise Unsafe(
                    f"one of the {model._meta.verbose_name_plural} the merge combined has been changed since."
                )
            for name, value in change["before"].items():
                setattr(obj, name, value)
            obj.version += 1
        model._base_manager.bulk_update(current.values(), [*next(iter(rows.values()))["before"], "version"])
    deleted = {_model(label): rows for label, rows in journal.get("deleted", {}).items()}
    _refuse_rows_to_tombstones(deleted, coming_back=absorbed)
    for model, rows in deleted.items():
        model._base_manager.bulk_create([_row(model, values) for values in rows])
    # Foreign keys are checked at commit; check them now, so that a row put back into
    # something deleted since (a group that is gone) refuses the undo instead of failing.
    connection.check_constraints(table_names=[model._meta.db_table for model in deleted])


def _refuse_rows_to_tombstones(deleted, *, coming_back):
    """A row put back must not point at a customer merged into someone else since (the
    absorbed customer, live again once the undo is done, aside)."""
    wanted = set()
    for model, rows in deleted.items():
        for field in _customer_fields(model):
            wanted.update(row[field.attname] for row in rows)
    live = set(Customer.objects.filter(pk__in=wanted, merged_into__isnull=True).values_list("pk", flat=True))
    if wanted - live - {coming_back.pk}:
        raise Unsafe("a customer it linked to has been merged into another account since.")


def _has_version(model):
    return any(field.name == "version" for field in model._meta.concrete_fields)


def _customer_fields(model):
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is Customer]
