"""Who may act for whom, as a table: every permission × which side of the link ticks it × the
acting customer's place in a group × whether the link was removed since, each driven through
the real booking action that permission governs.

The rule (DESIGN.md, "Who may do what"; linking.authority): the acting customer may act for
the other iff
  - a link whose agent is the acting customer and whose principal is the other, still there,
    ticks that permission; or
  - the acting customer is the Owner or an Admin of a group in which the other is a Dependent.
Nothing else gives authority: not the permission ticked on the other side of the link, not
another permission, not being the Dependent of the other's group.
"""

import itertools

import pytest
from django.db import transaction
from waffle.testutils import override_switch

from bookings.models import Appointment, FormRequest, Redemption, Status
from bookings.services import appointments, intake, packages
from bookings.services import catalogue as catalogue_services
from core.errors import KinshipError
from groups import services as group_services
from groups.models import Role
from linking.features import ACCOUNT_LINKING
from linking.models import PERMISSION_FIELDS
from mail.models import Email
from tests.bookings.acting_for_others import link, refused, unlink
from tests.bookings.helpers import ahead, book, started
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

#: The real actions each permission governs.
ACTIONS = {
    "can_book": ("book on behalf", "cancel on behalf"),
    "can_complete_forms": ("complete a form",),
    "receives_copies": ("get a copy of the confirmation",),
    "can_use_packages": ("use a session of a package",),
}
#: Where the permission is ticked: on the acting customer's side of the link (agent = acting,
#: principal = other), only on the reverse side (agent = other), or the acting side ticks every
#: permission but this one.
SIDES = ("acting side", "reverse side only", "acting side, every other permission")
ROLES = ("owner", "admin", "dependent", "none")
MANAGING = {"owner", "admin"}


def expected(side, role, removed):
    by_link = side == "acting side" and not removed
    by_group = role in MANAGING
    return by_link or by_group


CASES = [
    (permission, action, side, role, removed)
    for permission, actions in ACTIONS.items()
    for action in actions
    for side, role, removed in itertools.product(SIDES, ROLES, (False, True))
]


def case_id(case):
    permission, action, side, role, removed = case
    return f"{action} | {side} | acting is {role} | {'link removed' if removed else 'link kept'}"


def make_world(actor, types, labels, permission, side, role, removed):
    """Ada acts; Oli is the other. Returns (ada, oli)."""
    ada = CustomerFactory(first_name="Ada", last_name="Acting", email="ada@example.com")
    oli = CustomerFactory(first_name="Oli", last_name="Other", email="oli@example.com")
    others = [field for field in PERMISSION_FIELDS if field != permission]
    if side == "acting side":
        pair = link(actor, types, ada, oli, agent_may={permission})
    elif side == "reverse side only":
        pair = link(actor, types, oli, ada, agent_may={permission})
    else:
        pair = link(actor, types, ada, oli, agent_may=others)
    if role == "owner":
        _group(actor, labels, owner=ada, members=[(oli, Role.DEPENDENT)])
    elif role == "admin":
        head = CustomerFactory(first_name="Hana", last_name="Head")
        _group(actor, labels, owner=head, members=[(ada, Role.ADMIN), (oli, Role.DEPENDENT)])
    elif role == "dependent":
        _group(actor, labels, owner=oli, members=[(ada, Role.DEPENDENT)])
    if removed:
        unlink(actor, pair)
    return ada, oli


def _group(actor, labels, *, owner, members):
    group = group_services.create_group(actor=actor, owner_id=owner.pk, owner_label_id=labels["Parent"].pk)
    for customer, role in members:
        label = labels["Child"] if role == Role.DEPENDENT else labels["Nanny"]
        group_services.add_member(
            actor=actor, group_id=group.pk, customer_id=customer.pk, role=role, label_id=label.pk
        )
    return group


# Each action: run it with Ada acting for (or with the things of) Oli; return whether it was
# allowed, checking what it did either way. A refusal must change nothing at all.


def book_on_behalf(actor, catalogue, ada, oli):
    def attempt():
        book(actor, oli, catalogue.haircut, ahead(2, 10), by=ada)

    def done():
        return Appointment.objects.filter(attendee=oli, booked_by=ada, status=Status.BOOKED).count() == 1

    return _tried(attempt, "^Ada Acting may not book appointments for Oli Other\\.$", done)


