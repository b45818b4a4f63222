"""Every page passes axe-core's WCAG 2.1 A and AA checks, as a screen-reader user meets it.

axe-core is a test tool from the npm registry, installed by `make test` into the
virtualenv (see the Makefile); where npm is missing these tests are skipped and say so.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from customers import services
from tests.factories import ActivityFactory

ROOT = Path(__file__).resolve().parents[2]
INSTALLED_AXE = ROOT / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
AXE = Path(os.environ.get("KINSHIP_AXE", INSTALLED_AXE))

pytestmark = pytest.mark.skipif(
    not AXE.is_file(), reason=f"axe-core is not at {AXE}; install npm, then `make test` fetches it"
)


def violations(page):
    """Run axe on the page as it is now; return its WCAG A/AA violations, readably."""
    # page.evaluate goes through the DevTools protocol, so the page's CSP does not block it.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}))"
        ".violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)"
    )
    return result


@pytest.fixture
def ada():
    customer = services.create_customer(
        actor=None, first_name="Ada", last_name="Lovelace", email="ada@example.com", phone="07700 900123"
    )
    ActivityFactory(customer=customer, message="Phoned about parking.")
    return customer


def test_the_login_page_is_accessible(page, browser_problems):
    page.goto("/login/")
    assert violations(page) == []


def test_the_back_office_pages_are_accessible(desk_page, ada):
    page = desk_page
    page.get_by_label("Search customers").fill("lovelace")
    page.get_by_role("link", name="Load Customer").wait_for()
    assert violations(page) == [], "front desk with results"

    for url in (
        reverse("customers:desk_tab", args=[ada.pk, "history"]),
        reverse("customers:profile", args=[ada.pk]),
        reverse("customers:list"),
        reverse("customers:create"),
        reverse("customers:edit", args=[ada.pk]),
    ):
        page.goto(url)
        assert violations(page) == [], url


def test_a_form_with_errors_is_accessible(desk_page, ada):
    page = desk_page
    page.goto(reverse("customers:edit", args=[ada.pk]))
    page.get_by_label("First name").fill("")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Enter the customer's first name.").wait_for()
    assert violations(page) == []


def test_the_check_finds_a_missing_label(desk_page):
    # Proof that the checks above can fail: an input nobody labelled is reported.
    desk_page.evaluate("document.querySelector('main').append(document.createElement('input'))")
    assert any(violation.startswith("label:") for violation in violations(desk_page))
