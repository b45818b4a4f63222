"""The Services page: Managers add, change and retire services; the front desk only looks."""

import pytest
from django.test import Client
from django.urls import reverse
from waffle.testutils import override_switch

from bookings.features import BOOKINGS
from bookings.models import Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def on():
    with override_switch(BOOKINGS, active=True):
        yield


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_adds_changes_and_retires_a_service(on, manager_user):
    manager = logged_in(manager_user)
    response = manager.post(
        reverse("bookings:service_create"),
        {"name": " Yoga ", "duration_minutes": "60", "price_text": "12.50", "is_active": "on"},
    )
    assert response.status_code == 302
    yoga = Service.objects.get()
    assert (yoga.name, yoga.duration_minutes, yoga.price, yoga.is_active) == ("Yoga", 60, 1250, True)
    page = manager.get(reverse("bookings:services")).content.decode()
    assert "Yoga" in page and "£12.50" in page
    manager.post(
        reverse("bookings:service_edit", args=[yoga.pk]),
        {"name": "Yoga", "duration_minutes": "45", "price_text": "10"},
    )
    yoga.refresh_from_db()
    assert (yoga.duration_minutes, yoga.price, yoga.is_active) == (45, 1000, False)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"name": "yoga", "duration_minutes": "60", "price_text": "5"},
            "There is already a service with that name.",
        ),
        ({"name": "", "duration_minutes": "60", "price_text": "5"}, "This field is required."),
        (
            {"name": "Stretch", "duration_minutes": "2", "price_text": "5"},
            "Enter a duration from 5 to 600 minutes.",
        ),
        (
            {"name": "Stretch", "duration_minutes": "60", "price_text": "abc"},
            "Enter an amount such as 12.50.",
        ),
        ({"name": "Stretch", "duration_minutes": "60", "price_text": "-1"}, "Enter a price from nothing to"),
    ],
)
def test_bad_input_is_refused_with_words_and_changes_nothing(on, manager_user, form, message):
    Service.objects.create(name="Yoga", duration_minutes=60, price=1000)
    response = logged_in(manager_user).post(reverse("bookings:service_create"), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Service.objects.count() == 1


def test_a_manager_saving_a_form_opened_before_anothers_save_is_refused(on, manager_user):
    """One Manager retires Yoga; another saves the form she opened before: it would bring the
    service back with the old details, so it is refused and she sees why."""
    yoga = Service.objects.create(name="Yoga", duration_minutes=60, price=1000)
    one, two = logged_in(manager_user), logged_in(manager_user)
    edit = reverse("bookings:service_edit", args=[yoga.pk])
    assert 'name="version" value="1"' in two.get(edit).content.decode()

    retired = {"name": "Yoga", "duration_minutes": "60", "price_text": "10", "version": "1"}
    assert one.post(edit, retired).status_code == 302
    stale = {**retired, "price_text": "12", "is_active": "on"}
    response = two.post(edit, stale)

    assert response.status_code == 409
    assert (
        "Someone else changed this service since you opened it. Reload and try again."
        in response.content.decode()
    )
    yoga.refresh_from_db()
    assert (yoga.price, yoga.is_active, yoga.version) == (1000, False, 2)


def test_the_front_desk_sees_the_services_but_cannot_change_them(on, front_desk_user):
    yoga = Service.objects.create(name="Yoga", duration_minutes=60, price=1000)
    desk = logged_in(front_desk_user)
    page = desk.get(reverse("bookings:services")).content.decode()
    assert "Yoga" in page and "Add Service" not in page and "Change" not in page
    assert desk.get(reverse("bookings:service_create")).status_code == 403
    assert desk.post(reverse("bookings:service_edit", args=[yoga.pk]), {"name": "X"}).status_code == 403


def test_switched_off_the_pages_are_not_there(manager_user):
    with override_switch(BOOKINGS, active=False):
        assert logged_in(manager_user).get(reverse("bookings:services")).status_code == 404
