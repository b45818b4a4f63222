"""The tabs and panels that `customers` itself adds to the profile."""

from core.paging import page_number
from customers.queries import history_page
from customers.tabs import registry


def summary_context(request, customer):
    panels = registry.visible_panels(request, customer)
    return {"panels": [(panel, panel.context(request, customer)) for panel in panels]}


def history_context(request, customer):
    return {"history": history_page(customer, page=page_number(request.GET.get("page")))}
