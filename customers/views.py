"""Front desk, customer list, profile and the customer forms.

Each view parses the request, checks who may, calls one service or query, and renders.
An HTMX request that targets a fragment gets just that fragment; everything else (plain
links, boosted and history-restore requests) gets the whole page.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import staff_required
from core.errors import KinshipError
from core.ids import is_id
from core.paging import page_number
from core.responses import attempt, refused, targets
from customers import listing, queries, services
from customers.forms import CustomerEditForm, CustomerForm, SearchForm
from customers.models import Merge
from customers.tabs import registry

VIEW = "customers.view_customer"
ADD = "customers.add_customer"
CHANGE = "customers.change_customer"
MERGE = "customers.merge_customer"


def _tabs_context(request, customer, tab_slug, *, front_desk):
    """Context for a customer's tab strip and the one open tab."""
    tabs = registry.visible_tabs(request, customer, front_desk=front_desk)
    tab = next((tab for tab in tabs if tab.slug == tab_slug), None)
    if tab is None:
        raise Http404("No such tab.")
    url_name = "customers:desk_tab" if front_desk else "customers:profile_tab"
    links = [(each, reverse(url_name, args=[customer.pk, each.slug])) for each in tabs]
    return {
        "customer": customer,
        "tabs": links,
        "tab": tab,
        "front_desk": front_desk,
        **tab.context(request, customer),
    }


@require_GET
@staff_required(VIEW)
def front_desk(request, customer_id=None, tab="summary"):
    """The front desk: search, then work on the loaded customer through their tabs."""
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    context = {"search_form": form, "results": queries.quick_search(text) if text else None}
    if targets(request, "search-results"):
        return render(request, "customers/front_desk.html#search-results", context)
    if customer_id is not None:
        customer = queries.get_customer(customer_id)
        if customer.is_merged:
            return _to_survivor(request, customer, "customers:desk")
        context.update(_tabs_context(request, customer, tab, front_desk=True))
        if targets(request, "customer-tabs"):
            return render(request, "customers/_tabs.html", context)
        if targets(request, "desk-customer"):
            return render(request, "customers/front_desk.html#desk-customer", context)
    return render(request, "customers/front_desk.html", context)


def _to_survivor(request, tombstone, url_name):
    """A merged account's old address leads to the account it was merged into."""
    on = date_format(timezone.localtime(tombstone.merged_at), "j M Y")
    messages.info(request, f"{tombstone.full_name} (#{tombstone.pk}) was merged into this account on {on}.")
    return redirect(url_name, tombstone.merged_into_id)


@require_GET
@staff_required(VIEW)
def customer_list(request):
    """Every customer, searched and filtered; apps add filters, a column and bulk actions."""
    form = SearchForm(request.GET)
    addons = listing.visible(request)
    page = listing.page(request, request.GET)
    for addon in addons:
        addon.decorate(request, page.items)
    query = request.GET.copy()
    query.pop("page", None)
    filters = query.copy()
    for name in listing.SELECTION:
        filters.pop(name, None)
    context = {
        "search_form": form,
        "page": page,
        "query": query.urlencode(),
        "filters": filters,
        "addons": [(addon, addon.context(request)) for addon in addons],
        "selectable": any(addon.bulk_template for addon in addons),
    }
    if targets(request, "customer-results"):
        return render(request, "customers/customer_list.html#customer-results", context)
    return render(request, "customers/customer_list.html", context)


@require_GET
@staff_required(VIEW)
def customer_count(request):
    """How many customers the list's filters match: asked only once someone starts ticking,
    so that showing the list never counts the table."""
    count = listing.matching(request, request.GET).order_by().count()
    return render(request, "customers/customer_list.html#matching-total", {"count": count, "counted": True})


@require_http_methods(["GET", "POST"])
@staff_required(ADD)
def customer_create(request):
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer = services.create_customer(actor=request.user, **form.cleaned_data)
        messages.success(request, f"{customer.full_name} was added.")
        return redirect(customer)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None})


