"""core.hooks: the one registry through which apps plug into the apps below them."""

from collections import defaultdict

import pytest

from core import hooks


@pytest.fixture
def empty(monkeypatch):
    """A registry with nothing declared, put back as it was afterwards."""
    monkeypatch.setattr(hooks, "_declared", defaultdict(list))
    monkeypatch.setattr(hooks, "_loaded", {})
    monkeypatch.setattr(hooks, "_keyed", {})


def test_entries_come_in_the_order_declared_and_dotted_paths_are_imported(empty):
    hooks.register("demo_step", "customers.demo.make_duplicates", print)
    from customers.demo import make_duplicates

    assert hooks.entries("demo_step") == (make_duplicates, print)


def test_a_misspelt_hook_point_is_refused(empty):
    with pytest.raises(ValueError, match="No hook point named 'demo_steps'"):
        hooks.register("demo_steps", print)
    with pytest.raises(ValueError, match="No hook point named 'menu'"):
        hooks.entries("menu")


def test_by_key_refuses_a_key_declared_twice_and_sees_later_declarations(empty):
    hooks.register("demo_step", 1, 2)
    assert hooks.by_key("demo_step", str) == {"1": 1, "2": 2}
    hooks.register("demo_step", 1)
    with pytest.raises(ValueError, match="'1' is declared twice under the hook point 'demo_step'"):
        hooks.by_key("demo_step", str)


def test_every_app_declares_what_it_adds_without_clashes():
    tabs = hooks.by_key("profile_tab", lambda tab: tab.slug)
    assert {"summary", "history", "emails", "billing", "bookings", "linked-accounts"} <= set(tabs)
    assert hooks.by_key("history_action", lambda action: action.code)
    assert [item.label for item in sorted(hooks.entries("menu_item"), key=lambda item: item.order)] == [
        "Front desk", "Customers", "Client Groups", "Day View", "Intake Forms", "Access Reviews",
        "Possible Duplicates",
    ]  # fmt: skip