def cancel_on_behalf(actor, catalogue, ada, oli):
    appointment = book(actor, oli, catalogue.haircut, ahead(3, 10))

    def attempt():
        appointments.cancel(actor=actor, appointment_id=appointment.pk, version=1, on_behalf_of=ada.pk)

    def done():
        return Appointment.objects.get(pk=appointment.pk).status == Status.CANCELLED

    return _tried(attempt, "^Ada Acting may no longer manage Oli Other's appointments\\.$", done)


def complete_a_form(actor, catalogue, ada, oli):
    form = catalogue_services.save_intake_form(
        name="Health Questionnaire", questions=[{"text": "Any allergies?", "kind": "text", "required": True}]
    )
    appointment = book(actor, oli, catalogue.haircut, ahead(3, 10))
    asked = intake.request_form(actor=actor, appointment_id=appointment.pk, form_id=form.pk)

    def attempt():
        intake.complete_form(
            actor=actor, request_id=asked.pk, completed_by_id=ada.pk, answers={"0": "None"}, version=1
        )

    def done():
        return FormRequest.objects.get(pk=asked.pk).completed_by_id == ada.pk

    return _tried(attempt, "^Ada Acting may not complete forms for Oli Other\\.$", done)


def get_a_copy(actor, catalogue, ada, oli):
    book(actor, oli, catalogue.haircut, ahead(2, 10))
    to_oli = Email.objects.filter(kind="booking.confirmation", recipient=oli, about=oli)
    copies = Email.objects.filter(kind="booking.confirmation", recipient=ada, about=oli)
    assert to_oli.count() == 1
    assert copies.count() <= 1
    if copies.exists():
        assert copies.get().to_address == "ada@example.com"
        assert "You are receiving a copy because you are linked to Oli Other." in copies.get().body
    return copies.exists()


def use_a_session(actor, catalogue, ada, oli):
    package = packages.buy_package(
        actor=actor, customer_id=oli.pk, service_id=catalogue.haircut.pk, sessions=5, price=0
    )
    visit = started(ada, catalogue.haircut)

    def attempt():
        appointments.mark(
            actor=actor, appointment_id=visit.pk, status=Status.ATTENDED, version=1, package_id=package.pk
        )

    def done():
        return Redemption.objects.filter(package=package, appointment=visit).exists()

    return _tried(attempt, "^Ada Acting may not use sessions from Oli Other's packages\\.$", done)


def _tried(attempt, refusal, done):
    """Try `attempt`; on success `done()` must hold; a refusal must say `refusal` and change nothing."""
    try:
        with transaction.atomic():
            attempt()
    except KinshipError:
        refused(attempt, refusal)  # again, under the snapshot: says why, changes nothing
        return False
    assert done()
    return True


RUN = {
    "book on behalf": book_on_behalf,
    "cancel on behalf": cancel_on_behalf,
    "complete a form": complete_a_form,
    "get a copy of the confirmation": get_a_copy,
    "use a session of a package": use_a_session,
}


@pytest.mark.parametrize("case", CASES, ids=[case_id(case) for case in CASES])
def test_authority_table(actor, types, labels, catalogue, linking_on, case):
    permission, action, side, role, removed = case
    ada, oli = make_world(actor, types, labels, permission, side, role, removed)

    allowed = RUN[action](actor, catalogue, ada, oli)

    assert allowed is expected(side, role, removed)


def test_the_table_covers_every_permission_and_both_outcomes():
    assert set(ACTIONS) == set(PERMISSION_FIELDS)
    outcomes = {expected(side, role, removed) for _, _, side, role, removed in CASES}
    assert outcomes == {True, False}
    assert len(CASES) == 5 * len(SIDES) * len(ROLES) * 2


@pytest.mark.parametrize("action", list(RUN))
def test_with_account_linking_off_even_the_widest_authority_gives_none(
    actor, types, labels, catalogue, action
):
    """The acting side ticks the permission and Ada owns Oli's group: still nothing while the
    switch is off."""
    permission = next(p for p, actions in ACTIONS.items() if action in actions)
    with override_switch(ACCOUNT_LINKING, active=True):
        ada, oli = make_world(actor, types, labels, permission, "acting side", "owner", False)
    with override_switch(ACCOUNT_LINKING, active=False):
        assert RUN[action](actor, catalogue, ada, oli) is False
