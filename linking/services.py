"""Every write to links. A link is always a reciprocal pair, made, changed and removed whole.

Locks are taken in the same order as everywhere else: customers by id, then link rows.
"""

from django.db import IntegrityError, transaction

from core.errors import KinshipError, StaleEdit
from customers.services import lock_customers, record_activity, staff_user
from linking import queries
from linking.models import PERMISSION_FIELDS, PERMISSIONS, AccessReview, Link, RelationshipType
from mail.services import Recipient, queue


def _lock_pair(first_id, second_id):
    """Lock two customers in id order; refuse unknown, merged or archived ones, or one twice."""
    if int(first_id) == int(second_id):
        raise KinshipError("A customer cannot be linked to themselves; choose someone else.")
    customers = lock_customers([first_id, second_id], active_for="linking them")
    return customers[int(first_id)], customers[int(second_id)]


def _offered_type(type_id):
    kind = RelationshipType.objects.select_related("reverse").filter(pk=type_id).first()
    if kind is None:
        raise KinshipError("Choose how they are related.")
    if not kind.is_active:
        raise KinshipError(f"The relationship type “{kind.name}” is retired; choose another.")
    return kind


def _permissions(values):
    """Just the four permission flags, each a bool; anything else is a programming error."""
    unknown = set(values or {}) - set(PERMISSION_FIELDS)
    if unknown:
        raise ValueError(f"Not a permission: {', '.join(sorted(unknown))}")
    return {field: bool((values or {}).get(field, False)) for field in PERMISSION_FIELDS}


@transaction.atomic
def link_customers(*, actor, agent_id, principal_id, type_id, agent_may=None, principal_may=None):
    """Link two customers: the agent is `type` of the principal ("Anna is Parent of Ben").

    `agent_may` is what the agent may do for the principal, `principal_may` the reverse;
    each a dict of the permission fields. Return the agent's side of the pair.
    """
    kind = _offered_type(type_id)
    agent, principal = _lock_pair(agent_id, principal_id)
    if Link.objects.filter(agent__in=[agent, principal], principal__in=[agent, principal]).exists():
        raise KinshipError(
            f"{agent.full_name} and {principal.full_name} are already linked; change that link instead."
        )
    forward = {"agent": agent, "principal": principal, "type": kind, **_permissions(agent_may)}
    backward = {
        "agent": principal,
        "principal": agent,
        "type": kind.other_side,
        **_permissions(principal_may),
    }
    try:
        with transaction.atomic():
            link, _ = Link.objects.bulk_create([Link(**forward), Link(**backward)])
    except IntegrityError:
        raise KinshipError(
            f"{agent.full_name} and {principal.full_name} were linked at another desk just now. "
            "Reload to see it."
        ) from None
    _record(actor, "link.created", agent, principal, forward, backward)
    _tell_of_new_permissions(agent, principal, forward, {})
    _tell_of_new_permissions(principal, agent, backward, {})
    return link


def _tell_of_new_permissions(agent, principal, now, before):
    """Email the principal when the agent may now do something for them that they could not
    before, so nobody gains a say over someone's bookings without them knowing."""
    granted = [words for field, words in PERMISSIONS if now.get(field) and not before.get(field)]
    if not granted:
        return
    listed = "".join(f"\n  - {words}" for words in granted)
    queue(
        kind="link.granted",
        subject=f"{agent.full_name} may now act for you",
        body=(
            f"Hello {principal.first_name},\n\n{agent.full_name} has been given permission to act for you:"
            f"{listed}\n\nIf you did not expect this, please contact us and we will change it."
        ),
        about=principal,
        recipients=[Recipient(principal)],
    )


def _record(actor, action, agent, principal, forward, backward):
    """One History line on each of the two customers, each told from their side."""
    data = {
        agent.pk: _side(agent, principal, forward),
        principal.pk: _side(principal, agent, backward),
    }
    record_activity(customers=[agent, principal], actor=actor, action=action, data=lambda c: data[c.pk])


