"""The tabs and panels that `customers` itself adds to the profile."""

from core.paging import page_number
from customers.queries import history_page
from customers.tabs import Tab, registry


def summary_context(request, customer):
    panels = registry.visible_panels(request, customer)
    return {"panels": [(panel, panel.context(request, customer)) for panel in panels]}


def history_context(request, customer):
    return {"history": history_page(customer, page=page_number(request.GET.get("page")))}


def register():
    registry.add_tab(
        Tab(
            slug="summary",
            title="Summary",
            template="customers/tabs/summary.html",
            order=0,
            context=summary_context,
        )
    )
    registry.add_tab(
        Tab(
            slug="history",
            title="History",
            template="customers/tabs/history.html",
            order=1000,
            context=history_context,
        )
    )
