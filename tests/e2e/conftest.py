"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Every test in this folder is marked `browser`, so `pytest -m "not browser"` leaves them out.
When no Chromium is installed they are skipped with the command that installs it, so the
suite still passes on a machine without one; CI installs it, so there they run.

KINSHIP_CHROMIUM=/path/to/chromium picks another Chromium (a missing path simulates a
machine without one).
"""

import os
import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
INSTALL_COMMAND = "apt-get install -y chromium"
DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The password UserFactory gives every user.
PASSWORD = "correct-horse-battery"


def find_chromium():
    """The Chromium to drive, or None: $KINSHIP_CHROMIUM, else Debian's, else one on PATH."""
    override = os.environ.get("KINSHIP_CHROMIUM")
    candidates = [override] if override else [DEBIAN_CHROMIUM, shutil.which("chromium")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM = find_chromium()


def _is_browser_test(item):
    return HERE in Path(item.path).resolve().parents


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    # Before the other hooks: the marks must be on the items before `-m` deselects and
    # before pytest-django reads `django_db` to order the tests.
    for item in items:
        if not _is_browser_test(item):
            continue
        item.add_marker(pytest.mark.browser)
        item.add_marker(pytest.mark.only_browser("chromium"))
        # The live server runs in another thread, so the tests need real commits.
        item.add_marker(pytest.mark.django_db(transaction=True))
        if CHROMIUM is None:
            item.add_marker(
                pytest.mark.skip(
                    reason=f"No Chromium at {os.environ.get('KINSHIP_CHROMIUM') or DEBIAN_CHROMIUM} "
                    f"or on PATH; install it with `{INSTALL_COMMAND}`"
                )
            )
    result = yield
    # After them (pytest-django sorts by database use): the browser tests run last, so the
    # browser, Playwright's event loop and DJANGO_ALLOW_ASYNC_UNSAFE (below) are there for
    # them alone, and the quick tests report first.
    items.sort(key=_is_browser_test)
    return result


@pytest.fixture(scope="session", autouse=True)
def _allow_async_unsafe_database_calls():
    """Playwright's sync API runs an event loop in the main thread, which trips Django's
    async-safety check on every database call (factories, the flush after each test, the
    test database's teardown). Switch the check off from the first browser test that runs
    (selected, and not skipped for want of Chromium) to the end of the session; the browser
    tests run last, so no other test runs without the check.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium (no `playwright install` here), headless unless --headed."""
    return {
        "headless": True,
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def base_url(django_db_setup, live_server):
    """Pages talk to the live server, so tests can say `page.goto("/customers/")`.

    The test database must exist before the live server starts. On SQLite it is a file
    (tests/conftest.py), so the server's threads open their own connections rather than
    sharing the tests' one; every transactional test, these included, gets the migrated rows
    (the staff roles) back from tests/conftest.py's `migrated_rows`.
    """
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB"}


@pytest.fixture
def browser_problems(page):
    """JavaScript errors, failed loads and CSP violations the page reports while a test runs.

    Chromium reports a Content-Security-Policy violation as a console error ("Refused to
    execute inline script..."), so one list catches them all. Checked after every test.
    """
    problems = []

    def on_console(message):
        if message.type != "error":
            return
        # htmx logs a request it cancelled itself (hx-sync="this:replace": she typed on
        # before the last results came) as an error. A failed response still shows up
        # as "Failed to load resource" and htmx:responseError.
        if message.text.startswith(("htmx:sendAbort", "htmx:afterRequest")):
            return
        problems.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"Uncaught: {error}"))
    yield problems
    assert problems == [], "The browser reported errors during the test:\n" + "\n".join(problems)


@pytest.fixture
def log_in(base_url):
    """Log a page's browser in as a user and open the front desk, where the login form leads.

    The session is made on the server, as the login form makes it (`Client.force_login`
    sends `user_logged_in` too), and handed to the browser as its cookie: two requests and a
    page fewer per test than filling in the form, which test_front_desk.py's
    `test_receptionist_logs_in_through_the_login_form` still does.
    """
    from django.conf import settings
    from django.test import Client

    def log_in(page, user):
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url, "httpOnly": True}]
        )
        page.goto("/")
        return page

    return log_in


@pytest.fixture
def desk_page(page, browser_problems, front_desk_user, log_in):
    """A browser page logged in as a Front desk receptionist, on the front desk."""
    return log_in(page, front_desk_user)


@pytest.fixture
def manager_page(page, browser_problems, manager_user, log_in):
    """A browser page logged in as a Manager, on the front desk."""
    return log_in(page, manager_user)


# --- Account linking: people and switches shared by test_groups.py and test_links.py -------
# (`labels` and `types`, the groups' labels and the relationship types, are in tests/conftest.py.)


@pytest.fixture
def linking_on():
    """Account linking switched on, as a superuser would; the cache must not say otherwise."""
    from django.core.cache import cache
    from waffle.models import Switch

    from groups.features import ACCOUNT_LINKING

    Switch.objects.filter(name=ACCOUNT_LINKING).update(active=True)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anna():
    from tests.factories import CustomerFactory

    return CustomerFactory(first_name="Anna", last_name="Smith", email="anna@example.com")


@pytest.fixture
def ben():
    from tests.factories import CustomerFactory

    return CustomerFactory(first_name="Ben", last_name="Smith", email="ben@example.com")


@pytest.fixture
def cara():
    from tests.factories import CustomerFactory

    return CustomerFactory(first_name="Cara", last_name="Jones", email="cara@example.com")


@pytest.fixture
def smiths(front_desk_user, labels, anna, ben):
    """The Smith family group: Anna (Owner, Parent) and Ben (Dependent, Child)."""
    from groups import services
    from groups.models import Role

    return services.create_group(
        actor=front_desk_user,
        owner_id=anna.pk,
        owner_label_id=labels["Parent"].pk,
        member_id=ben.pk,
        member_role=Role.DEPENDENT,
        member_label_id=labels["Child"].pk,
    )
