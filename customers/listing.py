"""The registry through which apps add filters, a column and bulk actions to the customer list.

`customers` imports no other app, so an app that has something to say about many customers
at once (client groups, say) declares a `ListAddon` in its hooks.py ("list_addon"). Its `narrow`
and `decorate` must each run a fixed number of queries, whatever the page shows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from core import hooks
from core.paging import page_number, page_of
from customers.forms import SearchForm
from customers.queries import customer_list_queryset


def nothing(request):
    return {}


@dataclass(frozen=True)
class ListAddon:
    slug: str
    #: Whether it shows for this request (a feature switch, a permission).
    is_visible: Callable
    #: narrow(request, params, customers): `customers` narrowed by this addon's filters in
    #: the query string `params`.
    narrow: Callable
    #: decorate(request, rows): attach to each customer of the page what its cell shows.
    decorate: Callable
    #: Its fields in the list's filter form, and their context: context(request).
    filter_template: str
    column_title: str
    cell_template: str
    context: Callable = nothing
    #: Buttons for the Bulk Actions menu; rows get checkboxes when any addon has them.
    bulk_template: str = ""


#: Query-string names that say which customers are chosen and what to do with them, not
#: which customers the list shows: never carried into the list's filters.
SELECTION = ("customer", "all_matching", "action", "segment", "confirm")


def _slug(addon):
    return addon.slug


def visible(request):
    addons = hooks.by_key("list_addon", _slug).values()
    return [addon for addon in addons if addon.is_visible(request)]


LIST_PAGE_SIZE = 25


def page(request, params, *, per_page=LIST_PAGE_SIZE):
    """The page of the customer list that the query string `params` asks for (its `page`),
    without counting the table: one query, and one more per visible addon's decoration."""
    return page_of(matching(request, params), page_number(params.get("page")), per_page)


def matching(request, params):
    """The live customers the list shows for the query string `params` (its search, its
    status and every visible addon's filters), in the list's order; what "select all
    matching" means."""
    form = SearchForm(params)
    cleaned = form.cleaned_data if form.is_valid() else {}
    customers = customer_list_queryset(text=cleaned.get("q", ""), status=cleaned.get("status") or "active")
    for addon in visible(request):
        customers = addon.narrow(request, params, customers)
    return customers
