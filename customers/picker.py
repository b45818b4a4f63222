"""The "search, pick a customer, confirm" screen that family groups, links and partner
accounts share: the search box, its results with why a customer cannot be chosen, the
customer picked, and how the editor around them is drawn (a fragment for htmx, a page
of its own otherwise).

Each app says only what is its own: which customers it refuses and why (`why_not`), the
template and the ids of its editor and result list.
"""

from django.shortcuts import render

from core.ids import is_id
from core.responses import embedded, targets
from customers.models import Customer
from customers.queries import search_customers

SEARCH_LIMIT = 10
#: Longer text finds nobody more and only slows the search down.
TEXT_LIMIT = 100
ON_THIS_PROFILE = "This is the customer whose profile you are on"


def searched_text(request):
    """What was typed in the picker's search box."""
    return (request.GET.get("q") or request.POST.get("q") or "").strip()[:TEXT_LIMIT]


def candidates(text, *, why_not, on_profile=None):
    """The live customers matching `text` (None when nothing was typed), each with
    `blocked`: a reason it cannot be chosen, or "".

    `why_not(results)` returns {customer id: reason} for the refused ones and may attach
    what its rows show; it must run a fixed number of queries. The customer whose profile
    the picker is on, `on_profile`, is always refused.
    """
    if not text:
        return None
    results = list(search_customers(text, include_archived=False)[:SEARCH_LIMIT])
    reasons = why_not(results) if results else {}
    for result in results:
        if on_profile is not None and result.pk == on_profile.pk:
            result.blocked = ON_THIS_PROFILE
        else:
            result.blocked = reasons.get(result.pk, "")
    return results


def chosen_customer(request):
    """The customer picked with Select Customer (a GET's `select`) or carried in the form
    (`member`); None when nobody, or nobody who still exists, was picked."""
    source = request.POST if request.method == "POST" else request.GET
    # "select" wins even when empty: that is "Choose someone else".
    raw = source["select"] if "select" in source else source.get("member")
    if not raw or not is_id(str(raw)):
        return None
    return Customer.objects.filter(pk=int(raw), merged_into__isnull=True).first()


def render_picker(request, template, context, *, editor_id, results_id="candidate-results", status=200):
    """Draw the editor: only its results or only itself for the htmx request that asks,
    else the whole page (a plain link, or no JavaScript)."""
    context["embedded"] = embedded(request)
    if targets(request, results_id):
        return render(request, f"{template}#{results_id}", context)
    if targets(request, editor_id):
        return render(request, f"{template}#{editor_id}", context, status=status)
    return render(request, template, context, status=status)
