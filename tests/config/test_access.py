"""Logging in, throttling, the security headers and the project-level pages."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse

from core.roles import FRONT_DESK, MANAGER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def log_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_page_and_successful_login(client, front_desk_user):
    assert client.get(reverse("login")).status_code == 200
    response = log_in(client, "fran", "correct-horse-battery")
    assert response.status_code == 302 and response.url == reverse("customers:front_desk")
    assert client.get(reverse("customers:front_desk")).status_code == 200


def test_wrong_password_says_so(client, front_desk_user):
    response = log_in(client, "fran", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_logins_are_throttled_per_username_at_an_address(client, front_desk_user, settings):
    # Per username alone, anyone could lock a named receptionist out from every desk
    # (tests/config/test_login_throttle.py).
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        log_in(client, "fran", "wrong", address="10.0.0.1")
    response = log_in(client, "fran", "correct-horse-battery", address="10.0.0.1")
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logins_are_throttled_per_address(client, front_desk_user, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for name in ("a", "b", "c"):
        log_in(client, name, "wrong", address="10.9.9.9")
    response = log_in(client, "fran", "correct-horse-battery", address="10.9.9.9")
    assert "Too many failed attempts" in response.content.decode()
    assert log_in(client, "fran", "correct-horse-battery", address="10.1.1.1").status_code == 302


def test_admin_login_goes_through_the_same_throttle(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    client.post("/admin/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="10.2.2.2")
    response = client.post("/admin/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="10.2.2.2")
    assert "Too many failed attempts" in response.content.decode()


def test_logout_needs_a_post(desk):
    assert desk.get(reverse("logout")).status_code == 405
    response = desk.post(reverse("logout"))
    assert response.status_code == 302
    assert desk.get(reverse("customers:front_desk")).status_code == 302


def test_pages_send_a_nonce_based_content_security_policy(desk):
    response = desk.get(reverse("customers:front_desk"))
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    html = response.content.decode()
    # htmx is the one script that carries the nonce; every other script is a file.
    assert f'nonce="{nonce}"' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "X-CSRFToken" in html  # CSRF header for htmx requests on <body>


def test_health_answers_without_logging_in(client):
    response = client.get("/health/")
    assert response.status_code == 200 and response.content == b"ok"
    assert "no-cache" in response.headers["Cache-Control"]


def test_the_favicon_is_answered_at_once_without_a_session_or_the_database(client, django_assert_num_queries):
    """The Django admin's pages make browsers ask for it; looking up the visitor each time
    was wasted work (and, in the browser tests, a request still running into the next test)."""
    client.cookies["sessionid"] = "whatever"
    with django_assert_num_queries(0):
        response = client.get("/favicon.ico")
    assert response.status_code == 204 and response["Cache-Control"] == "max-age=86400"


def test_styled_404_page(desk):
    response = desk.get("/no-such-page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_styled_400_page_says_a_change_may_have_been_saved(desk, monkeypatch):
    """A session that cannot be saved after the change committed (the database went away in
    between) is a 400: the page must not say nothing was changed, and renders without the
    database."""
    from django.contrib.sessions.backends.db import SessionStore

    def gone(self, must_create=False):
        from django.contrib.sessions.exceptions import SessionInterrupted

        raise SessionInterrupted("The session was deleted before the request completed.")

    monkeypatch.setattr(SessionStore, "save", gone)
    response = desk.post("/customers/new/", {"first_name": "Ann", "last_name": "Lee"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The request could not be completed" in page
    assert "it may already have been saved" in page


def test_roles_hold_the_customer_permissions():
    for role in (FRONT_DESK, MANAGER):
        codenames = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
        assert {"view_customer", "add_customer", "change_customer", "view_activity"} <= codenames
        assert "delete_customer" not in codenames
