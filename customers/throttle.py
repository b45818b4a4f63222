"""Throttle logins: count failed attempts where every app server sees them, atomically.

Two counters, each a `LoginAttempts` row:

- a username at an address (LOGIN_FAILURE_LIMIT, 5): guesses at one person's password;
- an address (LOGIN_ADDRESS_FAILURE_LIMIT, 50): guesses across many usernames. Much higher,
  because a shop's desks share one address behind its router.

There is no counter for a username alone: failures from anywhere would lock a named member of
staff out everywhere, so anyone who knows her username could keep her from working.

An attempt reserves its place on both counters before the password is checked, in one
transaction that holds their rows locked, and is refused when either is full; a success gives
its places back. So a burst of wrong passwords sent at once is checked at most `limit` times.
A window runs LOGIN_FAILURE_WINDOW seconds from the first failure in it, however many follow.

Why not django-axes (with django-ipware): it asks whether a login is locked out before
authenticating and records the failure afterwards, two separate steps, so parallel requests
all pass the question before any failure is written (jazzband/django-axes#592, closed as a
known issue that will not be fixed). That burst is what this module exists to stop, and what
tests/config/test_login_throttle.py checks on PostgreSQL.
"""

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.timezone import now

from customers.models import LoginAttempts


def client_address(request):
    """Return the address a request came from, believing X-Forwarded-For only as far as it
    was written by the TRUSTED_PROXIES proxies in front of Kinship.

    Each proxy appends the address it saw to the header, so with N trusted proxies the N-th
    entry from the right is the client; anything to its left was sent by the client and may
    be made up. Without trusted proxies the header is ignored altogether.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _network(address):
    """Return what one client's counter is keyed by: an IPv4 address, or an IPv6 /64.

    One home or office is usually given a whole IPv6 /64, so counting single IPv6 addresses
    would give one attacker billions of fresh counters.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _keys(username, address):
    network = _network(address)
    # "address:" sorts before "user:": both steps below lock the two rows in that order.
    return f"address:{network}", f"user:{network} {username.casefold()[:150]}"


@dataclass(frozen=True)
class Reservation:
    """The places one attempt took on its two counters, to give back if it succeeds."""

    address_key: str
    user_key: str
    address_window_started_at: datetime


def _delete_expired(cutoff):
    """Delete counters whose window ended, so rows of one-off failures do not pile up.

    One DELETE on the window index, of at most a thousand rows (an attempt adds at most two).
    SKIP LOCKED leaves rows that an attempt holds (it is about to start their window afresh),
    so this never waits for one and can never deadlock with it.
    """
    with transaction.atomic():
        expired = LoginAttempts.objects.filter(window_started_at__lte=cutoff)
        batch = expired.select_for_update(skip_locked=True).values("pk")[:1000]
        LoginAttempts.objects.filter(pk__in=batch).delete()


def reserve_attempt(*, username, address):
    """Take a place on the username-at-address and the address counters for one login attempt.

    Return the Reservation, or None when either counter is full (the attempt must be refused
    without checking the password).
    """
    started = now()
    cutoff = started - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)
    address_key, user_key = _keys(username, address)
    limits = {address_key: settings.LOGIN_ADDRESS_FAILURE_LIMIT, user_key: settings.LOGIN_FAILURE_LIMIT}
    _delete_expired(cutoff)
    with transaction.atomic():
        # Make both rows exist and lock them, in key order, in one statement: an upsert whose
        # update changes nothing. (With "do nothing" on conflict, an expired row found here
        # could be deleted by another attempt's clean-up before the lock below takes it.)
        LoginAttempts.objects.bulk_create(
            [LoginAttempts(key=key, count=0, window_started_at=started) for key in sorted(limits)],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["key"],
        )
        # The row locks make "is there room? then take it" one step for parallel attempts; on
        # SQLite the IMMEDIATE transaction (config/settings.py) serialises them instead.
        rows = list(LoginAttempts.objects.filter(key__in=limits).select_for_update().order_by("key"))
        for row in rows:
            if row.count == 0 or row.window_started_at <= cutoff:
                row.count, row.window_started_at = 0, started
        if any(row.count >= limits[row.key] for row in rows):
            return None
        for row in rows:
            row.count += 1
        LoginAttempts.objects.bulk_update(rows, ["count", "window_started_at"])
    by_key = {row.key: row for row in rows}
    return Reservation(
        address_key=address_key,
        user_key=user_key,
        address_window_started_at=by_key[address_key].window_started_at,
    )


def release_attempt(reservation):
    """Give a successful attempt's places back.

    The username's counter at this address is cleared: whoever sits there knows the password,
    so her earlier typos stop counting. The address keeps the other failures it has made, less
    this attempt's place, unless its window has started afresh since.
    """
    with transaction.atomic():
        LoginAttempts.objects.filter(
            key=reservation.address_key,
            window_started_at=reservation.address_window_started_at,
            count__gt=0,
        ).update(count=F("count") - 1)
        LoginAttempts.objects.filter(key=reservation.user_key).delete()
