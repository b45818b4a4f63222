"""Billing in a real browser: house accounts and store credit on the ledger, and partners
who share one account, the way the front desk and a Manager work with them.

A receptionist (`desk_page`) posts charges, payments and store credit from a customer's
Billing tab and links and unlinks partners from the Summary's Partner Account panel; a
Manager (`manager_page`) also reverses entries, adjusts balances and sets credit limits.
Each test logs in and fails on any JavaScript error, failed load or
CSP violation (`browser_problems`). The feature is behind the waffle switch `billing`, off
after every flush: `billing_on` switches it on in the database, where the live server reads
it. Anna and Ben Smith, and Cara Jones (whom a search for "smith" must not find), come
from conftest.py.
"""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Locator, Page, expect
from waffle.models import Switch

from billing import services
from billing.features import BILLING
from billing.models import Account, AccountHolder, Entry, Kind
from billing.queries import balances_of
from tests.e2e.test_front_desk import (
    duplicate_ids,
    expect_htmx_done,
    expect_same_document,
    live_results_for,
    mark_this_document,
)
from tests.e2e.test_groups import assert_accessible, control, needs_axe, toast

# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture
def billing_on():
    """Billing switched on, as a superuser would. (The tests without a browser use waffle's
    override_switch; here the live server reads the row and the shared cache.) Asked for
    before the logged-in page, whose first page is drawn at login."""
    Switch.objects.filter(name=BILLING).update(active=True)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def partners(front_desk_user, anna, ben):
    """Anna and Ben share Anna's account (Anna is the Primary Account): £40.00 owed, £6.00 of
    store credit, of which Ben's £15.00 charge and £6.00 of credit were his own before."""
    post(front_desk_user, anna, Kind.CHARGE, 2500, memo="Spa day")
    post(front_desk_user, ben, Kind.CHARGE, 1500, memo="Lunch")
    post(front_desk_user, ben, Kind.CREDIT_ISSUED, 600, memo="Voucher")
    services.link_partner(
        actor=front_desk_user,
        customer_id=anna.pk,
        partner_id=ben.pk,
        primary_id=anna.pk,
        token=services.holders_token(anna.pk, ben.pk),
    )
    return anna, ben


# --- Helpers --------------------------------------------------------------------------------


def post(actor, customer, kind, amount, memo=""):
    """Post to the customer's account as the front desk would, without the browser."""
    return services.post(actor=actor, customer_id=customer.pk, kind=kind, amount=amount, memo=memo)


def billing_url(customer):
    return f"/customers/{customer.pk}/billing/"


def open_billing(page: Page, customer):
    """The customer's profile, then the Billing tab (swapped in by htmx)."""
    page.goto(f"/customers/{customer.pk}/")
    page.get_by_role("tab", name="Billing").click()
    expect(page).to_have_url(billing_url(customer))
    expect(billing(page)).to_be_visible()
    expect_htmx_done(page)


def billing(page: Page) -> Locator:
    return page.get_by_role("tabpanel", name="Billing")


def house(page: Page) -> Locator:
    return page.locator("[data-balance='house']")


def credit(page: Page) -> Locator:
    return page.locator("[data-balance='credit']")


def expect_balances(page: Page, owed, store_credit):
    expect(house(page)).to_have_text(owed)
    expect(credit(page)).to_have_text(store_credit)


def ledger(page: Page) -> Locator:
    return page.get_by_role("table", name="Ledger, newest first")


def ledger_rows(page: Page) -> Locator:
    return ledger(page).locator("tbody tr")


def entry_row(page: Page, entry) -> Locator:
    return page.locator(f"#entry-{entry.pk}")


def column(rows: Locator, number) -> Locator:
    """One column of the ledger, by its place: 1 When, 2 Entry, 3 For, 4 Owed, 5 Credit,
    6 Owed after, 7 Credit after, 8 By."""
    return rows.locator(f"td:nth-child({number})")


def chart(page: Page) -> Locator:
    return page.get_by_role("img", name="Balance history")


def post_form(page: Page) -> Locator:
    return page.get_by_role("form", name="Post to the account")


def post_to_account(page: Page, what, amount, memo=""):
    """Fill in "Post to the account" and press Post; the tabs reload in place, or the form
    comes back with what was wrong."""
    form = post_form(page)
    form.get_by_label("What").select_option(label=what)
    form.get_by_label("Amount").fill(amount)
    form.get_by_label("Memo").fill(memo)
    with page.expect_response(lambda response: response.url.endswith("/billing/post/")):
        form.get_by_role("button", name="Post").click()
    expect_htmx_done(page)


def partner_panel(page: Page) -> Locator:
    """The Summary tab's Partner Account panel."""
    return page.get_by_role("region", name="Partner Account")


def partner_editor(page: Page) -> Locator:
    return page.locator("#partner-editor")


def detail(scope: Locator, term) -> Locator:
    """The value next to `term` in a list of details (Partner Name, Primary Account)."""
    return scope.locator("dl > div").filter(has=scope.page.locator("dt", has_text=term)).locator("dd")


def open_partner_editor(page: Page, action, heading):
    control(partner_panel(page), "link", action).click()
    expect(partner_editor(page).get_by_role("heading", name=heading)).to_be_visible()
    expect_htmx_done(page)


