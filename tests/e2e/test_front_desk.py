"""The front desk in a real browser, the way a receptionist works through it.

Each test logs in as a Front desk receptionist (`desk_page`; one through the login form),
and fails if the browser reports a JavaScript error, a failed load or a Content-Security-Policy
violation on the way (`browser_problems`, in conftest.py).
"""

import re
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Error, Page, expect

from core.roles import FRONT_DESK, MANAGER
from customers import services
from customers.models import Activity, Customer
from tests.e2e.conftest import PASSWORD
from tests.factories import CustomerFactory


@pytest.fixture
def ada():
    return services.create_customer(
        actor=None, first_name="Ada", last_name="Lovelace", email="ada@example.com", phone="07700 900123"
    )


def mark_this_document(page: Page):
    """Tag the page now, so a later check can tell that no new page was loaded since."""
    page.evaluate("document.documentElement.dataset.e2eSameDocument = 'yes'")


def expect_same_document(page: Page):
    """HTMX swapped part of the page: the browser did not load a new one."""
    expect(page.locator("html")).to_have_attribute("data-e2e-same-document", "yes")


def expect_htmx_done(page: Page):
    """Wait until htmx has no request in flight and the content it swapped in has settled.

    htmx wires up the links in new content as it settles (20 ms after the swap). A click
    before that follows the plain href, a full page load: it works (that is the design), but
    it is not the flow under test, so a test waits as a person's reaction time would.
    """
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")).to_have_count(0)


@contextmanager
def live_results_for(page: Page, text):
    """Wait, after the typing done inside, until the results for all of `text` are in.

    Results for the first letters may show before she finishes typing; acting on those
    (Tab onto a result, say) would race the last response, which replaces them.
    """
    with page.expect_response(lambda response: parse_qs(urlsplit(response.url).query).get("q") == [text]):
        yield
    expect_htmx_done(page)


def tab_to(page: Page, target, *, most=15):
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(most):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def duplicate_ids(page: Page):
    """Ids that more than one element has: a fragment swapped *into* its own wrapper, say."""
    return page.evaluate(
        """() => {
            const ids = [...document.querySelectorAll("[id]")].map((element) => element.id);
            return [...new Set(ids.filter((id, index) => ids.indexOf(id) !== index))];
        }"""
    )


def loaded_customer(page: Page):
    return page.get_by_role("region", name="Loaded customer")


def expect_open_tab(page: Page, name):
    tab = page.get_by_role("tab", name=name)
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name=name)).to_be_visible()