@require_GET
@staff_required(VIEW)
def profile(request, customer_id, tab="summary"):
    customer = queries.get_customer(customer_id)
    if customer.is_merged:
        return _to_survivor(request, customer, "customers:profile")
    context = _tabs_context(request, customer, tab, front_desk=False)
    if targets(request, "customer-tabs"):
        return render(request, "customers/_tabs.html", context)
    return render(request, "customers/profile.html", context)


@require_http_methods(["GET", "POST"])
@staff_required(CHANGE)
def customer_edit(request, customer_id):
    customer = queries.get_live_customer(customer_id)
    initial = {"version": customer.version}
    form = CustomerEditForm(request.POST or None, instance=customer, initial=initial)
    tried = attempt(
        request,
        form,
        lambda data: services.update_customer(
            actor=request.user,
            customer_id=customer.pk,
            version=data["version"],
            **{field: data[field] for field in CustomerForm.Meta.fields},
        ),
    )
    if tried.ok:
        messages.success(request, f"{customer.full_name}'s details were saved.")
        return redirect(customer)
    context = {"form": form, "customer": customer}
    return render(request, "customers/customer_form.html", context, status=tried.status)


def _status_change(request, customer_id, service, done):
    customer = queries.get_customer(customer_id)
    try:
        service(actor=request.user, customer_id=customer.pk)
    except KinshipError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done.format(name=customer.full_name))
    return redirect(customer)


@require_POST
@staff_required(CHANGE)
def customer_archive(request, customer_id):
    return _status_change(request, customer_id, services.archive_customer, "{name} was archived.")


@require_POST
@staff_required(CHANGE)
def customer_restore(request, customer_id):
    return _status_change(request, customer_id, services.restore_customer, "{name} was restored.")


@require_http_methods(["GET", "POST"])
@staff_required(MERGE)
def merge(request, customer_id):
    """Merge Accounts: find the duplicate, preview what moves and what blocks, then merge."""
    survivor = queries.get_customer(customer_id)
    if survivor.is_merged:
        return redirect("customers:merge", survivor.merged_into_id)
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    source = request.POST if request.method == "POST" else request.GET
    duplicate_id = source.get("duplicate", "")
    duplicate = queries.get_customer(duplicate_id) if is_id(duplicate_id) else None
    context = {"customer": survivor, "search_form": form, "duplicate": duplicate}
    status = 200
    if request.method == "POST" and duplicate is not None:
        try:
            services.merge_customers(
                actor=request.user,
                survivor_id=survivor.pk,
                absorbed_id=duplicate.pk,
                token=request.POST.get("token", ""),
            )
        except KinshipError as error:
            context["error"] = error.message
            status = error.status if error.status != 400 else 200
            survivor.refresh_from_db()
            duplicate.refresh_from_db()
        else:
            messages.success(
                request, f"{duplicate.full_name} (#{duplicate.pk}) was merged into {survivor.full_name}."
            )
            return redirect(survivor)
    if duplicate is not None:
        context["preview"] = queries.merge_preview(survivor, duplicate)
    elif text:
        context["results"] = [c for c in queries.quick_search(text) if c.pk != survivor.pk]
    if targets(request, "merge-candidates"):
        return render(request, "customers/merge.html#merge-candidates", context)
    return render(request, "customers/merge.html", context, status=status)


@require_POST
@staff_required(MERGE)
def undo_merge(request, merge_id):
    """Undo Merge: put the merged account back, or say why that is not safe now."""
    merge = get_object_or_404(Merge.objects.select_related("survivor", "absorbed"), pk=merge_id)
    back_to = merge.survivor.get_absolute_url()
    try:
        services.undo_merge(actor=request.user, merge_id=merge.pk)
    except KinshipError as error:
        return refused(request, error, back_to)
    messages.success(
        request, f"{merge.absorbed.full_name} (#{merge.absorbed_id}) is a separate account again."
    )
    return redirect(merge.absorbed)


@require_GET
@staff_required(MERGE)
def possible_duplicates(request):
    """Possible Duplicates, for Managers: customers who look like another, to merge from."""
    page = queries.possible_duplicates_page(page=page_number(request.GET.get("page")))
    return render(request, "customers/duplicates.html", {"page": page})