def search_partner(page: Page, text) -> Locator:
    """Type into "Find the partner" and wait for the results for all of it."""
    with live_results_for(page, text):
        partner_editor(page).get_by_label("Find the partner").press_sequentially(text, delay=30)
    return page.locator("#candidate-results")


def choose_primary_and_continue(page: Page, name):
    choice = partner_editor(page).get_by_role("group", name="Which is the Primary Account?")
    choice.get_by_label(name, exact=True).check()
    partner_editor(page).get_by_role("button", name="Continue").click()
    expect(partner_editor(page).get_by_role("button", name="Confirm")).to_be_visible()
    expect_htmx_done(page)


def link_from_summary(page: Page, customer, partner_search, partner_name, primary_name):
    """Link Partner Account from `customer`'s Summary, up to the confirmation."""
    page.goto(f"/customers/{customer.pk}/")
    open_partner_editor(page, "Link Partner Account", "Link Partner Account")
    results = search_partner(page, partner_search)
    result = results.get_by_role("listitem").filter(has_text=partner_name)
    control(result, "button", "Select Customer").click()
    expect(partner_editor(page).locator(".selected-customer")).to_contain_text(partner_name)
    expect_htmx_done(page)
    choose_primary_and_continue(page, primary_name)


def holders(customer):
    """(account id, is primary) of the customer's place on an account, or None."""
    holder = AccountHolder.objects.filter(customer=customer).first()
    return (holder.account_id, holder.is_primary) if holder else None


def balances(customer):
    """(owed, store credit) on the customer's account, in pence, read from the database."""
    held = balances_of(customer.pk)
    return held.house, held.credit


def entry_kinds(customer):
    holder = AccountHolder.objects.filter(customer=customer).first()
    if holder is None:
        return []
    return list(
        Entry.objects.filter(account_id=holder.account_id).order_by("pk").values_list("kind", flat=True)
    )


# --- Posting to the account -----------------------------------------------------------------


def test_receptionist_posts_each_kind_and_the_tab_updates_in_place(
    billing_on, desk_page, anna, front_desk_user, browser_problems
):
    page = desk_page
    open_billing(page, anna)
    mark_this_document(page)
    expect_balances(page, "£0.00", "£0.00")
    expect(billing(page)).to_contain_text("Nothing has been posted to this account yet.")
    expect(ledger(page)).to_have_count(0)
    expect(chart(page)).to_have_count(0)
    expect(post_form(page).get_by_label("What").locator("option")).to_have_text(
        ["Post a charge", "Take a payment", "Issue store credit", "Redeem store credit"]
    )

    post_to_account(page, "Post a charge", "45.50", "Facial")
    expect(toast(page, "Charged £45.50 to Anna Smith's house account.")).to_be_visible()
    expect_balances(page, "£45.50", "£0.00")
    expect(ledger_rows(page)).to_have_count(1)
    row = ledger_rows(page).first
    expect(column(row, 2)).to_have_text(re.compile(r"^\s*Charge\s+— Facial\s*$"))
    expect(column(row, 3)).to_have_text("Anna Smith")
    expect(column(row, 4)).to_have_text("+£45.50")
    expect(column(row, 6)).to_have_text("£45.50")
    expect(column(row, 8)).to_have_text(front_desk_user.get_full_name())
    # One entry draws no line: the chart waits for a second.
    expect(chart(page)).to_have_count(0)
    # The form is fresh for the next posting.
    expect(post_form(page).get_by_label("Amount")).to_have_value("")

    post_to_account(page, "Take a payment", "20", "Card")
    expect(toast(page, "Took a payment of £20.00 from Anna Smith.")).to_be_visible()
    expect_balances(page, "£25.50", "£0.00")
    expect(ledger_rows(page)).to_have_count(2)
    expect(column(ledger_rows(page).first, 4)).to_have_text("−£20.00")
    expect(chart(page)).to_be_visible()
    expect(page.locator(".balance-chart figcaption")).to_contain_text("Owed on house account: £25.50")

    post_to_account(page, "Issue store credit", "£1,000")
    expect(toast(page, "Issued £1,000.00 of store credit to Anna Smith.")).to_be_visible()
    expect_balances(page, "£25.50", "£1,000.00")
    expect(ledger_rows(page)).to_have_count(3)
    expect(column(ledger_rows(page).first, 5)).to_have_text("+£1,000.00")

    post_to_account(page, "Redeem store credit", "12.25", "Shampoo")
    expect(toast(page, "Redeemed £12.25 of Anna Smith's store credit.")).to_be_visible()
    expect_balances(page, "£25.50", "£987.75")
    # Newest first.
    expect(column(ledger_rows(page), 2)).to_have_text(
        [
            re.compile(r"^\s*Credit redeemed\s+— Shampoo\s*$"),
            re.compile(r"^\s*Credit issued\s*$"),
            re.compile(r"^\s*Payment\s+— Card\s*$"),
            re.compile(r"^\s*Charge\s+— Facial\s*$"),
        ]
    )
    expect(column(ledger_rows(page), 6)).to_have_text(["£25.50", "£25.50", "£25.50", "£45.50"])
    expect(column(ledger_rows(page), 7)).to_have_text(["£987.75", "£1,000.00", "£0.00", "£0.00"])
    expect(page.locator(".balance-chart figcaption")).to_contain_text("Store credit: £987.75")
    expect(page.locator(".balance-chart figcaption")).to_contain_text("Last 4 entries")

    # All of it in the page she started on; and she stays on the Billing tab.
    expect_same_document(page)
    expect(page).to_have_url(billing_url(anna))
    expect(page.get_by_role("tab", name="Billing")).to_have_attribute("aria-selected", "true")
    assert balances(anna) == (2550, 98775)
    assert list(Entry.objects.order_by("pk").values_list("kind", "amount", "posted_by")) == [
        (Kind.CHARGE, 4550, front_desk_user.pk),
        (Kind.PAYMENT, 2000, front_desk_user.pk),
        (Kind.CREDIT_ISSUED, 100000, front_desk_user.pk),
        (Kind.CREDIT_REDEEMED, 1225, front_desk_user.pk),
    ]
    assert browser_problems == []


