"""The login throttle: whose failures count against whom, for how long, and all at once."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from customers import throttle
from customers.models import LoginAttempts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

THROTTLED = "Too many failed attempts. Wait a few minutes, then try again."


@pytest.fixture
def fran(db):
    return UserFactory(username="fran")


def log_in(username, password, address="10.0.0.1", **headers):
    """Post the login form from a fresh browser, so that a success does not carry over."""
    return Client().post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def logged_in(response):
    return response.status_code == 302


def throttled(response):
    return THROTTLED in response.content.decode()


def fail(times, username="fran", address="10.0.0.1", **headers):
    for _ in range(times):
        assert not logged_in(log_in(username, "wrong", address, **headers))


class Clock:
    def __init__(self):
        self.moment = timezone.now()

    def __call__(self):
        return self.moment

    def advance(self, **delta):
        self.moment += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(throttle, "now", clock)
    return clock


# Where a request comes from.


def address_of(remote, forwarded=None):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return throttle.client_address(RequestFactory().post("/login/", REMOTE_ADDR=remote, **headers))


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(settings):
    # Nothing of ours wrote the header: any client could, to pose as any address.
    settings.TRUSTED_PROXIES = 0
    assert address_of("203.0.113.7", forwarded="198.51.100.1") == "203.0.113.7"


def test_with_one_trusted_proxy_the_rightmost_entry_is_the_client(settings):
    settings.TRUSTED_PROXIES = 1
    assert address_of("10.0.0.2", forwarded="203.0.113.7") == "203.0.113.7"
    # Entries to the left were sent by the client itself: they change nothing.
    assert address_of("10.0.0.2", forwarded="198.51.100.1, 203.0.113.7") == "203.0.113.7"
    assert address_of("10.0.0.2", forwarded="nonsense,, 203.0.113.7") == "203.0.113.7"


def test_with_two_trusted_proxies_the_second_entry_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXIES = 2
    assert address_of("10.0.0.2", forwarded="198.51.100.1, 203.0.113.7, 10.0.0.3") == "203.0.113.7"


def test_a_header_shorter_than_the_proxies_said_falls_back_to_the_connection(settings):
    settings.TRUSTED_PROXIES = 2
    assert address_of("10.0.0.2", forwarded="203.0.113.7") == "10.0.0.2"
    assert address_of("10.0.0.2") == "10.0.0.2"


def test_behind_the_load_balancer_one_clients_failures_do_not_lock_out_another(fran, settings):
    # Every request reaches Kinship from the load balancer's address; only the header differs.
    settings.TRUSTED_PROXIES = 1
    fail(5, address="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert logged_in(log_in("fran", "correct-horse-battery", "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1"))


def test_a_spoofed_left_entry_does_not_buy_more_attempts(fran, settings):
    settings.TRUSTED_PROXIES = 1
    for number in range(5):
        response = log_in("fran", "wrong", "10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.7")
        assert not throttled(response)
    spoofed = "192.0.2.99, 203.0.113.7"
    response = log_in("fran", "correct-horse-battery", "10.0.0.2", HTTP_X_FORWARDED_FOR=spoofed)
    assert throttled(response) and not logged_in(response)
    # ...nor can it pose as another client behind the same load balancer and lock her out.
    assert logged_in(log_in("fran", "correct-horse-battery", "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1"))


# What is counted.


def test_failures_at_one_address_do_not_lock_the_username_out_at_another(fran):
    # Otherwise anyone who knows a receptionist's username could keep her from working.
    fail(5, address="10.0.0.1")
    refused = log_in("fran", "correct-horse-battery", "10.0.0.1")
    assert throttled(refused) and not logged_in(refused)
    assert logged_in(log_in("fran", "correct-horse-battery", "10.0.0.2"))


def test_one_ipv6_network_counts_as_one_address(fran):
    # A home or office is given a whole /64: fresh addresses inside it are no fresh counter.
    for host in range(1, 6):
        fail(1, address=f"2001:db8:1:1::{host}")
    assert throttled(log_in("fran", "correct-horse-battery", "2001:db8:1:1::99"))
    assert logged_in(log_in("fran", "correct-horse-battery", "2001:db8:1:2::1"))


def test_an_address_is_locked_after_many_failures_across_usernames(fran, settings):
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 50
    for number in range(10):
        fail(1, username=f"guess{number}", address="10.0.0.1")
    # A shop's desks share one address: a few typos across them do not lock the shop out.
    assert logged_in(log_in("fran", "correct-horse-battery", "10.0.0.1"))
    for number in range(10, 50):
        fail(1, username=f"guess{number}", address="10.0.0.1")
    refused = log_in("fran", "correct-horse-battery", "10.0.0.1")
    assert throttled(refused) and not logged_in(refused)
    assert logged_in(log_in("fran", "correct-horse-battery", "10.0.0.2"))


def test_the_window_runs_from_the_first_failure(fran, clock):
    fail(1)
    clock.advance(minutes=10)
    fail(4)
    assert throttled(log_in("fran", "correct-horse-battery"))
    clock.advance(minutes=4, seconds=59)
    assert throttled(log_in("fran", "correct-horse-battery"))
    # Fifteen minutes after the first failure, not after the last one.
    clock.advance(seconds=2)
    assert logged_in(log_in("fran", "correct-horse-battery"))


def test_a_success_gives_its_place_back_and_clears_the_usernames_typos(fran):
    fail(4)
    assert logged_in(log_in("fran", "correct-horse-battery"))
    # She proved she knows the password at this desk: her earlier typos stop counting...
    fail(4)
    assert logged_in(log_in("fran", "correct-horse-battery"))
    # ...while the address keeps its failures, without the two successes.
    assert LoginAttempts.objects.get(key="address:10.0.0.1").count == 8


def test_expired_counters_are_deleted(fran, clock):
    fail(1, address="10.0.0.1")
    clock.advance(minutes=15, seconds=1)
    fail(1, address="10.0.0.2")
    assert sorted(LoginAttempts.objects.values_list("key", flat=True)) == [
        "address:10.0.0.2",
        "user:10.0.0.2 fran",
    ]


# All at once.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_wrong_passwords_is_checked_only_up_to_the_limit(on_postgres, monkeypatch):
    """Twenty wrong passwords sent at once, each by its own app-server thread and connection:
    reserving a place before checking is what keeps the other fifteen from being tried."""
    UserFactory(username="fran")
    checked = []
    authenticate = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        checked.append(password)
        return authenticate(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    barrier = threading.Barrier(20)
    responses = [None] * 20

    def attempt(index):
        try:
            barrier.wait()
            responses[index] = log_in("fran", f"wrong-{index}", "203.0.113.7")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(checked) == 5, checked
    assert all(response is not None and not logged_in(response) for response in responses)
    assert sum(throttled(response) for response in responses) == 15
    assert LoginAttempts.objects.get(key="user:203.0.113.7 fran").count == 5
