"""Merge Accounts, Undo Merge and Possible Duplicates in a real browser, as a Manager works.

Merging is for Managers (`customers.merge_customer`): each test logs in as one
(`manager_page`, tests/e2e/conftest.py) and fails on any JavaScript error, failed load or CSP
violation (`browser_problems`). Maria Lopez (no email, no phone) and Maria Lopes, her
duplicate (with both, some history, a group and a link to Cara Jones), are the pair; the
Account Relations List, where a merge is undone, needs the `account_linking` switch
(`linking_on`). Cara, Ben, the labels and the relationship types come from the conftests.
"""

import re

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Locator, Page, expect

from customers import services as customer_services
from customers.merging import merge_token
from customers.models import Activity, Customer, Merge
from groups import services as group_services
from groups.models import GroupMember, Role
from linking.models import Link
from tests.e2e.test_front_desk import live_results_for
from tests.e2e.test_groups import assert_accessible, control, group_panel, history_lines, needs_axe, toast
from tests.e2e.test_links import link, link_row, links_panel, links_table
from tests.factories import ActivityFactory, CustomerFactory

# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture
def maria():
    """The account that stays: no email and no phone, one line of history."""
    maria = CustomerFactory(first_name="Maria", last_name="Lopez", email="", phone="")
    ActivityFactory(customer=maria, message="Booked a massage.")
    return maria


@pytest.fixture
def lopes(front_desk_user, labels, types, ben, cara):
    """Maria Lopes, the duplicate: an email and a phone, history, her own group, a link."""
    lopes = CustomerFactory(
        first_name="Maria", last_name="Lopes", email="maria.lopes@example.com", phone="07700 900456"
    )
    ActivityFactory(customer=lopes, message="Phoned about parking.")
    ActivityFactory(customer=lopes, message="Paid by card.")
    group_services.create_group(
        actor=front_desk_user,
        owner_id=lopes.pk,
        owner_label_id=labels["Parent"].pk,
        name="Lopes household",
        member_id=ben.pk,
        member_role=Role.DEPENDENT,
        member_label_id=labels["Child"].pk,
    )
    link(front_desk_user, lopes, cara, types["Partner"])
    return lopes


@pytest.fixture
def merged(manager_user, maria, lopes):
    """Maria Lopes merged into Maria Lopez by the Manager, as the merge page does it."""
    return customer_services.merge_customers(
        actor=manager_user, survivor_id=maria.pk, absorbed_id=lopes.pk, token=merge_token(maria, lopes)
    )


# --- Helpers --------------------------------------------------------------------------------


def merge_url(survivor, duplicate=None):
    return f"/customers/{survivor.pk}/merge/" + (f"?duplicate={duplicate.pk}" if duplicate else "")


def search_for_duplicate(page: Page, text) -> Locator:
    """Type into "Search for the duplicate" and wait for the results for all of it."""
    with live_results_for(page, text):
        page.get_by_label("Search for the duplicate").press_sequentially(text, delay=30)
    return page.locator("#merge-candidates")


def sides(page: Page) -> Locator:
    return page.get_by_role("table", name="The two accounts")


def side_by_side(page: Page, row) -> Locator:
    """The two cells of a row of the preview's table: the one that stays, then the duplicate."""
    return (
        sides(page)
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=row, exact=True))
        .get_by_role("cell")
    )


def moves(page: Page) -> Locator:
    return page.locator(".merge-moves").get_by_role("listitem")


def merges_region(page: Page) -> Locator:
    return page.get_by_role("region", name="Merges")


def when(moment):
    """A merge's time as the Account Relations List writes it."""
    return timezone.localtime(moment).strftime("%-d %b %Y, %H:%M")


def merged_on_today():
    """The date in "… was merged into this account on <date>." (as the view formats it)."""
    return date_format(timezone.localdate(), "j M Y")


def is_merged(customer):
    return Customer.objects.get(pk=customer.pk).merged_into_id is not None


# --- Who may merge --------------------------------------------------------------------------