def test_the_front_desk_page_posts_to_the_loaded_customer_in_place(billing_on, desk_page, anna):
    page = desk_page
    page.goto(f"/desk/{anna.pk}/")
    loaded = page.get_by_role("region", name="Loaded customer")
    loaded.get_by_role("tab", name="Billing").click()
    expect(page).to_have_url(f"/desk/{anna.pk}/billing/")
    expect(billing(page)).to_be_visible()
    expect_htmx_done(page)
    mark_this_document(page)

    post_to_account(page, "Post a charge", "9.99")
    expect(toast(page, "Charged £9.99 to Anna Smith's house account.")).to_be_visible()
    expect_balances(page, "£9.99", "£0.00")
    expect(ledger_rows(page)).to_have_count(1)
    expect_same_document(page)
    expect(page).to_have_url(f"/desk/{anna.pk}/billing/")
    expect(loaded.get_by_role("heading", name="Anna Smith")).to_be_visible()
    assert balances(anna) == (999, 0)


def test_an_amount_that_is_not_money_or_is_zero_is_refused_under_the_field(billing_on, desk_page, anna):
    page = desk_page
    open_billing(page, anna)
    mark_this_document(page)
    form = post_form(page)

    post_to_account(page, "Post a charge", "abc", "Facial")
    expect(form.locator(".field.has-error")).to_have_count(1)
    amount = form.get_by_label("Amount")
    expect(amount).to_have_accessible_description("Enter an amount such as 12.50.")
    expect(form.locator(".field.has-error .error")).to_have_text(["Enter an amount such as 12.50."])
    # What she typed stays, to correct.
    expect(amount).to_have_value("abc")
    expect(form.get_by_label("What")).to_have_value(Kind.CHARGE)
    expect(form.get_by_label("Memo")).to_have_value("Facial")

    post_to_account(page, "Post a charge", "0")
    expect(form.locator(".field.has-error .error")).to_have_text(["Enter an amount above zero."])
    post_to_account(page, "Take a payment", "1.005")
    expect(form.locator(".field.has-error .error")).to_have_text(
        ["Enter an amount to the penny, with at most two decimal places."]
    )
    post_to_account(page, "Issue store credit", "1000000.01")
    expect(form.locator(".field.has-error .error")).to_have_text(
        ["Enter an amount of at most £1,000,000.00."]
    )

    expect_balances(page, "£0.00", "£0.00")
    expect(billing(page)).to_contain_text("Nothing has been posted to this account yet.")
    expect(page.get_by_role("status").locator(".toast")).to_have_count(0)
    expect_same_document(page)
    assert not Entry.objects.exists()
    assert not Account.objects.exists()


def test_redeeming_more_credit_than_there_is_says_how_much_there_is(
    billing_on, desk_page, anna, front_desk_user
):
    post(front_desk_user, anna, Kind.CREDIT_ISSUED, 500)
    page = desk_page
    open_billing(page, anna)
    expect_balances(page, "£0.00", "£5.00")
    mark_this_document(page)

    # A payment when nothing is owed is refused the same way: above the form, nothing posted.
    post_to_account(page, "Take a payment", "10")
    expect(post_form(page).get_by_role("alert")).to_have_text(
        "That would take the house account below nothing: £0.00 is owed."
    )
    expect(post_form(page).locator(".field.has-error")).to_have_count(0)

    post_to_account(page, "Redeem store credit", "7.50", "Too much")
    alert = post_form(page).get_by_role("alert")
    expect(alert).to_have_text("There is only £5.00 of store credit; £7.50 cannot be redeemed.")
    expect(post_form(page).get_by_label("Amount")).to_have_value("7.50")
    expect_balances(page, "£0.00", "£5.00")
    expect(ledger_rows(page)).to_have_count(1)
    expect(page.get_by_role("status").locator(".toast")).to_have_count(0)

    # She redeems what there is, from the same form.
    post_form(page).get_by_label("Amount").fill("5")
    post_form(page).get_by_role("button", name="Post").click()
    expect(toast(page, "Redeemed £5.00 of Anna Smith's store credit.")).to_be_visible()
    expect_balances(page, "£0.00", "£0.00")
    expect(ledger_rows(page)).to_have_count(2)
    expect(post_form(page).get_by_role("alert")).to_have_count(0)
    expect_same_document(page)
    assert balances(anna) == (0, 0)
    assert list(Entry.objects.order_by("pk").values_list("kind", "amount")) == [
        (Kind.CREDIT_ISSUED, 500),
        (Kind.CREDIT_REDEEMED, 500),
    ]


