"""The "search, pick a customer, confirm" screen that groups, linking and billing share."""

from core.ids import is_id
from customers.models import Customer


def chosen_customer(request):
    """The customer picked with Select Customer (a GET's `select`) or carried in the form
    (`member`); None when nobody, or nobody who still exists, was picked."""
    source = request.POST if request.method == "POST" else request.GET
    # "select" wins even when empty: that is "Choose someone else".
    raw = source["select"] if "select" in source else source.get("member")
    if not raw or not is_id(str(raw)):
        return None
    return Customer.objects.filter(pk=int(raw), merged_into__isnull=True).first()
