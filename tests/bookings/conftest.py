"""Fixtures for the booking tests: the switch, a small catalogue of services, and the people
who book for each other."""

from types import SimpleNamespace

import pytest
from waffle.testutils import override_switch

from bookings.features import BOOKINGS
from bookings.models import Service
from linking import services as link_services
from tests.factories import CustomerFactory


@pytest.fixture
def bookings_on(db):
    """Migration 0002 makes the switch off; the tests that use the feature turn it on."""
    with override_switch(BOOKINGS, active=True):
        yield


@pytest.fixture
def features_on(bookings_on, linking_on):
    """Bookings and account linking: while linking is off `linking.authority` says nobody may
    book for anybody, so the pages that offer booking on behalf need both."""


@pytest.fixture
def catalogue(db):
    """A 30-minute haircut, a 60-minute massage, and a retired colour treatment."""
    return SimpleNamespace(
        haircut=Service.objects.create(name="Haircut", duration_minutes=30, price=2500),
        massage=Service.objects.create(name="Massage", duration_minutes=60, price=6000),
        retired=Service.objects.create(name="Colour", duration_minutes=90, price=7500, is_active=False),
    )


@pytest.fixture
def browns(actor, types):
    """Dora Brown may book for her father Eli (a Parent/Child link the other way round, with
    only Book and Manage Appointments ticked for Dora); Eli may do nothing for Dora."""
    dora = CustomerFactory(first_name="Dora", last_name="Brown")
    eli = CustomerFactory(first_name="Eli", last_name="Brown")
    link = link_services.link_customers(
        actor=actor,
        agent_id=dora.pk,
        principal_id=eli.pk,
        type_id=types["Child"].pk,
        agent_may={"can_book": True},
        principal_may={},
    )
    return SimpleNamespace(dora=dora, eli=eli, link=link)
