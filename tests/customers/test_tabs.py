"""The profile registry through which apps add tabs and Summary panels."""

from pathlib import Path

import pytest
from django.urls import reverse

from customers.tabs import Panel, Registry, Tab, registry
from tests.factories import CustomerFactory

TEST_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def test_tabs_are_ordered_and_filtered_by_place_and_visibility():
    local = Registry()
    local.add_tab(Tab(slug="b", title="B", template="b.html", order=2))
    local.add_tab(Tab(slug="a", title="A", template="a.html", order=1))
    local.add_tab(Tab(slug="profile-only", title="P", template="p.html", order=3, on_front_desk=False))
    local.add_tab(Tab(slug="hidden", title="H", template="h.html", order=4, is_visible=lambda r, c: False))
    assert [tab.slug for tab in local.visible_tabs(None, None)] == ["a", "b", "profile-only"]
    assert [tab.slug for tab in local.visible_tabs(None, None, front_desk=True)] == ["a", "b"]


def test_a_slug_is_registered_once_and_never_a_reserved_word():
    local = Registry()
    local.add_tab(Tab(slug="a", title="A", template="a.html", order=1))
    with pytest.raises(ValueError, match="already registered"):
        local.add_tab(Tab(slug="a", title="A again", template="a.html", order=1))
    with pytest.raises(ValueError, match="profile URL"):
        local.add_tab(Tab(slug="edit", title="Edit", template="e.html", order=1))
    local.add_panel(Panel(slug="p", title="P", template="p.html", order=1))
    with pytest.raises(ValueError, match="already registered"):
        local.add_panel(Panel(slug="p", title="P", template="p.html", order=1))


@pytest.mark.django_db
def test_a_registered_panel_shows_on_the_summary(desk, monkeypatch, settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}]
    monkeypatch.setitem(
        registry.panels,
        "greeting",
        Panel(
            slug="greeting",
            title="Greeting",
            template="tests/panel.html",
            order=1,
            context=lambda request, customer: {"word": f"Hello {customer.first_name}"},
        ),
    )
    customer = CustomerFactory(first_name="Ola")
    html = desk.get(reverse("customers:profile", args=[customer.pk])).content.decode()
    assert 'id="panel-greeting"' in html and "Hello Ola" in html