def test_a_receptionist_has_no_merge_accounts_and_no_possible_duplicates(desk_page, maria, browser_problems):
    page = desk_page
    page.goto(f"/customers/{maria.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Lopez")
    expect(page.get_by_role("link", name="Edit")).to_be_visible()  # the header's actions are there
    expect(page.get_by_role("link", name="Merge Accounts")).to_have_count(0)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Customers")).to_be_visible()
    expect(nav.get_by_role("link", name="Possible Duplicates")).to_have_count(0)

    # Typing the addresses gets her the 403 page.
    for url in (merge_url(maria), "/customers/duplicates/"):
        response = page.goto(url)
        assert response.status == 403, url
        expect(page.get_by_role("heading", name="You can't do that")).to_be_visible()
    browser_problems[:] = [problem for problem in browser_problems if "403" not in problem]


# --- Merge Accounts -------------------------------------------------------------------------


def test_manager_merges_a_duplicate_from_the_profile(
    manager_page, linking_on, maria, lopes, cara, manager_user, browser_problems
):
    page = manager_page
    history_lines_moving = Activity.objects.filter(customer=lopes).count()
    page.goto(f"/customers/{maria.pk}/")
    control(page.locator(".header-actions"), "link", "Merge Accounts").click()
    expect(page).to_have_url(merge_url(maria))
    expect(page.get_by_role("heading", level=1)).to_have_text("Merge Accounts")
    expect(page.get_by_role("main")).to_contain_text(f"Maria Lopez (#{maria.pk}) stays.")
    expect(page.get_by_label("Search for the duplicate")).to_be_focused()

    # Only Maria herself matches "lopez": she is not offered as her own duplicate.
    results = search_for_duplicate(page, "lopez")
    expect(results).to_have_text("No other customers match “lopez”.")
    expect(results.get_by_role("listitem")).to_have_count(0)

    page.get_by_label("Search for the duplicate").fill("")
    results = search_for_duplicate(page, "maria")
    expect(results.get_by_role("listitem")).to_have_count(1)
    result = results.get_by_role("listitem").filter(has_text="Maria Lopes")
    expect(result).to_contain_text(f"#{lopes.pk} · maria.lopes@example.com · 07700 900456")
    expect(page).to_have_url(merge_url(maria))
    control(result, "link", "Select Customer").click()

    # The preview: the two side by side, and what moves.
    expect(page).to_have_url(merge_url(maria, lopes))
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(sides(page).get_by_role("columnheader")).to_have_text(
        ["", "Stays", "Merged in, then kept as a pointer"]
    )
    expect(side_by_side(page, "Name")).to_have_text(
        [f"Maria Lopez (#{maria.pk})", f"Maria Lopes (#{lopes.pk})"]
    )
    expect(side_by_side(page, "Email")).to_have_text(["—", "maria.lopes@example.com"])
    expect(side_by_side(page, "Phone")).to_have_text(["—", "07700 900456"])
    expect(page.get_by_role("heading", name="What moves to Maria Lopez")).to_be_visible()
    # The link made a "may now act for you" email to Maria Lopes: it moves too.
    expect(moves(page)).to_have_count(5)
    for words in (
        f"History lines: {history_lines_moving}",
        "Emails: 1",
        "Emails about them: 1",
        "Group places: 1",
        "Links: 1",
    ):
        expect(moves(page).filter(has_text=words)).to_have_count(1)

    # She presses Merge Accounts, reads the question and thinks better of it.
    dialog = page.get_by_role("dialog")
    page.get_by_role("button", name="Merge Accounts").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(
        f"Merge Maria Lopes (#{lopes.pk}) into Maria Lopez (#{maria.pk})? Everything moves to Maria Lopez."
    )
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(merge_url(maria, lopes))
    assert not is_merged(lopes)
    assert not Merge.objects.exists()

    # Then she merges for real, and lands on Maria Lopez's profile.
    page.get_by_role("button", name="Merge Accounts").click()
    dialog.get_by_role("button", name="Merge Accounts").click()
    expect(page).to_have_url(f"/customers/{maria.pk}/")
    expect(toast(page, f"Maria Lopes (#{lopes.pk}) was merged into Maria Lopez.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Lopez")
    # What moved is hers now: the details she lacked, the group, the link.
    summary = page.get_by_role("tabpanel", name="Summary")
    expect(summary).to_contain_text("maria.lopes@example.com")
    expect(summary).to_contain_text("07700 900456")
    expect(group_panel(page)).to_contain_text("Maria is Owner · Parent")
    expect(group_panel(page).get_by_role("heading", name="Lopes household")).to_be_visible()
    expect(link_row(links_table(links_panel(page), maria), "Cara Jones")).to_contain_text(
        "Maria is their Partner"
    )
    record = Merge.objects.get()
    assert (record.survivor_id, record.absorbed_id, record.actor_id) == (maria.pk, lopes.pk, manager_user.pk)
    assert Customer.objects.get(pk=lopes.pk).merged_into_id == maria.pk

    # The duplicate's old addresses lead to Maria Lopez, and say why.
    told = f"Maria Lopes (#{lopes.pk}) was merged into this account on {merged_on_today()}."
    page.goto(f"/customers/{lopes.pk}/")
    expect(page).to_have_url(f"/customers/{maria.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Lopez")
    expect(toast(page, told)).to_be_visible()
    page.goto(f"/desk/{lopes.pk}/")
    expect(page).to_have_url(f"/desk/{maria.pk}/")
    expect(
        page.get_by_role("region", name="Loaded customer").get_by_role("heading", name="Maria Lopez")
    ).to_be_visible()
    expect(toast(page, told)).to_be_visible()

    # The front desk's search no longer finds the duplicate: "lopes" finds Maria Lopez alone,
    # by the email she took over.
    page.goto("/")
    with live_results_for(page, "lopes"):
        page.get_by_label("Search customers").press_sequentially("lopes", delay=30)
    found = page.locator("#search-results").get_by_role("listitem")
    expect(found).to_have_count(1)
    expect(found.get_by_role("strong")).to_have_text("Maria Lopez")
    expect(found).to_contain_text(f"#{maria.pk} · maria.lopes@example.com")
    expect(page.locator("#search-results")).not_to_contain_text("Maria Lopes")

    # Her History tells of the merge, and has the duplicate's lines.
    lines = history_lines(page, maria)
    merge_line = lines.filter(has_text=f"Merged Maria Lopes (#{lopes.pk}) into this account; moved here:")
    expect(merge_line).to_have_count(1)
    for words in (
        f"history lines: {history_lines_moving}",
        "group places: 1",
        "links: 1",
        "details filled in: email, phone.",
    ):
        expect(merge_line).to_contain_text(words)
    expect(merge_line).to_contain_text(f"by {manager_user.get_full_name()}")
    for moved in ("Phoned about parking.", "Paid by card.", "Created the group “Lopes household”"):
        expect(lines.filter(has_text=moved)).to_have_count(1)
    expect(lines.filter(has_text="Booked a massage.")).to_have_count(1)
    assert browser_problems == []


def test_the_preview_says_which_details_are_filled_in_from_the_duplicate(manager_page, maria, lopes):
    page = manager_page
    page.goto(merge_url(maria, lopes))
    expect(page.get_by_role("heading", name="What moves to Maria Lopez")).to_be_visible()
    # Maria Lopez has no email and no phone: the merge fills them in, and the preview says so.
    expect(
        page.get_by_text(
            f"Filled in on Maria Lopez (#{maria.pk}) from the duplicate, where it has none: email, phone."
        )
    ).to_be_visible()

    # The other way round Maria Lopes lacks nothing, so no such line.
    page.goto(merge_url(lopes, maria))
    expect(page.get_by_role("heading", name="What moves to Maria Lopes")).to_be_visible()
    expect(page.get_by_text("from the duplicate, where it has none")).to_have_count(0)


def test_owners_of_two_groups_cannot_be_merged_until_one_leaves(
    manager_page, linking_on, maria, lopes, labels, front_desk_user
):
    group_services.create_group(
        actor=front_desk_user, owner_id=maria.pk, owner_label_id=labels["Parent"].pk, name="Lopez family"
    )
    page = manager_page
    page.goto(merge_url(maria, lopes))
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(side_by_side(page, "Name")).to_have_text(
        [f"Maria Lopez (#{maria.pk})", f"Maria Lopes (#{lopes.pk})"]
    )
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("These accounts cannot be merged yet:")
    expect(alert.get_by_role("listitem")).to_have_text(
        [
            "Maria Lopez is in Lopez family and Maria Lopes is in Lopes household: "
            "remove one of them from their group first."
        ]
    )
    expect(page.get_by_role("button", name="Merge Accounts")).to_have_count(0)
    expect(page.get_by_role("heading", name="What moves to Maria Lopez")).to_have_count(0)

    # She does as it says: Maria Lopez, alone in her group, leaves it.
    page.goto(f"/customers/{maria.pk}/")
    table = group_panel(page).get_by_role("table", name="Members of Lopez family")
    control(table.get_by_role("row").filter(has_text="Maria Lopez"), "button", "Remove").click()
    page.get_by_role("dialog").get_by_role("button", name="Remove").click()
    expect(toast(page, "Maria Lopez left “Lopez family”; the group is gone.")).to_be_visible()

    page.goto(merge_url(maria, lopes))
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(moves(page).filter(has_text="Group places: 1")).to_have_count(1)
    page.get_by_role("button", name="Merge Accounts").click()
    page.get_by_role("dialog").get_by_role("button", name="Merge Accounts").click()
    expect(toast(page, f"Maria Lopes (#{lopes.pk}) was merged into Maria Lopez.")).to_be_visible()
    expect(group_panel(page)).to_contain_text("Maria is Owner · Parent")
    assert is_merged(lopes)


def test_keep_the_duplicate_instead_swaps_which_one_stays(manager_page, maria, lopes):
    page = manager_page
    page.goto(merge_url(maria, lopes))
    expect(page.get_by_role("heading", name="What moves to Maria Lopez")).to_be_visible()

    control(page.get_by_role("main"), "link", "Keep Maria Lopes instead").click()
    expect(page).to_have_url(merge_url(lopes, maria))
    expect(page.get_by_role("main")).to_contain_text(f"Maria Lopes (#{lopes.pk}) stays.")
    expect(side_by_side(page, "Name")).to_have_text(
        [f"Maria Lopes (#{lopes.pk})", f"Maria Lopez (#{maria.pk})"]
    )
    expect(page.get_by_role("heading", name="What moves to Maria Lopes")).to_be_visible()
    expect(moves(page)).to_have_text(["History lines: 1"])
    expect(control(page.get_by_role("main"), "link", "Keep Maria Lopez instead")).to_be_visible()

    page.get_by_role("button", name="Merge Accounts").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(
        f"Merge Maria Lopez (#{maria.pk}) into Maria Lopes (#{lopes.pk})? Everything moves to Maria Lopes."
    )
    dialog.get_by_role("button", name="Merge Accounts").click()
    expect(page).to_have_url(f"/customers/{lopes.pk}/")
    expect(toast(page, f"Maria Lopez (#{maria.pk}) was merged into Maria Lopes.")).to_be_visible()
    assert Customer.objects.get(pk=maria.pk).merged_into_id == lopes.pk
    assert not is_merged(lopes)

    page.goto(f"/customers/{maria.pk}/")
    expect(page).to_have_url(f"/customers/{lopes.pk}/")
    expect(toast(page, f"Maria Lopez (#{maria.pk}) was merged into this account on")).to_be_visible()


# --- Undo Merge -----------------------------------------------------------------------------


def test_manager_undoes_a_merge_from_the_account_relations_list(
    manager_page, linking_on, merged, maria, lopes, ben, cara, manager_user, browser_problems
):
    page = manager_page
    page.goto(f"/customers/{maria.pk}/")
    page.get_by_role("tab", name="Linked Accounts").click()
    expect(page).to_have_url(f"/customers/{maria.pk}/linked-accounts/")
    page.get_by_role("link", name="Account Relations List").click()
    expect(page).to_have_url(f"/customers/{maria.pk}/relations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Account Relations List")

    # The merge, with who did it, when, and what moved.
    history_moved = dict(merged.moved)["history lines"]
    region = merges_region(page)
    expect(region).to_contain_text(
        f"Maria Lopes (#{lopes.pk}) was merged into this account on {when(merged.created_at)} "
        f"by {manager_user.get_full_name()}."
    )
    expect(region).to_contain_text(
        f"Moved: history lines: {history_moved}; emails: 1; emails about them: 1; group places: 1; links: 1; "
        "details filled in: email, phone"
    )

    # Undo Merge asks first; she cancels, and nothing changes.
    dialog = page.get_by_role("dialog")
    control(region, "button", "Undo Merge").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(
        f"Undo the merge of Maria Lopes (#{lopes.pk}) into Maria Lopez (#{maria.pk})? "
        f"The account #{lopes.pk} comes back with everything that moved."
    )
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(f"/customers/{maria.pk}/relations/")
    assert is_merged(lopes)

    # Then she undoes it: Maria Lopes is back, with her group place and her link.
    control(region, "button", "Undo Merge").click()
    dialog.get_by_role("button", name="Undo Merge").click()
    expect(page).to_have_url(f"/customers/{lopes.pk}/")
    expect(toast(page, f"Maria Lopes (#{lopes.pk}) is a separate account again.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Lopes")
    expect(control(page.locator(".header-actions"), "link", "Merge Accounts")).to_be_visible()
    expect(group_panel(page)).to_contain_text("Maria is Owner · Parent")
    expect(
        group_panel(page).get_by_role("table", name="Members of Lopes household").locator("tbody tr")
    ).to_have_count(2)
    expect(link_row(links_table(links_panel(page), lopes), "Cara Jones")).to_contain_text(
        "Maria is their Partner"
    )
    assert not is_merged(lopes)
    assert GroupMember.objects.get(customer=ben).group.members.get(role=Role.OWNER).customer_id == lopes.pk
    assert Link.objects.filter(agent=lopes, principal=cara).exists()
    expect(history_lines(page, lopes).first).to_contain_text(
        f"Merge into Maria Lopez (#{maria.pk}) undone; this account is live again."
    )

    # Maria Lopez is as she was: no group, no link, no email; her list says the merge was undone.
    page.goto(f"/customers/{maria.pk}/")
    expect(group_panel(page)).to_contain_text("Maria is not in a group.")
    expect(links_panel(page)).to_contain_text("Maria has no linked clients.")
    expect(page.get_by_role("tabpanel", name="Summary")).not_to_contain_text("maria.lopes@example.com")
    page.goto(f"/customers/{maria.pk}/relations/")
    merged.refresh_from_db()
    expect(region).to_contain_text(f"Undone on {when(merged.undone_at)} by {manager_user.get_full_name()}.")
    expect(control(region, "button", "Undo Merge")).to_have_count(0)
    assert browser_problems == []


# --- Possible Duplicates --------------------------------------------------------------------


@pytest.fixture
def lookalikes():
    """Pairs that look like one person, and a family member who must not be listed."""
    plain = {"email": "", "phone": "", "date_of_birth": None}
    return {
        "anna": CustomerFactory(
            first_name="Anna",
            last_name="Smith",
            email="smiths@example.com",
            phone="0100 000001",
            date_of_birth=None,
        ),
        "anna_again": CustomerFactory(first_name="Anna", last_name="Smith", **plain),
        "tom": CustomerFactory(
            first_name="Tom", last_name="Reed", email="tom@example.com", phone="", date_of_birth=None
        ),
        "tom_again": CustomerFactory(
            first_name="Tom", last_name="Reid", email="TOM@example.com", phone="", date_of_birth=None
        ),
        "kim": CustomerFactory(
            first_name="Kim", last_name="Park", email="", phone="0100 000009", date_of_birth=None
        ),
        "kim_again": CustomerFactory(
            first_name="Kim", last_name="Parks", email="", phone="0100-000-009", date_of_birth=None
        ),
        # Anna's son: the same email and phone, another first name.
        "ben": CustomerFactory(
            first_name="Ben",
            last_name="Smith",
            email="smiths@example.com",
            phone="0100 000001",
            date_of_birth=None,
        ),
    }


def test_possible_duplicates_lists_lookalikes_and_compare_and_merge_opens_the_preview(
    manager_page, lookalikes, browser_problems
):
    people = lookalikes
    page = manager_page
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Possible Duplicates").click()
    expect(page).to_have_url("/customers/duplicates/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible Duplicates")
    expect(nav.get_by_role("link", name="Possible Duplicates")).to_have_attribute("aria-current", "page")

    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows.locator("td:first-child a")).to_have_text(
        ["Kim Park", "Kim Parks", "Tom Reed", "Tom Reid", "Anna Smith", "Anna Smith"]
    )
    expect(page.get_by_role("table")).not_to_contain_text("Ben Smith")

    def looks_like(customer):
        """The row of `customer` (in its first cell), not of those who look like them."""
        return rows.filter(has=page.locator("td:first-child", has_text=re.compile(rf"#{customer.pk}(?!\d)")))

    expect(looks_like(people["anna"]).locator(".duplicates li")).to_have_text(
        [re.compile(rf"^#{people['anna_again'].pk} Anna Smith \(same name\)\s*Compare and merge$")]
    )
    expect(looks_like(people["tom"]).locator(".duplicates li")).to_have_text(
        [
            re.compile(
                rf"^#{people['tom_again'].pk} Tom Reid \(same first name and email\)\s*Compare and merge$"
            )
        ]
    )
    expect(looks_like(people["kim"]).locator(".duplicates li")).to_have_text(
        [
            re.compile(
                rf"^#{people['kim_again'].pk} Kim Parks \(same first name and phone\)\s*Compare and merge$"
            )
        ]
    )

    # Compare and merge opens the preview, the row's customer staying.
    control(looks_like(people["tom"]), "link", "Compare and merge").click()
    expect(page).to_have_url(merge_url(people["tom"], people["tom_again"]))
    expect(page.get_by_role("heading", name="Preview")).to_be_visible()
    expect(side_by_side(page, "Name")).to_have_text(
        [f"Tom Reed (#{people['tom'].pk})", f"Tom Reid (#{people['tom_again'].pk})"]
    )
    expect(page.get_by_role("heading", name="What moves to Tom Reed")).to_be_visible()
    expect(page.get_by_role("button", name="Merge Accounts")).to_be_visible()

    # Once merged, the pair is gone from the list.
    page.get_by_role("button", name="Merge Accounts").click()
    page.get_by_role("dialog").get_by_role("button", name="Merge Accounts").click()
    expect(toast(page, f"Tom Reid (#{people['tom_again'].pk}) was merged into Tom Reed.")).to_be_visible()
    nav.get_by_role("link", name="Possible Duplicates").click()
    expect(rows.locator("td:first-child a")).to_have_text(
        ["Kim Park", "Kim Parks", "Anna Smith", "Anna Smith"]
    )
    assert browser_problems == []


# --- Accessibility --------------------------------------------------------------------------


@needs_axe
def test_the_merge_search_preview_and_confirmation_are_accessible(manager_page, maria, lopes):
    page = manager_page
    page.goto(merge_url(maria))
    results = search_for_duplicate(page, "maria")
    expect(control(results, "link", "Select Customer")).to_have_count(1)
    assert_accessible(page, "Merge Accounts with search results")

    control(results, "link", "Select Customer").click()
    expect(page.get_by_role("heading", name="What moves to Maria Lopez")).to_be_visible()
    assert_accessible(page, "Merge preview")

    page.get_by_role("button", name="Merge Accounts").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert_accessible(page, "Merge confirmation")


@needs_axe
def test_a_preview_with_a_blocker_is_accessible(manager_page, maria, lopes, labels, front_desk_user):
    group_services.create_group(
        actor=front_desk_user, owner_id=maria.pk, owner_label_id=labels["Parent"].pk, name="Lopez family"
    )
    page = manager_page
    page.goto(merge_url(maria, lopes))
    expect(page.get_by_role("alert")).to_contain_text("These accounts cannot be merged yet:")
    assert_accessible(page, "Merge preview with a blocker")


@needs_axe
def test_possible_duplicates_is_accessible(manager_page, lookalikes):
    page = manager_page
    page.goto("/customers/duplicates/")
    expect(page.get_by_role("link", name=re.compile("^Compare and merge"))).to_have_count(6)
    assert_accessible(page, "Possible Duplicates")


@needs_axe
def test_the_account_relations_list_with_a_merge_to_undo_is_accessible(
    manager_page, linking_on, merged, maria
):
    page = manager_page
    page.goto(f"/customers/{maria.pk}/relations/")
    control(merges_region(page), "button", "Undo Merge").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert_accessible(page, "Account Relations List with Undo Merge asking")
