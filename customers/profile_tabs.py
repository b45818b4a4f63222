"""The tabs and panels that `customers` itself adds to the profile."""

from core.paging import page_number
from customers import history
from customers.queries import history_page
from customers.tabs import registry


def summary_context(request, customer):
    panels = registry.visible_panels(request, customer)
    return {"panels": [(panel, panel.context(request, customer)) for panel in panels]}


def history_context(request, customer):
    """The History tab: one page of lines, narrowed to one area by `?area=` (anything it
    does not know shows everything)."""
    area = history.area_of(request.GET.get("area"))
    return {
        "history": history_page(customer, area=area, page=page_number(request.GET.get("page"))),
        "history_area": area or "",
        "history_areas": [("", "All"), *history.Area.choices],
    }