# --- Reversing, and who may ---------------------------------------------------------------


def test_manager_reverses_an_entry_after_confirming(
    billing_on, manager_page, anna, front_desk_user, manager_user, browser_problems
):
    charge = post(front_desk_user, anna, Kind.CHARGE, 3000, memo="Massage")
    issued = post(front_desk_user, anna, Kind.CREDIT_ISSUED, 500)
    page = manager_page
    open_billing(page, anna)
    mark_this_document(page)
    expect_balances(page, "£30.00", "£5.00")
    expect(billing(page).get_by_role("form", name=re.compile(r"^Adjust a balance"))).to_be_visible()
    expect(billing(page).get_by_role("form", name=re.compile(r"^Credit limit"))).to_be_visible()

    reverse = control(entry_row(page, charge), "button", "Reverse")
    expect(reverse).to_have_accessible_name(f"Reverse entry #{charge.pk}")
    dialog = page.get_by_role("dialog")

    # She presses Reverse, reads the question, and cancels: nothing changes.
    reverse.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(
        re.compile(
            r"Reverse the charge of £30\.00 from \d{1,2} \w{3} \d{4}\? "
            r"A new entry undoes it; this one stays in the ledger\."
        )
    )
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(ledger_rows(page)).to_have_count(2)
    assert Entry.objects.count() == 2

    reverse.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Reverse").click()
    expect(toast(page, "The charge of £30.00 was reversed.")).to_be_visible()
    expect_balances(page, "£0.00", "£5.00")
    expect(ledger_rows(page)).to_have_count(3)
    reversal_row = ledger_rows(page).first
    expect(column(reversal_row, 2)).to_have_text(re.compile(rf"^\s*Reversal of entry #{charge.pk}\s*$"))
    expect(column(reversal_row, 4)).to_have_text("−£30.00")
    expect(column(reversal_row, 6)).to_have_text("£0.00")
    expect(column(reversal_row, 8)).to_have_text(manager_user.get_full_name())
    expect(reversal_row.get_by_role("link", name=f"entry #{charge.pk}")).to_have_attribute(
        "href", f"#entry-{charge.pk}"
    )
    original = entry_row(page, charge)
    expect(original.locator(".badge")).to_have_text("Reversed")
    # Neither the original nor the reversal can be reversed again; the other entry still can.
    expect(control(original, "button", "Reverse")).to_have_count(0)
    expect(control(reversal_row, "button", "Reverse")).to_have_count(0)
    expect(control(entry_row(page, issued), "button", "Reverse")).to_be_visible()
    expect_same_document(page)

    reversal = Entry.objects.get(kind=Kind.REVERSAL)
    assert (reversal.reverses_id, reversal.amount, reversal.house_change, reversal.posted_by_id) == (
        charge.pk,
        3000,
        -3000,
        manager_user.pk,
    )
    assert balances(anna) == (0, 500)
    assert browser_problems == []


def test_manager_adjusts_a_balance_and_sets_a_credit_limit_that_then_refuses_a_charge(
    billing_on, manager_page, anna, front_desk_user, manager_user
):
    post(front_desk_user, anna, Kind.CHARGE, 3000)
    page = manager_page
    open_billing(page, anna)
    mark_this_document(page)
    adjust = billing(page).get_by_role("form", name=re.compile(r"^Adjust a balance"))
    limit = billing(page).get_by_role("form", name=re.compile(r"^Credit limit"))
    expect(limit.get_by_label("Credit limit")).to_have_value("")

    # An adjustment must say why.
    adjust.get_by_label("Balance").select_option(label="Owed on house account")
    adjust.get_by_label("Direction").select_option(label="Down")
    adjust.get_by_label("Amount").fill("5")
    adjust.get_by_role("button", name="Adjust").click()
    expect(adjust.locator(".field.has-error .error")).to_have_text(["Say why the balance is adjusted."])
    expect_htmx_done(page)
    adjust.get_by_label("Reason").fill("Goodwill")
    adjust.get_by_role("button", name="Adjust").click()
    expect(toast(page, "The adjustment was posted.")).to_be_visible()
    expect_balances(page, "£25.00", "£0.00")
    expect(column(ledger_rows(page).first, 2)).to_have_text(re.compile(r"^\s*Adjustment\s+— Goodwill\s*$"))
    expect(column(ledger_rows(page).first, 4)).to_have_text("−£5.00")

    # A limit below what is owed is refused; at £30.00 it holds the next charge back.
    expect_htmx_done(page)
    limit.get_by_label("Credit limit").fill("20")
    limit.get_by_role("button", name="Save Limit").click()
    expect(limit.get_by_role("alert")).to_have_text("£25.00 is owed already; the limit cannot be lower.")
    expect_htmx_done(page)
    limit.get_by_label("Credit limit").fill("30")
    limit.get_by_role("button", name="Save Limit").click()
    expect(toast(page, "The credit limit is now £30.00.")).to_be_visible()
    expect(billing(page)).to_contain_text("owed on account · credit limit £30.00")

    post_to_account(page, "Post a charge", "10")
    expect(post_form(page).get_by_role("alert")).to_have_text(
        "That would take the house account over its credit limit of £30.00: £25.00 is owed already."
    )
    expect_balances(page, "£25.00", "£0.00")
    expect_same_document(page)
    assert balances(anna) == (2500, 0)
    assert Account.objects.get().credit_limit == 3000
    assert Entry.objects.get(kind=Kind.ADJUSTMENT).posted_by_id == manager_user.pk


