"""Client Groups (code: segments) in a real browser, as the front desk and a Manager use them.

A receptionist (`desk_page`) puts customers in groups and takes them out, from a profile's
Client Groups panel or from the client list's Bulk Actions; a Manager (`manager_page`) also
creates, renames and deletes the groups. Each test logs in and fails on any JavaScript
error, failed load or CSP violation (`browser_problems`). The feature is behind the waffle
switch `client_groups`, off after every flush: `client_groups_on` switches it on.
"""

import csv
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from waffle.models import Switch

from client_groups import services
from client_groups.features import CLIENT_GROUPS
from client_groups.models import Segment, SegmentMember
from client_groups.rules import years_before
from customers.models import Activity, Customer
from tests.e2e.test_front_desk import expect_htmx_done
from tests.e2e.test_groups import assert_accessible, control, history_lines, needs_axe, toast
from tests.factories import CustomerFactory

# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture
def client_groups_on():
    """Client groups switched on, as a superuser would. (The live server reads the switch
    from the database and the shared cache, so waffle's override_switch, which the tests
    without a browser use, is replaced here by the row itself.) Tests ask for it before the
    logged-in page, whose first page (with its nav) is drawn at login."""
    Switch.objects.filter(name=CLIENT_GROUPS).update(active=True)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anna():
    return CustomerFactory(first_name="Anna", last_name="Smith", date_of_birth=date(1990, 5, 1))


@pytest.fixture
def ben():
    return CustomerFactory(first_name="Ben", last_name="Smith", date_of_birth=date(1985, 2, 14))


@pytest.fixture
def cara():
    return CustomerFactory(first_name="Cara", last_name="Jones", date_of_birth=date(2015, 9, 3))


@pytest.fixture
def dan():
    return CustomerFactory(first_name="Dan", last_name="Brown", date_of_birth=date(1978, 12, 30))


def make_group(name, *members, rules=None, actor=None):
    segment = services.create_segment(actor=actor, name=name, rules=rules)
    if members:
        services.add_customers(
            actor=actor,
            segment_id=segment.pk,
            customers=Customer.objects.filter(pk__in=[c.pk for c in members]),
        )
    return segment


# --- Helpers --------------------------------------------------------------------------------


def name_box(page: Page) -> Locator:
    # Its label also holds the required field's "*", which is hidden from screen readers.
    return page.get_by_role("textbox", name="Name", exact=True)


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def groups_table(page: Page) -> Locator:
    return page.get_by_role("table", name="Client groups, by name")


def group_row(page: Page, name) -> Locator:
    return groups_table(page).locator("tbody tr").filter(has=page.get_by_role("link", name=name, exact=True))


def members_of(page: Page, name) -> Locator:
    """The names in the first column of a group page's members table."""
    return page.get_by_role("table", name=re.compile(rf"^Members of {re.escape(name)}")).locator(
        "tbody td:first-child"
    )


def panel(page: Page) -> Locator:
    """The Summary tab's Client Groups panel."""
    return page.get_by_role("region", name="Client Groups")


def badges(page: Page, first_name) -> Locator:
    return panel(page).get_by_role("list", name=f"Client groups {first_name} is in").get_by_role("listitem")


def confirm_dialog(page: Page) -> Locator:
    return page.get_by_role("dialog")


def customer_rows(page: Page) -> Locator:
    return page.get_by_role("table", name=re.compile(r"^Customers, page")).locator("tbody tr")


def customer_row(page: Page, customer) -> Locator:
    return customer_rows(page).filter(
        has=page.get_by_role("link", name=f"{customer.last_name}, {customer.first_name}")
    )


def list_names(page: Page) -> Locator:
    """The Name column of the customer list, "Smith, Anna", in the order shown."""
    return customer_rows(page).locator("td:nth-child(2) > a")


def group_filter(page: Page) -> Locator:
    return page.get_by_label("Client groups", exact=True)


def filter_by(page: Page, *names):
    """Choose these client groups in the list's filter (no name: none) and wait for the list."""
    with page.expect_response(lambda response: "/customers/?" in response.url):
        group_filter(page).select_option(label=list(names))
    expect_htmx_done(page)


def bulk_editor(page: Page) -> Locator:
    return page.locator("#bulk-editor")