def test_receptionist_finds_loads_and_works_through_a_customer(desk_page, ada, browser_problems):
    page = desk_page
    mark_this_document(page)

    # She types part of the name; the results appear as she types, in the same page.
    with live_results_for(page, "lovel"):
        page.get_by_label("Search customers").press_sequentially("lovel", delay=30)
    result = page.get_by_role("listitem").filter(has_text="Ada Lovelace")
    expect(result).to_be_visible()
    expect(result).to_contain_text("07700 900123")
    expect(page).to_have_url("/")
    expect_same_document(page)
    assert duplicate_ids(page) == []

    # She loads Ada into the desk: her header and tabs appear, and the address follows.
    result.get_by_role("link", name="Load Customer").click()
    desk = loaded_customer(page)
    expect(desk.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    expect(page).to_have_url(f"/desk/{ada.pk}/")
    expect(desk.get_by_role("tab")).to_have_text(["Summary", "Emails", "History"])
    expect_open_tab(page, "Summary")
    expect(page.get_by_role("tabpanel")).to_contain_text("ada@example.com")
    expect_same_document(page)
    assert duplicate_ids(page) == []
    expect_htmx_done(page)

    # She opens the History tab: the panel and the address change, the page stays.
    desk.get_by_role("tab", name="History").click()
    expect(page).to_have_url(f"/desk/{ada.pk}/history/")
    expect_open_tab(page, "History")
    expect(page.get_by_role("tabpanel")).to_contain_text("Customer created.")
    expect_same_document(page)
    assert duplicate_ids(page) == []

    # Back goes to the Summary tab; forward and a reload come back to History.
    page.go_back()
    expect(page).to_have_url(f"/desk/{ada.pk}/")
    expect_open_tab(page, "Summary")
    expect(page.get_by_role("tabpanel")).to_contain_text("ada@example.com")
    page.go_forward()
    expect(page).to_have_url(f"/desk/{ada.pk}/history/")
    expect_open_tab(page, "History")
    page.reload()
    expect(loaded_customer(page).get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    expect_open_tab(page, "History")
    expect(page.get_by_role("tabpanel")).to_contain_text("Customer created.")

    # Back twice more leaves an empty desk, as it was before she loaded anyone.
    page.go_back()
    expect(page).to_have_url(f"/desk/{ada.pk}/")
    expect_open_tab(page, "Summary")
    page.go_back()
    expect(page).to_have_url("/")
    expect(loaded_customer(page)).to_contain_text("Search for a customer")

    assert browser_problems == []


def test_receptionist_edits_a_phone_number_and_sees_it_in_the_history(
    desk_page, ada, front_desk_user, browser_problems
):
    page = desk_page
    page.goto(f"/desk/{ada.pk}/")

    loaded_customer(page).get_by_role("link", name="Go to Profile").click()
    expect(page).to_have_url(f"/customers/{ada.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")

    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit Ada Lovelace")).to_be_visible()
    page.get_by_label("Phone").fill("020 7946 0999")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"/customers/{ada.pk}/")
    expect(page.get_by_role("status").filter(has_text="Ada Lovelace's details were saved.")).to_be_visible()
    expect(page.get_by_role("tabpanel")).to_contain_text("020 7946 0999")

    page.get_by_role("tab", name="History").click()
    expect(page).to_have_url(f"/customers/{ada.pk}/history/")
    history = page.get_by_role("tabpanel", name="History")
    expect(history.get_by_role("listitem").first).to_contain_text("Details changed: phone.")
    expect(history.get_by_role("listitem").first).to_contain_text(f"by {front_desk_user.get_full_name()}")
    assert Customer.objects.get(pk=ada.pk).phone == "020 7946 0999"

    assert browser_problems == []


def test_archiving_asks_first_and_cancel_changes_nothing(desk_page, ada):
    page = desk_page
    page.goto(f"/customers/{ada.pk}/")
    heading = page.get_by_role("heading", level=1)
    dialog = page.get_by_role("dialog")

    # She clicks Archive, reads the question and thinks better of it.
    page.get_by_role("button", name="Archive").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Archive Ada Lovelace?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(f"/customers/{ada.pk}/")
    expect(heading).not_to_contain_text("Archived")
    assert not Customer.objects.get(pk=ada.pk).is_archived

    # Then she archives for real.
    page.get_by_role("button", name="Archive").click()
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status").filter(has_text="Ada Lovelace was archived.")).to_be_visible()
    expect(heading).to_contain_text("Archived")
    expect(page.get_by_role("button", name="Restore")).to_be_visible()
    expect(page.get_by_role("button", name="Archive")).to_have_count(0)
    assert Customer.objects.get(pk=ada.pk).is_archived


def test_an_edit_without_a_first_name_shows_the_error_and_changes_nothing(desk_page, ada):
    page = desk_page
    page.goto(f"/customers/{ada.pk}/edit/")

    first_name = page.get_by_label("First name")
    first_name.fill("")
    page.get_by_label("Phone").fill("020 7946 0999")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"/customers/{ada.pk}/edit/")
    expect(first_name).to_have_attribute("aria-invalid", "true")
    expect(first_name).to_have_accessible_description("Enter the customer's first name.")
    expect(page.get_by_text("Enter the customer's first name.")).to_be_visible()

    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelace")
    expect(page.get_by_role("tabpanel")).to_contain_text("07700 900123")
    ada.refresh_from_db()
    assert (ada.first_name, ada.phone, ada.version) == ("Ada", "07700 900123", 1)
    assert not Activity.objects.filter(customer=ada, kind="customer.updated").exists()


