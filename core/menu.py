"""The top menu, drawn from what each app declares under the "menu_item" hook point."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from core import hooks


def always(request):
    return True


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    order: int
    #: The permission ("app.codename") a user needs to see the item.
    permission: str
    #: is_on(request): whether the feature behind it is switched on.
    is_on: Callable = always
    #: The views (namespace:name) under which the item is the current page; its own view
    #: when empty.
    current_views: frozenset = field(default_factory=frozenset)
    #: is_current(resolver_match), for an item whose pages are not a plain list of views.
    is_current: Callable | None = None

    def is_current_for(self, match):
        if match is None:
            return False
        if self.is_current is not None:
            return self.is_current(match)
        return match.view_name in (self.current_views or {self.url_name})


@dataclass(frozen=True)
class Entry:
    label: str
    url: str
    current: bool


def context(request):
    """The template context processor: `menu`, worked out only when the layout draws it."""
    return {"menu": lambda: menu_for(request)}


def menu_for(request):
    """The menu entries this request's user may see, in order. Permissions come from the
    user's cached set and switches are read once per request, so the menu adds no query
    after the first."""
    user = request.user
    if not user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    items = sorted(hooks.entries("menu_item"), key=lambda item: item.order)
    return [
        Entry(item.label, reverse(item.url_name), item.is_current_for(match))
        for item in items
        if user.has_perm(item.permission) and item.is_on(request)
    ]