def open_bulk_action(page: Page, action):
    """Bulk Actions → Add to Group / Remove from Group; the form opens above the list."""
    menu = page.locator("details.menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").filter(has_text="Bulk Actions").click()
    menu.get_by_role("button", name=action).click()
    expect(bulk_editor(page).get_by_role("heading", name=action)).to_be_visible()
    expect_htmx_done(page)


def choose_group_and_continue(page: Page, name):
    bulk_editor(page).get_by_label("Client group").select_option(label=name)
    bulk_editor(page).get_by_role("button", name="Continue").click()
    expect(bulk_editor(page).locator(".confirm-count")).to_be_visible()
    expect_htmx_done(page)


def drop_expected(problems, *urls):
    """Forget the console's report of the 403s a test asked for on purpose."""
    problems[:] = [p for p in problems if not ("403" in p and any(url in p for url in urls))]


# --- A Manager's groups ---------------------------------------------------------------------


def test_manager_creates_renames_and_deletes_a_group(
    client_groups_on, manager_page, anna, ben, cara, front_desk_user, browser_problems
):
    page = manager_page
    main_nav(page).get_by_role("link", name="Client Groups").click()
    expect(page).to_have_url("/client-groups/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Client Groups")
    expect(page.get_by_role("main")).to_contain_text("There are no client groups yet.")

    page.get_by_role("link", name="Create Group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create Group")
    name_box(page).fill("VIP")
    page.get_by_label("Description").fill("Our best customers.")
    expect(page.get_by_label("Chosen by staff")).to_be_checked()
    page.get_by_role("button", name="Create Group").click()

    segment = Segment.objects.get(name="VIP")
    expect(page).to_have_url(f"/client-groups/{segment.pk}/")
    expect(toast(page, "The client group “VIP” was created.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("VIP")
    expect(page.get_by_role("main")).to_contain_text("Our best customers.")
    expect(page.get_by_role("main")).to_contain_text("No customers are in this group yet.")
    assert (segment.description, segment.rules) == ("Our best customers.", {})

    # Meanwhile the front desk puts Anna and Ben in it; the list counts them.
    services.add_customers(
        actor=front_desk_user,
        segment_id=segment.pk,
        customers=Customer.objects.filter(pk__in=[anna.pk, ben.pk]),
    )
    main_nav(page).get_by_role("link", name="Client Groups").click()
    expect(page).to_have_url("/client-groups/")
    row = group_row(page, "VIP")
    expect(row.locator("td")).to_have_text(["VIP", "2", "Our best customers.", re.compile("Edit\\s+Delete")])

    control(row, "link", "Edit").click()
    expect(page).to_have_url(f"/client-groups/{segment.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit VIP")
    expect(name_box(page)).to_have_value("VIP")
    # Whether staff choose the members is settled when the group is made.
    expect(page.get_by_label("Follow rules")).to_have_count(0)
    name_box(page).fill("Very Important")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"/client-groups/{segment.pk}/")
    expect(toast(page, "The client group “Very Important” was saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Very Important")
    expect(members_of(page, "Very Important")).to_have_text(["Smith, Anna", "Smith, Ben"])

    # Delete asks first, and says the clients stay. She cancels once, then confirms.
    delete = control(page.locator(".header-actions"), "button", "Delete")
    delete.click()
    dialog = confirm_dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(
        "Delete the client group “Very Important”? "
        "Its clients stay: only their membership of this group goes."
    )
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert Segment.objects.filter(pk=segment.pk).exists()

    delete.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Delete").click()
    expect(page).to_have_url("/client-groups/")
    expect(toast(page, "The client group “Very Important” was deleted; its clients stay.")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("There are no client groups yet.")

    assert not Segment.objects.exists()
    assert not SegmentMember.objects.exists()
    assert set(Customer.objects.values_list("first_name", flat=True)) == {"Anna", "Ben", "Cara"}
    lines = history_lines(page, anna)
    expect(lines.filter(has_text="Client group “Very Important” was deleted.")).to_have_count(1)
    assert browser_problems == []


def test_a_name_that_differs_only_in_case_is_refused(client_groups_on, manager_page):
    vip = make_group("VIP")
    trade = make_group("Trade")
    page = manager_page
    page.goto("/client-groups/new/")
    name_box(page).fill("vip")
    page.get_by_role("button", name="Create Group").click()
    expect(page.get_by_role("alert")).to_have_text("There is already a client group with that name.")
    expect(page).to_have_url("/client-groups/new/")
    expect(name_box(page)).to_have_value("vip")
    assert list(Segment.objects.order_by("pk").values_list("name", flat=True)) == ["VIP", "Trade"]

    # Renaming another group to it is refused the same way.
    page.goto(f"/client-groups/{trade.pk}/edit/")
    name_box(page).fill(" vIP ")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text("There is already a client group with that name.")
    assert Segment.objects.get(pk=trade.pk).name == "Trade"
    assert Segment.objects.get(pk=vip.pk).name == "VIP"


# --- A customer's profile -------------------------------------------------------------------


def test_receptionist_adds_a_customer_to_a_group_and_removes_her_from_the_profile(
    client_groups_on, desk_page, anna, front_desk_user, browser_problems
):
    make_group("VIP")
    make_group("Trade")
    make_group("Adults", rules={"age_from": 18})
    page = desk_page
    page.goto(f"/customers/{anna.pk}/")
    # Anna, 18 or over, is in Adults by its rules: a badge without an X.
    expect(badges(page, "Anna")).to_have_count(1)
    adults = badges(page, "Anna").filter(has_text="Adults")
    expect(adults).to_contain_text("(follows rules)")
    expect(adults.get_by_role("button")).to_have_count(0)

    control(panel(page), "link", "Add to Group").click()
    editor = page.locator("#segment-editor")
    expect(editor.get_by_role("heading", name="Add Anna Smith to a client group")).to_be_focused()
    expect_htmx_done(page)
    choice = editor.get_by_label("Client group")
    # Groups that follow rules are not offered.
    expect(choice.locator("option")).to_have_text(["Choose a client group…", "Trade", "VIP"])
    choice.select_option(label="VIP")
    editor.get_by_role("button", name="Save").click()

    expect(toast(page, "Anna Smith was added to “VIP”.")).to_be_visible()
    expect(badges(page, "Anna")).to_have_count(2)
    vip = badges(page, "Anna").filter(has_text="VIP")
    expect(vip.get_by_role("link", name="VIP")).to_be_visible()
    expect(page).to_have_url(f"/customers/{anna.pk}/")
    assert list(SegmentMember.objects.values_list("customer_id", "segment__name")) == [(anna.pk, "VIP")]

    vip.get_by_role("button", name="Remove from VIP").click()
    expect(toast(page, "Anna Smith was removed from “VIP”.")).to_be_visible()
    expect(badges(page, "Anna")).to_have_count(1)
    expect(badges(page, "Anna")).to_contain_text("Adults")
    assert not SegmentMember.objects.exists()

    page.get_by_role("tab", name="History").click()
    expect(page).to_have_url(f"/customers/{anna.pk}/history/")
    lines = page.get_by_role("tabpanel", name="History").get_by_role("listitem")
    expect(lines).to_have_count(2)
    # Newest first.
    expect(lines.locator(".what")).to_have_text(
        ["Removed from client group “VIP”.", "Added to client group “VIP”."]
    )
    expect(lines.locator(".who")).to_have_text([f"by {front_desk_user.get_full_name()}"] * 2)
    assert browser_problems == []


# --- The client list ------------------------------------------------------------------------


def test_receptionist_filters_the_list_by_groups_and_adds_the_ticked_rows_to_one(
    client_groups_on, desk_page, anna, ben, cara, dan
):
    vip = make_group("VIP", anna, dan)
    make_group("Trade", ben, dan)
    make_group("Students")
    page = desk_page
    main_nav(page).get_by_role("link", name="Customers").click()
    expect(page).to_have_url("/customers/")
    expect(list_names(page)).to_have_text(["Brown, Dan", "Jones, Cara", "Smith, Anna", "Smith, Ben"])
    expect(group_filter(page).locator("option")).to_have_text(["Students", "Trade", "VIP"])
    expect(customer_row(page, dan).get_by_role("link")).to_have_text(
        ["Brown, Dan", "Trade", "VIP", "Load Customer"]
    )

    filter_by(page, "VIP")
    expect(list_names(page)).to_have_text(["Brown, Dan", "Smith, Anna"])
    expect(page).to_have_url(re.compile(rf"[?&]client_group={vip.pk}(&|$)"))

    # Several groups: customers in any of them.
    filter_by(page, "VIP", "Trade")
    expect(list_names(page)).to_have_text(["Brown, Dan", "Smith, Anna", "Smith, Ben"])
    filter_by(page, "Students")
    expect(page.get_by_role("main")).to_contain_text("No customers found.")
    filter_by(page)
    expect(list_names(page)).to_have_text(["Brown, Dan", "Jones, Cara", "Smith, Anna", "Smith, Ben"])

    count = page.locator("[data-bulk-count]")
    expect(count).to_have_text("No customers selected.")
    # Bulk Actions before ticking anyone says what to do first.
    open_bulk_action(page, "Add to Group")
    expect(bulk_editor(page).get_by_role("alert")).to_have_text(
        "Tick the customers to change, or select all that match."
    )
    expect(bulk_editor(page).get_by_label("Client group")).to_have_count(0)
    for customer in (anna, ben, cara):
        page.get_by_role("checkbox", name=f"Select {customer.full_name}", exact=True).check()
    expect(count).to_have_text("3 customers selected.")

    open_bulk_action(page, "Add to Group")
    choose_group_and_continue(page, "VIP")
    # Anna is in VIP already: two change.
    expect(bulk_editor(page).locator(".confirm-count")).to_have_text(
        re.compile(r"Add 2 customers to “VIP”\?\s+1 of the 3 chosen is in it already and stays as it is\.")
    )
    bulk_editor(page).get_by_role("button", name="Add 2 to Group").click()

    expect(toast(page, "2 customers added to “VIP”. 1 was in it already.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/customers/(\?|$)"))
    expect(bulk_editor(page)).to_be_empty()
    for customer in (anna, ben, cara, dan):
        expect(customer_row(page, customer).get_by_role("link", name="VIP", exact=True)).to_be_visible()
    assert set(SegmentMember.objects.filter(segment=vip).values_list("customer__first_name", flat=True)) == {
        "Anna",
        "Ben",
        "Cara",
        "Dan",
    }
    expect(
        history_lines(page, ben).filter(
            has_text="Added to client group “VIP” (a bulk action on 3 customers)."
        )
    ).to_have_count(1)
    # Anna was in it already: nothing is written in her History.
    assert not Activity.objects.filter(customer=anna, message__contains="bulk action on 3").exists()


def test_receptionist_removes_every_matching_customer_across_pages(client_groups_on, desk_page):
    members = [
        CustomerFactory(first_name=f"Member{n:02}", last_name="Adams", date_of_birth=date(1980, 1, 1))
        for n in range(1, 33)
    ]
    others = [CustomerFactory(first_name=f"Other{n}", last_name="Baker") for n in range(1, 4)]
    vip = make_group("VIP", *members)
    trade = make_group("Trade", members[0], others[0])
    page = desk_page
    page.goto("/customers/")
    filter_by(page, "VIP")
    expect(customer_rows(page)).to_have_count(25)
    expect(page.get_by_role("navigation", name="Pages")).to_contain_text("Page 1")

    all_matching = page.get_by_label("Select all")
    expect(all_matching).to_be_visible()
    page.get_by_role("checkbox", name="Select Member01 Adams", exact=True).check()
    # Ticking one asks how many match, so the offer can say it.
    expect(all_matching).to_have_accessible_name(re.compile(r"Select all 32 matching"))
    all_matching.check()
    expect(page.locator("[data-bulk-count]")).to_have_text("All 32 matching customers selected.")
    # The ticks on this page give way to the whole selection.
    expect(page.locator("input[data-select-row]:enabled")).to_have_count(0)
    expect(page.get_by_role("checkbox", name="Select every customer on this page")).to_be_checked()

    open_bulk_action(page, "Remove from Group")
    choose_group_and_continue(page, "VIP")
    expect(bulk_editor(page).locator(".confirm-count")).to_have_text(
        "Remove 32 customers from “VIP”? Their profiles stay."
    )
    bulk_editor(page).get_by_role("button", name="Remove 32 from Group").click()

    expect(toast(page, "32 customers removed from “VIP”.")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("No customers found.")
    expect(group_filter(page).locator("option:checked")).to_have_text(["VIP"])

    assert not SegmentMember.objects.filter(segment=vip).exists()
    # The other group, and every customer, stay.
    assert set(SegmentMember.objects.filter(segment=trade).values_list("customer_id", flat=True)) == {
        members[0].pk,
        others[0].pk,
    }
    assert Customer.objects.count() == 35
    assert (
        Activity.objects.filter(
            kind="segment.removed", message="Removed from client group “VIP” (a bulk action on 32 customers)."
        ).count()
        == 32
    )


def test_select_all_matching_asks_for_the_count_once_someone_ticks(client_groups_on, desk_page, anna):
    make_group("VIP", anna)
    counts = []
    page = desk_page
    page.on(
        "request", lambda request: counts.append(request.url) if "/customers/count/" in request.url else None
    )
    page.goto("/customers/")
    all_matching = page.get_by_label("Select all")
    expect(all_matching).to_have_accessible_name(re.compile(r"^Select all\s+matching"))
    with page.expect_response(lambda response: "/customers/count/" in response.url):
        all_matching.check()
    expect(page.locator("[data-bulk-count]")).to_have_text("All 1 matching customer selected.")
    expect(all_matching).to_have_accessible_name(re.compile(r"^Select all 1 matching"))
    all_matching.uncheck()
    expect(page.locator("[data-bulk-count]")).to_have_text("No customers selected.")
    page.get_by_role("checkbox", name="Select Anna Smith", exact=True).check()
    all_matching.check()
    expect(page.locator("[data-bulk-count]")).to_have_text("All 1 matching customer selected.")
    assert len(counts) == 1  # asked once; the list itself never counts


# --- Groups that follow rules ---------------------------------------------------------------


def test_a_rule_based_group_follows_a_changed_date_of_birth(
    client_groups_on, manager_page, anna, cara, browser_problems
):
    # Ben turns 18 today: in the group, until his date of birth is corrected.
    today = timezone.localdate()
    ben = CustomerFactory(first_name="Ben", last_name="Smith", date_of_birth=years_before(today, 18))
    page = manager_page
    page.goto("/client-groups/")
    page.get_by_role("link", name="Create Group").click()
    name_box(page).fill("Adults")
    page.get_by_label("Follow rules").check()
    page.get_by_label("Aged from").fill("18")
    page.get_by_role("button", name="Create Group").click()

    adults = Segment.objects.get(name="Adults")
    assert adults.rules == {"age_from": 18}
    expect(page).to_have_url(f"/client-groups/{adults.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Adults Rule-based")
    expect(page.locator(".alert-info").get_by_role("listitem")).to_have_text(["Aged 18 or over"])
    expect(members_of(page, "Adults")).to_have_text(["Smith, Anna", "Smith, Ben"])

    page.goto(f"/customers/{ben.pk}/")
    ben_badge = badges(page, "Ben").filter(has_text="Adults")
    expect(ben_badge).to_be_visible()
    expect(ben_badge.get_by_role("button")).to_have_count(0)

    # His 18th birthday is tomorrow, in fact.
    page.locator(".header-actions").get_by_role("link", name="Edit").click()
    expect(page).to_have_url(f"/customers/{ben.pk}/edit/")
    page.get_by_label("Date of birth").fill((ben.date_of_birth + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"/customers/{ben.pk}/")
    expect(panel(page)).to_contain_text("Ben is not in any client group.")
    expect(panel(page).get_by_role("link", name="Adults")).to_have_count(0)

    page.goto(f"/client-groups/{adults.pk}/")
    expect(members_of(page, "Adults")).to_have_text(["Smith, Anna"])
    page.goto("/client-groups/")
    expect(group_row(page, "Adults").locator("td").nth(1)).to_have_text("1")
    assert not SegmentMember.objects.exists()  # worked out when read, never stored
    assert browser_problems == []


# --- Who may do what ------------------------------------------------------------------------


def test_the_front_desk_adds_and_removes_members_but_cannot_change_the_groups(
    client_groups_on, desk_page, anna, ben, browser_problems
):
    vip = make_group("VIP", anna)
    page = desk_page
    main_nav(page).get_by_role("link", name="Client Groups").click()
    expect(page).to_have_url("/client-groups/")
    expect(group_row(page, "VIP").locator("td").nth(1)).to_have_text("1")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Create Group")).to_have_count(0)
    expect(control(main, "link", "Edit")).to_have_count(0)
    expect(control(main, "button", "Delete")).to_have_count(0)

    page.get_by_role("link", name="VIP", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("VIP")
    expect(members_of(page, "VIP")).to_have_text(["Smith, Anna"])
    expect(control(main, "link", "Edit")).to_have_count(0)
    expect(control(main, "button", "Delete")).to_have_count(0)
    with page.expect_download() as download:
        main.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename == "vip-members.csv"
    exported = list(csv.reader(Path(download.value.path()).read_text(encoding="utf-8").splitlines()))
    assert exported[0][:3] == ["Customer ID", "First name", "Last name"]
    assert [row[:3] for row in exported[1:]] == [[str(anna.pk), "Anna", "Smith"]]

    # Typing the addresses gets her the 403 page.
    urls = ["/client-groups/new/", f"/client-groups/{vip.pk}/edit/"]
    for url in urls:
        response = page.goto(url)
        assert response.status == 403, url
        expect(page.get_by_role("heading", name="You can't do that")).to_be_visible()
    drop_expected(browser_problems, *urls)

    # But she puts customers in the group and takes them out.
    page.goto(f"/customers/{ben.pk}/")
    control(panel(page), "link", "Add to Group").click()
    page.locator("#segment-editor").get_by_label("Client group").select_option(label="VIP")
    page.locator("#segment-editor").get_by_role("button", name="Save").click()
    expect(toast(page, "Ben Smith was added to “VIP”.")).to_be_visible()
    badges(page, "Ben").get_by_role("button", name="Remove from VIP").click()
    expect(toast(page, "Ben Smith was removed from “VIP”.")).to_be_visible()
    expect(panel(page)).to_contain_text("Ben is not in any client group.")

    page.goto("/customers/")
    page.locator("details.menu > summary").filter(has_text="Bulk Actions").click()
    expect(page.locator("details.menu").get_by_role("button")).to_have_text(
        ["Add to Group", "Remove from Group"]
    )
    assert list(SegmentMember.objects.values_list("customer_id", flat=True)) == [anna.pk]
    assert Segment.objects.get().name == "VIP"


def test_on_client_groups_the_nav_marks_only_client_groups_as_the_current_page(client_groups_on, desk_page):
    page = desk_page
    page.goto("/customers/")
    expect(main_nav(page).locator("[aria-current='page']")).to_have_text(["Customers"])
    main_nav(page).get_by_role("link", name="Client Groups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Client Groups")
    # The page is drawn by the server: what it says now is what it will say.
    assert main_nav(page).locator("[aria-current='page']").all_inner_texts() == ["Client Groups"]


# --- Accessibility --------------------------------------------------------------------------


@needs_axe
def test_the_client_group_pages_are_accessible(client_groups_on, manager_page, anna, ben, cara):
    vip = make_group("VIP", anna, ben)
    make_group("Adults", rules={"age_from": 18})
    page = manager_page

    page.goto("/client-groups/")
    expect(groups_table(page)).to_be_visible()
    assert_accessible(page, "Client Groups list")

    control(group_row(page, "VIP"), "button", "Delete").click()
    expect(confirm_dialog(page)).to_be_visible()
    assert_accessible(page, "Delete confirmation")
    confirm_dialog(page).get_by_role("button", name="Cancel").click()

    page.goto(f"/client-groups/{vip.pk}/")
    expect(members_of(page, "VIP")).to_have_count(2)
    assert_accessible(page, "a group's page")

    page.goto("/client-groups/new/")
    page.get_by_label("Follow rules").check()
    page.get_by_role("button", name="Create Group").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one rule for the members to follow.")
    expect(page.get_by_text("Give the client group a name.")).to_be_visible()
    assert_accessible(page, "Create Group with errors")

    page.goto("/customers/")
    page.get_by_role("checkbox", name="Select Cara Jones", exact=True).check()
    page.locator("details.menu > summary").filter(has_text="Bulk Actions").click()
    assert_accessible(page, "customer list with the Bulk Actions menu open")
    page.locator("details.menu").get_by_role("button", name="Add to Group").click()
    expect(bulk_editor(page).get_by_label("Client group")).to_be_visible()
    assert_accessible(page, "customer list with Add to Group")
    choose_group_and_continue(page, "VIP")
    assert_accessible(page, "customer list with the confirmation")

    page.goto(f"/customers/{anna.pk}/")
    expect(badges(page, "Anna")).to_have_count(2)
    assert_accessible(page, "profile with the Client Groups panel")
    control(panel(page), "link", "Add to Group").click()
    expect(page.locator("#segment-editor").get_by_label("Client group")).to_be_visible()
    assert_accessible(page, "profile with Add to Group")