def test_a_managers_billing_tab_has_unique_ids_and_every_field_of_adjust_is_labelled(
    billing_on, manager_page, anna, front_desk_user
):
    post(front_desk_user, anna, Kind.CHARGE, 3000)
    page = manager_page
    open_billing(page, anna)
    adjust = billing(page).get_by_role("form", name=re.compile(r"^Adjust a balance"))
    expect(adjust).to_be_visible()
    expect(post_form(page).get_by_label("Amount")).to_have_count(1)
    # Her label clicks and her screen reader reach the Adjust form's own fields.
    expect(adjust.get_by_label("Amount")).to_have_count(1, timeout=2000)
    expect(adjust.get_by_label("Reason")).to_have_count(1, timeout=2000)
    assert duplicate_ids(page) == []


def test_the_front_desk_sees_no_reverse_no_adjust_and_no_credit_limit(
    billing_on, desk_page, anna, front_desk_user, browser_problems
):
    charge = post(front_desk_user, anna, Kind.CHARGE, 3000)
    post(front_desk_user, anna, Kind.PAYMENT, 1000)
    page = desk_page
    open_billing(page, anna)
    expect(ledger_rows(page)).to_have_count(2)
    expect(post_form(page)).to_be_visible()
    expect(billing(page).get_by_role("button", name=re.compile("Reverse"))).to_have_count(0)
    expect(billing(page).get_by_role("form", name=re.compile(r"^Adjust a balance"))).to_have_count(0)
    expect(billing(page).get_by_role("form", name=re.compile(r"^Credit limit"))).to_have_count(0)
    expect(billing(page).get_by_role("button", name="Adjust")).to_have_count(0)
    expect(billing(page).get_by_role("button", name="Save Limit")).to_have_count(0)
    # No empty Actions column either.
    expect(ledger(page).get_by_role("columnheader")).to_have_text(
        ["When", "Entry", "For", "Owed", "Credit", "Owed after", "Credit after", "By"]
    )

    # A reversal sent by hand, without the button, is refused.
    token = page.evaluate("document.querySelector('[name=csrfmiddlewaretoken]').value")
    response = page.request.post(
        f"/customers/{anna.pk}/billing/entries/{charge.pk}/reverse/",
        form={"csrfmiddlewaretoken": token, "key": "5b0e4a52-6f9c-4d2f-8a57-2d1f0b3c9e11"},
        headers={"Referer": page.url},
    )
    assert response.status == 403
    assert not Entry.objects.filter(kind=Kind.REVERSAL).exists()
    assert balances(anna) == (2000, 0)
    assert browser_problems == []


# --- Partners sharing one account -----------------------------------------------------------


def test_receptionist_links_a_partner_from_the_summary_and_both_share_the_balances(
    billing_on, desk_page, anna, ben, cara, front_desk_user, browser_problems
):
    post(front_desk_user, anna, Kind.CHARGE, 2500, memo="Spa day")
    post(front_desk_user, ben, Kind.CHARGE, 1250, memo="Lunch")
    post(front_desk_user, ben, Kind.CREDIT_ISSUED, 500, memo="Voucher")
    page = desk_page
    page.goto(f"/customers/{anna.pk}/")
    mark_this_document(page)
    expect(detail(partner_panel(page), "Partner Name")).to_have_text("Not given")

    open_partner_editor(page, "Link Partner Account", "Link Partner Account")
    results = search_partner(page, "smith")
    # Anna herself is found, but cannot be chosen.
    expect(results.get_by_role("listitem")).to_have_count(2)
    expect(results.get_by_role("listitem").filter(has_text="Anna Smith")).to_contain_text(
        "This is the customer whose profile you are on: cannot be chosen."
    )
    ben_result = results.get_by_role("listitem").filter(has_text="Ben Smith")
    expect(ben_result).to_contain_text(f"#{ben.pk} · ben@example.com")
    control(ben_result, "button", "Select Customer").click()
    selected = partner_editor(page).locator(".selected-customer")
    expect(selected).to_contain_text(f"Partner: Ben Smith #{ben.pk} · ben@example.com")
    expect_htmx_done(page)

    choice = partner_editor(page).get_by_role("group", name="Which is the Primary Account?")
    expect(choice.get_by_role("radio")).to_have_count(2)
    expect(choice.get_by_role("radio", checked=True)).to_have_count(0)
    choose_primary_and_continue(page, "Anna Smith")
    editor = partner_editor(page)
    expect(editor).to_contain_text(
        "From now on Anna Smith and Ben Smith share Anna Smith's House Account and Customer Credit; "
        "Anna Smith is the Primary Account and keeps the balances if they ever unlink."
    )
    expect(editor).to_contain_text(
        "Ben Smith's own balances move into the shared account by transfer entries:"
    )
    expect(editor.get_by_role("listitem")).to_have_text(
        ["£12.50 owed on house account", "£5.00 of store credit"]
    )
    # Nothing is linked until she confirms.
    assert holders(ben)[1] is True and holders(anna)[0] != holders(ben)[0]

    editor.get_by_role("button", name="Confirm").click()
    expect(toast(page, "Anna Smith and Ben Smith now share Anna Smith's account.")).to_be_visible()
    panel = partner_panel(page)
    expect(detail(panel, "Partner Name")).to_have_text("Ben Smith")
    expect(detail(panel, "Primary Account")).to_have_text("Anna Smith (this customer)")
    expect(control(panel, "link", "Link Partner Account")).to_have_count(0)
    expect(control(panel, "link", "Unlink Partner Account")).to_be_visible()
    # Anna is the primary already: no Set as Primary on her profile.
    expect(control(panel, "button", "Set as Primary")).to_have_count(0)
    expect_same_document(page)

    page.get_by_role("tab", name="Billing").click()
    expect_balances(page, "£37.50", "£5.00")
    expect(billing(page).locator(".shared")).to_have_text(
        re.compile(r"Shared with Ben Smith\s+· Primary Account: Anna Smith")
    )
    # Ben's balances came in by transfers, on his name.
    transfers = ledger_rows(page).filter(has_text="Transfer")
    expect(transfers).to_have_count(2)
    expect(column(transfers, 3)).to_have_text(["Ben Smith", "Ben Smith"])

    page.goto(f"/customers/{ben.pk}/")
    expect(detail(partner_panel(page), "Partner Name")).to_have_text("Anna Smith")
    expect(detail(partner_panel(page), "Primary Account")).to_have_text("Anna Smith")
    open_billing(page, ben)
    expect_balances(page, "£37.50", "£5.00")
    expect(billing(page).locator(".shared")).to_contain_text("Shared with Anna Smith")

    assert holders(anna)[0] == holders(ben)[0]
    assert (holders(anna)[1], holders(ben)[1]) == (True, False)
    assert balances(anna) == balances(ben) == (3750, 500)
    assert browser_problems == []