def _side(customer, other, fields):
    """What a link line needs, told from `customer`'s side: the other, the type, what they may."""
    return {
        "other": other.full_name,
        "name": customer.first_name,
        "type": fields["type"].name,
        "may": [field for field in PERMISSION_FIELDS if fields[field]],
    }


def _lock_link(link_id, *, version=None):
    """Lock a link's two customers, then both its rows; return (this side, the other side)."""
    pair = Link.objects.filter(pk=link_id).values_list("agent_id", "principal_id").first()
    if pair is None:
        raise KinshipError("That link no longer exists.")
    locked = lock_customers(pair)  # whatever their state: a link may always be changed or removed
    agent, principal = locked[pair[0]], locked[pair[1]]
    rows = {
        (row.agent_id, row.principal_id): row
        for row in Link.objects.select_for_update()
        .select_related("type")
        .filter(agent__in=pair, principal__in=pair)
        .order_by("pk")
    }
    side, other = rows.get(pair), rows.get(pair[::-1])
    if side is None or other is None:
        raise KinshipError("That link no longer exists.")
    if version is not None and side.version != int(version):
        raise StaleEdit(
            f"The link between {agent.full_name} and {principal.full_name} was changed at another desk. "
            "Reload to see the change, then try again."
        )
    side.agent, side.principal, other.agent, other.principal = agent, principal, principal, agent
    return side, other


@transaction.atomic
def change_link(*, actor, link_id, version, type_id, agent_may, principal_may):
    """Change how two linked customers are related and what each may do for the other."""
    side, other = _lock_link(link_id, version=version)
    kind = side.type if int(type_id) == side.type_id else _offered_type(type_id)
    forward = {"type": kind, **_permissions(agent_may)}
    backward = {
        "type": kind.other_side if kind.pk != side.type_id else other.type,
        **_permissions(principal_may),
    }
    if all(getattr(side, f) == v for f, v in forward.items()) and all(
        getattr(other, f) == v for f, v in backward.items()
    ):
        return side
    before = {row.pk: {field: getattr(row, field) for field in PERMISSION_FIELDS} for row in (side, other)}
    for row, fields in ((side, forward), (other, backward)):
        for field, value in fields.items():
            setattr(row, field, value)
        row.version += 1
    Link.objects.bulk_update([side, other], ["type", *PERMISSION_FIELDS, "version"])
    _record(
        actor,
        "link.changed",
        side.agent,
        side.principal,
        forward,
        backward,
    )
    _tell_of_new_permissions(side.agent, side.principal, forward, before[side.pk])
    _tell_of_new_permissions(side.principal, side.agent, backward, before[other.pk])
    return side


@transaction.atomic
def unlink(*, actor, link_id):
    """Remove both halves of a link; the two profiles are separate again."""
    side, other = _lock_link(link_id)
    Link.objects.filter(pk__in=[side.pk, other.pk]).delete()
    agent, principal = side.agent, side.principal
    data = {
        agent.pk: {"other": principal.full_name, "type": side.type.name},
        principal.pk: {"other": agent.full_name, "type": other.type.name},
    }
    record_activity(
        customers=[agent, principal], actor=actor, action="link.removed", data=lambda c: data[c.pk]
    )
    return agent, principal


@transaction.atomic
def review_access(*, actor, customer_id, note=""):
    """Record that a Manager reviewed who may act for someone who has turned 18. The links
    themselves are kept or changed on the links; this clears the flag."""
    customer = lock_customers([customer_id])[int(customer_id)]
    if customer.is_merged:
        raise KinshipError(f"{customer.full_name} was merged into another client; review them there.")
    # Marked early, a review would hide the real one at 18; marked twice, it would say nothing new.
    if not queries.is_due_review(customer.pk):
        raise KinshipError(
            f"{customer.full_name} is not due a review: a review is marked once they have turned 18 "
            "while others may act for them, and once for each coming of age."
        )
    review = AccessReview.objects.create(
        customer=customer,
        reviewed_by=staff_user(actor),
        note=note.strip()[:300],
        date_of_birth=customer.date_of_birth,
    )
    record_activity(
        customers=[customer],
        actor=actor,
        action="link.access_reviewed",
        data={"note": review.note} if review.note else {},
    )
    return review