def test_customer_list_filters_as_she_types_and_pages(desk_page, ada):
    CustomerFactory.create_batch(30, last_name="Parker")
    page = desk_page
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    mark_this_document(page)
    rows = page.get_by_role("link", name="Load Customer")
    search = page.get_by_label("Search customers")

    with live_results_for(page, "lovelace"):
        search.press_sequentially("lovelace", delay=30)
    expect(rows).to_have_count(1)
    expect(page.get_by_role("table")).to_contain_text("Lovelace, Ada")
    expect(page).to_have_url(re.compile(r"/customers/\?q=lovelace"))
    expect_same_document(page)
    assert duplicate_ids(page) == []

    with live_results_for(page, "parker"):
        search.fill("parker")
    expect(rows).to_have_count(25)
    expect(page.get_by_role("table")).not_to_contain_text("Lovelace")
    pages = page.get_by_role("navigation", name="Pages")
    expect(pages).to_contain_text("Page 1")

    pages.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"/customers/\?q=parker.*&page=2$"))
    expect(pages).to_contain_text("Page 2")
    expect(rows).to_have_count(5)
    expect(pages.get_by_role("link", name="Next")).to_have_count(0)

    pages.get_by_role("link", name="Previous").click()
    expect(pages).to_contain_text("Page 1")
    expect(rows).to_have_count(25)
    expect(search).to_have_value("parker")


def test_keyboard_only_search_and_load(desk_page, ada):
    page = desk_page
    mark_this_document(page)
    search = page.get_by_label("Search customers")
    # The desk opens with the cursor in the search box...
    expect(search).to_be_focused()
    # ...and from the top of the page, Tab reaches it too.
    page.get_by_role("link", name="Skip to content").focus()
    tab_to(page, search)

    with live_results_for(page, "ada love"):
        page.keyboard.type("ada love", delay=30)
    load = (
        page.get_by_role("listitem").filter(has_text="Ada Lovelace").get_by_role("link", name="Load Customer")
    )
    expect(load).to_be_visible()
    page.keyboard.press("Tab")
    expect(load).to_be_focused()
    page.keyboard.press("Enter")

    expect(loaded_customer(page).get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    expect(page).to_have_url(f"/desk/{ada.pk}/")
    expect_same_document(page)
    # Focus follows the swap to the open tab, so the next Tabs reach Emails, then History.
    expect(page.get_by_role("tab", name="Summary")).to_be_focused()
    expect_htmx_done(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("tab", name="Emails")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("tab", name="History")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"/desk/{ada.pk}/history/")
    expect_open_tab(page, "History")
    expect_same_document(page)
    # Arrow keys move along the tab strip, wrapping at the ends.
    expect(page.get_by_role("tab", name="History")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("tab", name="Emails")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("tab", name="Summary")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("tab", name="History")).to_be_focused()


def test_receptionist_logs_in_through_the_login_form(page, browser_problems, front_desk_user):
    # The other tests are handed a logged-in session (conftest.py's `log_in`); this one types.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.get_by_label("Username").fill(front_desk_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name="Front desk")).to_be_visible()


def test_the_browser_check_catches_a_csp_violation(page, browser_problems, live_server):
    # Guards the guard: an inline script without the nonce is refused, and reported.
    page.goto("/login/")
    with pytest.raises(Error, match="Content Security Policy"):
        page.add_script_tag(content="window.inlineRan = true")
    assert page.evaluate("window.inlineRan === undefined")
    assert any("Content Security Policy" in problem for problem in browser_problems)
    browser_problems.clear()


def test_the_staff_roles_from_the_data_migration_are_there_in_every_test(desk_page, ada):
    # Last, so that earlier tests have flushed the database: the flush deletes the roles
    # and `migrated_rows` (tests/conftest.py) replays the migrations that make them.
    assert set(Group.objects.values_list("name", flat=True)) >= {FRONT_DESK, MANAGER}
    expect(desk_page.get_by_role("heading", name="Front desk")).to_be_visible()
