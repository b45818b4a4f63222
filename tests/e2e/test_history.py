"""The History tab's filter in a real browser: Money, Bookings, Family and links, Details."""

import re

from playwright.sync_api import Page, expect

from customers.services import record_activity
from tests.e2e.test_accessibility import violations
from tests.e2e.test_groups import needs_axe
from tests.factories import ActivityFactory, CustomerFactory


def lines(page: Page):
    return page.get_by_role("tabpanel", name="History").get_by_role("listitem")


def a_customer_with_history(actor):
    ada = CustomerFactory(first_name="Ada", last_name="Lovel")
    ActivityFactory(customer=ada, kind="billing.posted", message="Took a payment of £3.00 (an old line).")
    record_activity(
        customers=[ada], actor=actor, action="billing.posted", data={"kind": "charge", "amount": 1250}
    )
    record_activity(
        customers=[ada],
        actor=actor,
        action="booking.booked",
        data={"service": "Haircut", "starts_at": "2026-03-02T10:00:00Z"},
    )
    record_activity(
        customers=[ada], actor=actor, action="group.renamed", data={"was": "Lovel", "name": "Lovels"}
    )
    record_activity(customers=[ada], actor=actor, action="customer.archived")
    return ada


def test_filtering_the_history_to_money_shows_only_money_lines(desk_page, front_desk_user):
    page = desk_page
    ada = a_customer_with_history(front_desk_user)
    page.goto(f"/customers/{ada.pk}/history/")
    expect(lines(page)).to_have_count(5)

    filter_ = page.get_by_role("navigation", name="Show in History")
    filter_.get_by_role("link", name="Money").click()
    expect(page).to_have_url(re.compile(r"/history/\?area=money$"))
    expect(lines(page)).to_have_count(2)
    expect(lines(page).nth(0)).to_contain_text("Charged £12.50 to the house account.")
    expect(lines(page).nth(1)).to_contain_text("Took a payment of £3.00 (an old line).")
    expect(filter_.get_by_role("link", name="Money")).to_have_attribute("aria-current", "true")

    page.get_by_role("navigation", name="Show in History").get_by_role(
        "link", name="Family and links"
    ).click()
    expect(lines(page)).to_have_count(1)
    expect(lines(page)).to_contain_text("The group “Lovel” was renamed “Lovels”.")

    page.go_back()  # hx-push-url: back shows Money again
    expect(page).to_have_url(re.compile(r"\?area=money$"))
    expect(lines(page)).to_have_count(2)

    page.get_by_role("navigation", name="Show in History").get_by_role("link", name="All").click()
    expect(lines(page)).to_have_count(5)


def test_the_filter_works_without_javascript(browser, base_url, front_desk_user, log_in):
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = log_in(context.new_page(), front_desk_user)
    ada = a_customer_with_history(front_desk_user)
    page.goto(f"/customers/{ada.pk}/history/")
    page.get_by_role("navigation", name="Show in History").get_by_role("link", name="Bookings").click()
    expect(page).to_have_url(re.compile(r"\?area=bookings$"))
    expect(lines(page)).to_have_count(1)
    expect(lines(page)).to_contain_text("Booked Haircut on Mon 2 Mar 2026")
    context.close()


@needs_axe
def test_the_filtered_history_is_accessible(desk_page, front_desk_user):
    page = desk_page
    ada = a_customer_with_history(front_desk_user)
    page.goto(f"/customers/{ada.pk}/history/?area=details")
    expect(lines(page)).to_have_count(1)
    assert violations(page) == [], "History tab filtered to Details"