def test_continue_without_choosing_the_primary_account_says_to_choose(billing_on, desk_page, anna, ben):
    page = desk_page
    page.goto(f"/customers/{anna.pk}/")
    open_partner_editor(page, "Link Partner Account", "Link Partner Account")
    result = search_partner(page, "ben").get_by_role("listitem").filter(has_text="Ben Smith")
    control(result, "button", "Select Customer").click()
    expect(partner_editor(page).locator(".selected-customer")).to_contain_text("Ben Smith")
    expect_htmx_done(page)

    with page.expect_response(lambda response: "/partner/link/" in response.url):
        partner_editor(page).get_by_role("button", name="Continue").click()
    expect_htmx_done(page)
    # Still the choice, and nothing linked...
    expect(partner_editor(page).get_by_role("group", name="Which is the Primary Account?")).to_be_visible()
    assert not AccountHolder.objects.exists()
    # ...and it says why she is still here.
    expect(partner_editor(page).get_by_text("Choose which of the two is the Primary Account.")).to_be_visible(
        timeout=2000
    )


def test_the_link_partner_account_form_takes_the_focus_as_it_opens_and_redraws(
    billing_on, desk_page, anna, ben
):
    page = desk_page
    page.goto(f"/customers/{anna.pk}/")
    heading = partner_editor(page).get_by_role("heading", name="Link Partner Account")
    # As with the other forms that open in a panel (Add to Group, Add Link, ...), the heading
    # of the form takes the focus, so a keyboard or screen-reader user lands in it.
    open_partner_editor(page, "Link Partner Account", "Link Partner Account")
    expect(heading).to_be_focused(timeout=2000)

    result = search_partner(page, "ben").get_by_role("listitem").filter(has_text="Ben Smith")
    control(result, "button", "Select Customer").click()
    expect(partner_editor(page).locator(".selected-customer")).to_contain_text("Ben Smith")
    expect_htmx_done(page)
    # The button she pressed is gone with the old form: the focus must not fall to the page.
    expect(heading).to_be_focused(timeout=2000)


def test_linking_a_partner_who_has_no_balances_says_nothing_moves(billing_on, desk_page, anna, ben):
    page = desk_page
    link_from_summary(page, anna, "ben", "Ben Smith", "Ben Smith")
    editor = partner_editor(page)
    expect(editor).to_contain_text("Anna Smith has no balances of their own to move.")
    editor.get_by_role("button", name="Confirm").click()
    expect(toast(page, "Anna Smith and Ben Smith now share Ben Smith's account.")).to_be_visible()
    expect(detail(partner_panel(page), "Primary Account")).to_have_text("Ben Smith")
    expect(control(partner_panel(page), "button", "Set as Primary")).to_be_visible()
    assert holders(anna)[0] == holders(ben)[0]
    assert (holders(anna)[1], holders(ben)[1]) == (False, True)
    assert not Entry.objects.exists()


