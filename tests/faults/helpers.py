"""Cut the database connection of the request under test at a chosen point.

`cut_at` wraps a function a service calls part-way through its transaction: when that call
is reached, a second connection ends the backend of Django's connection with
`pg_terminate_backend`, as a restarted or failed-over database server (or an administrator)
would, and waits until it is gone. The service then carries on, and its next statement
fails with OperationalError or InterfaceError. Only that one call is cut; later calls (the
retry) run as usual. `cut_at_statement` cuts just after the n-th SQL statement instead, so a
test can try every point of an action in turn.
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from django.db import connection


def terminate_backend(pid):
    """End backend `pid` from a connection of our own, and wait until PostgreSQL lets it go."""
    settings = connection.settings_dict
    params = {
        "dbname": settings["NAME"],
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0], "no such backend"
        # The signal is asynchronous: wait, so the service's next statement surely finds it gone.
        deadline = time.monotonic() + 10
        while other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, f"backend {pid} outlived pg_terminate_backend"
            time.sleep(0.01)


@dataclass
class Cut:
    """Where the connection was cut: how many calls were seen, and the backend ended."""

    calls: int = 0
    pid: int | None = None


def cut_at(monkeypatch, target, name, *, call=1, after=False):
    """Cut the connection at the `call`-th call of `target.name`: just before it runs, or
    (`after`) once it has returned, so that what it wrote is in the doomed transaction."""
    original = getattr(target, name)
    cut = Cut()

    def cutting(*args, **kwargs):
        cut.calls += 1
        if cut.calls == call and not after:
            _cut(cut)
        result = original(*args, **kwargs)
        if cut.calls == call and after:
            _cut(cut)
        return result

    monkeypatch.setattr(target, name, cutting)
    return cut


#: The framework's own statements around an action (the session, the login, the cache and the
#: switches it holds), which `cut_at_statement` does not count: a cut there comes before the
#: action's transaction starts, or after it committed.
AROUND = ("django_session", "auth_", "kinship_cache", "waffle_", "django_content_type")


@contextmanager
def cut_at_statement(n):
    """Cut the connection just after the `n`-th statement of the action itself, so that the
    statement after it fails, or the COMMIT after the last; `Cut.pid` stays None when the
    action runs fewer."""
    cut = Cut()

    def cutting(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not any(name in sql for name in AROUND):
            cut.calls += 1
            if cut.calls == n:
                _cut(cut)
        return result

    with connection.execute_wrapper(cutting):
        yield cut


def _cut(cut):
    cut.pid = connection.connection.info.backend_pid
    terminate_backend(cut.pid)


def after_request():
    """What a web server does once a request is answered (Django's `close_old_connections`,
    which the test client leaves out): drop a connection that failed, so that the next
    request opens a new one. Then check that one works."""
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
