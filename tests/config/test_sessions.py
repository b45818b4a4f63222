"""Shared front-desk computers: nothing a logged-in user saw is kept by the browser, and a
session ends after a working day idle."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from client_groups import services as segment_services
from core.middleware import LAST_SEEN
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_every_page_for_a_logged_in_user_says_no_store(desk):
    customer = CustomerFactory()
    for url in (
        reverse("customers:front_desk"),
        reverse("customers:profile", args=[customer.pk]),
        reverse("customers:list"),
        # Django's own never_cache says `private, max-age=0…`; one cached copy is too many.
        reverse("login"),
    ):
        response = desk.get(url)
        assert response["Cache-Control"] == "no-store", url


def test_the_emails_tab_and_the_csv_export_say_no_store(client, manager_user, client_groups_on):
    client.force_login(manager_user)
    customer = CustomerFactory()
    vip = segment_services.create_segment(actor=manager_user, name="VIP")
    emails = client.get(reverse("customers:profile_tab", args=[customer.pk, "emails"]))
    export = client.get(reverse("client_groups:export", args=[vip.pk]))
    assert emails.status_code == export.status_code == 200
    assert emails["Cache-Control"] == export["Cache-Control"] == "no-store"
    assert export["Content-Type"].startswith("text/csv")


def test_pages_for_nobody_in_particular_keep_their_own_caching(desk):
    # The login page to a visitor, and the probe and favicon even to a logged-in desk,
    # whose session they never look up.
    assert Client().get(reverse("login"))["Cache-Control"] != "no-store"  # Django's never_cache
    assert desk.get("/favicon.ico")["Cache-Control"] == "max-age=86400"
    assert desk.get("/health/")["Cache-Control"] != "no-store"


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _page_at(client, moment):
    with mock.patch("core.middleware.time.time", return_value=moment):
        return client.get(reverse("customers:front_desk"))


def test_a_session_is_written_at_most_once_a_minute(desk, front_desk_user, settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT == 8 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # that would write every request
    logged_in = int(front_desk_user.last_login.timestamp())
    first = _expiry(desk)
    # Within a minute of logging in: not written (no new cookie, the row's expiry unmoved),
    # so the pages' query counts do not grow either.
    response = _page_at(desk, logged_in + 30)
    assert "sessionid" not in response.cookies and _expiry(desk) == first
    assert LAST_SEEN not in desk.session
    # A minute on, the expiry is pushed on a working day from now.
    response = _page_at(desk, logged_in + 61)
    assert "sessionid" in response.cookies and desk.session[LAST_SEEN] == logged_in + 61
    pushed = _expiry(desk)
    assert pushed > first and pushed > timezone.now() + timedelta(hours=7, minutes=59)
    # ...and not again within the next minute, but after it.
    response = _page_at(desk, logged_in + 61 + 59)
    assert "sessionid" not in response.cookies and _expiry(desk) == pushed
    response = _page_at(desk, logged_in + 61 + 61)
    assert "sessionid" in response.cookies and desk.session[LAST_SEEN] == logged_in + 122


def test_a_session_idle_past_the_timeout_is_logged_out(desk):
    desk.get(reverse("customers:front_desk"))
    Session.objects.filter(session_key=desk.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = desk.get(reverse("customers:front_desk"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_settings_come_from_the_environment(monkeypatch):
    import importlib

    from config import settings as kinship_settings

    monkeypatch.setenv("SESSION_IDLE_TIMEOUT", "3600")
    monkeypatch.setenv("SESSION_EXPIRE_AT_BROWSER_CLOSE", "true")
    try:
        reloaded = importlib.reload(kinship_settings)
        assert reloaded.SESSION_COOKIE_AGE == reloaded.SESSION_IDLE_TIMEOUT == 3600
        assert reloaded.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    finally:
        monkeypatch.undo()
        importlib.reload(kinship_settings)