def test_a_charge_on_the_partners_profile_shows_on_the_primarys_ledger_with_the_partners_name(
    billing_on, desk_page, partners, anna, ben
):
    page = desk_page
    open_billing(page, ben)
    expect_balances(page, "£40.00", "£6.00")
    mark_this_document(page)
    post_to_account(page, "Post a charge", "8", "Manicure")
    expect(toast(page, "Charged £8.00 to Ben Smith's house account.")).to_be_visible()
    expect_balances(page, "£48.00", "£6.00")
    expect_same_document(page)

    open_billing(page, anna)
    expect_balances(page, "£48.00", "£6.00")
    newest = ledger_rows(page).first
    expect(column(newest, 2)).to_have_text(re.compile(r"^\s*Charge\s+— Manicure\s*$"))
    expect(column(newest, 3)).to_have_text("Ben Smith")
    expect(column(newest, 4)).to_have_text("+£8.00")
    # Anna's own charge stays on her name.
    expect(column(ledger_rows(page).filter(has_text="Spa day"), 3)).to_have_text("Anna Smith")
    entry = Entry.objects.get(memo="Manicure")
    assert entry.customer_id == ben.pk
    assert entry.account_id == holders(anna)[0]


def test_set_as_primary_from_the_partners_summary_makes_them_the_primary_account(
    billing_on, desk_page, partners, anna, ben, browser_problems
):
    page = desk_page
    page.goto(f"/customers/{ben.pk}/")
    mark_this_document(page)
    panel = partner_panel(page)
    expect(detail(panel, "Primary Account")).to_have_text("Anna Smith")

    dialog = page.get_by_role("dialog")
    control(panel, "button", "Set as Primary").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(
        "Make Ben Smith the Primary Account? The balances stay where they are; "
        "the account is Ben's if the partners ever unlink."
    )
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert holders(anna)[1] is True

    control(panel, "button", "Set as Primary").click()
    dialog.get_by_role("button", name="Set as Primary").click()
    expect(toast(page, "Ben Smith is now the Primary Account.")).to_be_visible()
    expect(detail(partner_panel(page), "Primary Account")).to_have_text("Ben Smith (this customer)")
    expect(control(partner_panel(page), "button", "Set as Primary")).to_have_count(0)
    expect(detail(partner_panel(page), "Partner Name")).to_have_text("Anna Smith")
    expect_same_document(page)

    page.goto(f"/customers/{anna.pk}/")
    expect(detail(partner_panel(page), "Primary Account")).to_have_text("Ben Smith")
    expect(control(partner_panel(page), "button", "Set as Primary")).to_be_visible()
    open_billing(page, anna)
    expect_balances(page, "£40.00", "£6.00")
    expect(billing(page).locator(".shared")).to_contain_text("Primary Account: Ben Smith")

    assert (holders(anna)[1], holders(ben)[1]) == (False, True)
    assert holders(anna)[0] == holders(ben)[0]
    assert browser_problems == []


def test_unlinking_without_a_split_leaves_the_partner_with_empty_balances(
    billing_on, desk_page, partners, anna, ben, browser_problems
):
    page = desk_page
    page.goto(f"/customers/{ben.pk}/")
    mark_this_document(page)
    open_partner_editor(page, "Unlink Partner Account", "Unlink Partner Account")
    editor = partner_editor(page)
    expect(editor).to_contain_text(
        "Ben Smith will no longer share Anna Smith's account. The balances — £40.00 owed and £6.00 of "
        "store credit — stay with Anna Smith, the Primary Account, and Ben starts again with empty balances."
    )
    expect(editor.get_by_label("Owed to move to the partner")).to_have_value("")
    expect(editor.get_by_label("Store credit to move to the partner")).to_have_value("")
    editor.get_by_role("button", name="Unlink Partner Account").click()

    expect(toast(page, "Ben Smith no longer shares the account.")).to_be_visible()
    panel = partner_panel(page)
    expect(detail(panel, "Partner Name")).to_have_text("Not given")
    expect(control(panel, "link", "Link Partner Account")).to_be_visible()
    expect(control(panel, "link", "Unlink Partner Account")).to_have_count(0)
    expect_same_document(page)

    page.get_by_role("tab", name="Billing").click()
    expect(billing(page)).to_be_visible()
    expect_balances(page, "£0.00", "£0.00")
    expect(billing(page)).to_contain_text("Nothing has been posted to this account yet.")
    expect(billing(page).locator(".shared")).to_have_count(0)

    open_billing(page, anna)
    expect_balances(page, "£40.00", "£6.00")
    expect(billing(page).locator(".shared")).to_have_count(0)
    page.goto(f"/customers/{anna.pk}/")
    expect(detail(partner_panel(page), "Partner Name")).to_have_text("Not given")

    assert holders(ben) is None
    assert holders(anna)[1] is True
    assert balances(anna) == (4000, 600)
    assert balances(ben) == (0, 0)
    assert browser_problems == []


