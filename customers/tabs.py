"""The tabs and Summary panels of a customer's profile.

`customers` imports no other app: each app declares its tabs and panels in its hooks.py
(`hooks.register("profile_tab", Tab(...))`, "summary_panel" for a panel). A tab or panel
names the template that renders it and a function that returns its context; that function
must run a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import SimpleLazyObject

from core import hooks


def always(request, customer):
    return True


def no_context(request, customer):
    return {}


@dataclass(frozen=True)
class Tab:
    slug: str
    title: str
    template: str
    order: int
    context: Callable = no_context
    #: Whether the tab also shows when the customer is loaded on the front desk.
    on_front_desk: bool = True
    #: Whether the tab shows at all for this request and customer (a feature switch, say).
    is_visible: Callable = always


@dataclass(frozen=True)
class Panel:
    """A section of the Summary tab."""

    slug: str
    title: str
    template: str
    order: int
    context: Callable = no_context
    is_visible: Callable = always


# Words the profile's own URLs use (customers/urls.py), so no tab may take them.
RESERVED_SLUGS = {"edit", "archive", "restore", "merge"}


@dataclass
class Registry:
    tabs: dict = field(default_factory=dict)
    panels: dict = field(default_factory=dict)

    def add_tab(self, tab):
        if tab.slug in RESERVED_SLUGS:
            raise ValueError(f"{tab.slug!r} is a profile URL already; name the tab otherwise.")
        if tab.slug in self.tabs:
            raise ValueError(f"A profile tab named {tab.slug!r} is already registered.")
        self.tabs[tab.slug] = tab

    def add_panel(self, panel):
        if panel.slug in self.panels:
            raise ValueError(f"A Summary panel named {panel.slug!r} is already registered.")
        self.panels[panel.slug] = panel

    def visible_tabs(self, request, customer, *, front_desk=False):
        tabs = sorted(self.tabs.values(), key=lambda tab: tab.order)
        return [
            tab for tab in tabs if (tab.on_front_desk or not front_desk) and tab.is_visible(request, customer)
        ]

    def visible_panels(self, request, customer):
        panels = sorted(self.panels.values(), key=lambda panel: panel.order)
        return [panel for panel in panels if panel.is_visible(request, customer)]


def _from_hooks():
    declared = Registry()
    for tab in hooks.entries("profile_tab"):
        declared.add_tab(tab)
    for panel in hooks.entries("summary_panel"):
        declared.add_panel(panel)
    return declared


#: What the apps declared, checked (no slug twice, none a profile URL) on first use.
registry = SimpleLazyObject(_from_hooks)
