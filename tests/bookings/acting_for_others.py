"""What the tests of acting for others (packages, intake forms, notifications, access
reviews) share: a snapshot of every row those actions may write (tests/bookings/helpers.py
knows only appointments), refusals checked against it, and short ways to link customers
and read emails."""

import pytest

from billing.models import Account, AccountHolder, Entry
from bookings.models import Appointment, FormRequest, IntakeForm, Package, Redemption, Service
from core.errors import KinshipError
from customers.models import Activity, Customer
from groups.models import GroupMember
from linking import services as link_services
from linking.models import AccessReview, Link
from mail.models import Email


def snapshot():
    """Every row a booking, package, form, email, link or review action may write."""
    rows = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (
            Appointment,
            Service,
            Package,
            Redemption,
            IntakeForm,
            FormRequest,
            Account,
            AccountHolder,
            Entry,
            Email,
            Link,
            GroupMember,
            AccessReview,
        )
    }
    rows["Activity"] = list(Activity.objects.order_by("pk").values_list("pk", flat=True))
    rows["Customer"] = list(Customer.objects.order_by("pk").values("pk", "version", "merged_into_id"))
    return rows


def refused(action, match, error=KinshipError):
    """Run `action`: it must raise `error` with a message matching `match`, and change nothing."""
    before = snapshot()
    with pytest.raises(error, match=match) as raised:
        action()
    assert raised.value.message.strip()
    after = snapshot()
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"a refusal changed {changed}"
    return raised.value


def link(actor, types, agent, principal, agent_may=(), principal_may=()):
    """Link `agent` to `principal` ("Other"), ticking the named permissions on each side."""
    return link_services.link_customers(
        actor=actor,
        agent_id=agent.pk,
        principal_id=principal.pk,
        type_id=types["Other"].pk,
        agent_may=dict.fromkeys(agent_may, True),
        principal_may=dict.fromkeys(principal_may, True),
    )


def unlink(actor, side):
    link_services.unlink(actor=actor, link_id=side.pk)


def emails(kind=None, **where):
    """The Email rows (of one kind), oldest first, as (recipient, about, to_address, status)."""
    found = Email.objects.order_by("pk")
    if kind:
        found = found.filter(kind=kind)
    return [(row.recipient, row.about, row.to_address, row.status) for row in found.filter(**where)]