def test_unlinking_with_a_split_moves_exactly_the_split_to_the_partners_own_account(
    billing_on, desk_page, partners, anna, ben, browser_problems
):
    page = desk_page
    page.goto(f"/customers/{anna.pk}/")
    mark_this_document(page)
    open_partner_editor(page, "Unlink Partner Account", "Unlink Partner Account")
    editor = partner_editor(page)
    # More than there is is refused, in the form, and nothing changes.
    editor.get_by_label("Owed to move to the partner").fill("50")
    editor.get_by_role("button", name="Unlink Partner Account").click()
    expect(editor.get_by_role("alert")).to_have_text("Only £40.00 is owed; the partner cannot take on more.")
    expect_htmx_done(page)
    assert holders(ben) == (holders(anna)[0], False)

    editor.get_by_label("Owed to move to the partner").fill("15.00")
    editor.get_by_label("Store credit to move to the partner").fill("2.50")
    editor.get_by_role("button", name="Unlink Partner Account").click()
    expect(toast(page, "Ben Smith no longer shares the account.")).to_be_visible()
    expect(detail(partner_panel(page), "Partner Name")).to_have_text("Not given")
    expect_same_document(page)

    page.get_by_role("tab", name="Billing").click()
    expect(billing(page)).to_be_visible()
    expect_balances(page, "£25.00", "£3.50")

    open_billing(page, ben)
    expect_balances(page, "£15.00", "£2.50")
    # His ledger holds just the split, by two transfers on his name.
    expect(ledger_rows(page)).to_have_count(2)
    expect(column(ledger_rows(page), 2)).to_have_text(
        [re.compile(r"^\s*Transfer\s+— Split on leaving the shared account\s*$")] * 2
    )
    expect(column(ledger_rows(page), 3)).to_have_text(["Ben Smith", "Ben Smith"])
    expect(column(ledger_rows(page), 5)).to_have_text(["+£2.50", ""])
    expect(column(ledger_rows(page), 4)).to_have_text(["", "+£15.00"])

    assert holders(ben)[0] != holders(anna)[0]
    assert holders(ben)[1] is True
    assert balances(ben) == (1500, 250)
    assert balances(anna) == (2500, 350)
    assert entry_kinds(ben) == [Kind.TRANSFER, Kind.TRANSFER]
    assert browser_problems == []


# --- Accessibility --------------------------------------------------------------------------


@needs_axe
def test_the_billing_tab_with_its_chart_and_forms_is_accessible(
    billing_on, manager_page, partners, anna, ben, front_desk_user
):
    post(front_desk_user, anna, Kind.PAYMENT, 1000)
    page = manager_page
    open_billing(page, anna)
    expect(chart(page)).to_be_visible()
    expect(post_form(page)).to_be_visible()
    expect(billing(page).get_by_role("button", name="Adjust")).to_be_visible()
    expect(billing(page).get_by_role("button", name="Save Limit")).to_be_visible()
    expect(control(ledger(page), "button", "Reverse").first).to_be_visible()
    assert_accessible(page, "Billing tab with the chart, the three forms and Reverse")

    post_to_account(page, "Post a charge", "abc")
    expect(post_form(page).locator(".field.has-error")).to_have_count(1)
    assert_accessible(page, "Post to the account with an error")

    control(ledger(page), "button", "Reverse").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert_accessible(page, "Reverse confirmation")


@needs_axe
def test_the_link_confirmation_and_the_unlink_form_are_accessible(
    billing_on, desk_page, anna, ben, front_desk_user
):
    post(front_desk_user, ben, Kind.CHARGE, 1250)
    post(front_desk_user, ben, Kind.CREDIT_ISSUED, 500)
    page = desk_page
    page.goto(f"/customers/{anna.pk}/")
    expect(partner_panel(page)).to_be_visible()
    assert_accessible(page, "Summary with the Partner Account panel")

    open_partner_editor(page, "Link Partner Account", "Link Partner Account")
    search_partner(page, "smith")
    assert_accessible(page, "Link Partner Account with search results")
    control(
        page.locator("#candidate-results").get_by_role("listitem").filter(has_text="Ben Smith"),
        "button",
        "Select Customer",
    ).click()
    expect(partner_editor(page).get_by_role("group", name="Which is the Primary Account?")).to_be_visible()
    expect_htmx_done(page)
    assert_accessible(page, "Which is the Primary Account?")

    choose_primary_and_continue(page, "Anna Smith")
    expect(partner_editor(page).get_by_role("listitem")).to_have_count(2)
    assert_accessible(page, "Link confirmation")

    partner_editor(page).get_by_role("button", name="Confirm").click()
    expect(toast(page, "now share Anna Smith's account")).to_be_visible()
    open_partner_editor(page, "Unlink Partner Account", "Unlink Partner Account")
    assert_accessible(page, "Unlink form")

    partner_editor(page).get_by_label("Store credit to move to the partner").fill("lots")
    partner_editor(page).get_by_role("button", name="Unlink Partner Account").click()
    expect(partner_editor(page).locator(".field.has-error .error")).to_have_text(
        ["Enter an amount such as 12.50."]
    )
    expect_htmx_done(page)
    assert_accessible(page, "Unlink form with an error")


# --- The roles ------------------------------------------------------------------------------


def test_the_billing_grants_of_migration_0002_are_replayed_for_every_test(front_desk_user, manager_user):
    # Last in the file, so after the flushes of the tests above: tests/conftest.py's
    # `migrated_rows` replays billing/migrations/0002 (it defines GRANTS) like the others.
    desk_work = {"billing.view_account", "billing.add_entry", "billing.add_accountholder"}
    managers_only = {"billing.adjust_balance", "billing.reverse_entry", "billing.change_account"}
    assert front_desk_user.has_perms(desk_work)
    assert not any(front_desk_user.has_perm(name) for name in managers_only)
    assert manager_user.has_perms(desk_work | managers_only)
