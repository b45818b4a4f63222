"""Client Groups: the list of groups, each group's members and export, the profile's Add to
Group and badge X, and the client list's bulk actions.

Every action is a plain POST that also works without JavaScript; the whole feature answers
404 while its switch is off.
"""

import csv

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from client_groups import queries, services
from client_groups.features import client_groups_feature
from client_groups.forms import ChooseSegmentForm, SegmentForm
from client_groups.models import Segment
from client_groups.profile_tabs import VIEW, catalogue_for
from client_groups.rules import Catalogue, describe
from core.access import staff_required
from core.errors import KinshipError
from core.paging import page_number
from core.responses import (
    attempt,
    done,
    embedded,
    go_to,
    next_url,
    refusal_status,
    refused,
    targets,
)
from customers import listing
from customers.models import Customer
from customers.queries import get_live_customer

ADD_MEMBER = "client_groups.add_segmentmember"
REMOVE_MEMBER = "client_groups.delete_segmentmember"
ACTIONS = {
    "add": ("Add to Group", ADD_MEMBER, services.add_customers),
    "remove": ("Remove from Group", REMOVE_MEMBER, services.remove_customers),
}


@require_GET
@client_groups_feature
@staff_required(VIEW)
def segment_list(request):
    return render(request, "client_groups/list.html", {"segments": queries.segments_with_counts()})


@require_http_methods(["GET", "POST"])
@client_groups_feature
@staff_required("client_groups.add_segment")
def segment_create(request):
    form = SegmentForm(request.POST or None)
    tried = attempt(
        request,
        form,
        lambda data: services.create_segment(
            actor=request.user,
            name=data["name"],
            description=data["description"],
            rules=form.chosen_rules(),
        ),
    )
    if tried.ok:
        segment = tried.result
        messages.success(request, f"The client group “{segment.name}” was created.")
        return redirect("client_groups:detail", segment.pk)
    return render(request, "client_groups/form.html", {"form": form, "segment": None}, status=tried.status)


@require_http_methods(["GET", "POST"])
@client_groups_feature
@staff_required("client_groups.change_segment")
def segment_edit(request, segment_id):
    segment = get_object_or_404(Segment, pk=segment_id)
    form = SegmentForm(request.POST or None, segment=segment)
    tried = attempt(
        request,
        form,
        lambda data: services.edit_segment(
            actor=request.user,
            segment_id=segment.pk,
            version=data["version"] or 0,
            name=data["name"],
            description=data["description"],
            rules=form.chosen_rules(),
        ),
    )
    if tried.ok:
        messages.success(request, f"The client group “{form.cleaned_data['name']}” was saved.")
        return redirect("client_groups:detail", segment.pk)
    return render(request, "client_groups/form.html", {"form": form, "segment": segment}, status=tried.status)


@require_POST
@client_groups_feature
@staff_required("client_groups.delete_segment")
def segment_delete(request, segment_id):
    segment = get_object_or_404(Segment, pk=segment_id)
    try:
        services.delete_segment(actor=request.user, segment_id=segment.pk)
    except KinshipError as error:
        return refused(request, error, reverse("client_groups:detail", args=[segment.pk]))
    messages.success(request, f"The client group “{segment.name}” was deleted; its clients stay.")
    return go_to(request, reverse("client_groups:list"))


@require_GET
@client_groups_feature
@staff_required(VIEW)
def segment_detail(request, segment_id):
    segment = get_object_or_404(Segment, pk=segment_id)
    catalogue = Catalogue.load()
    context = {
        "segment": segment,
        "rules": describe(segment, catalogue),
        "page": queries.members_page(segment, page=page_number(request.GET.get("page")), catalogue=catalogue),
    }
    return render(request, "client_groups/detail.html", context)


class _Echo:
    """A file-like object whose write hands the line back, for streaming csv rows."""

    def write(self, value):
        return value


EXPORT_COLUMNS = ("id", "first_name", "last_name", "email", "phone", "date_of_birth", "created_at")


def _cell(value):
    """A cell a spreadsheet shows as text: a leading = + - @ would otherwise be run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
@client_groups_feature
@staff_required(VIEW)
def segment_export(request, segment_id):
    """Every member as CSV, streamed in one query whatever the group's size."""
    segment = get_object_or_404(Segment, pk=segment_id)
    rows = queries.members(segment).values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000)
    writer = csv.writer(_Echo())
    heading = ("Customer ID", "First name", "Last name", "Email", "Phone", "Date of birth", "Client since")

    def lines():
        yield writer.writerow(heading)
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    filename = f"{slugify(segment.name) or 'client-group'}-members.csv"
    return StreamingHttpResponse(
        lines(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# On a customer's profile.


@require_http_methods(["GET", "POST"])
@client_groups_feature
@staff_required(ADD_MEMBER)
def profile_add(request, customer_id):
    """Add to Group from a profile: choose the client group, then save."""
    customer = get_live_customer(customer_id)
    back_to = next_url(request, customer.get_absolute_url())
    form = ChooseSegmentForm(request.POST or None)
    tried = attempt(
        request,
        form,
        lambda data: services.add_customers(
            actor=request.user,
            segment_id=data["segment"].pk,
            customers=Customer.objects.filter(pk=customer.pk),
            expected_ids=[customer.pk],
        ),
    )
    if tried.ok:
        said = "was added to" if tried.result.changed else "is already in"
        return done(request, back_to, f"{customer.full_name} {said} “{form.cleaned_data['segment'].name}”.")
    context = {"form": form, "customer": customer, "next": back_to, "embedded": embedded(request)}
    template = (
        "client_groups/add.html#segment-editor"
        if targets(request, "segment-editor")
        else "client_groups/add.html"
    )
    return render(request, template, context, status=tried.status)


@require_POST
@client_groups_feature
@staff_required(REMOVE_MEMBER)
def profile_remove(request, customer_id, segment_id):
    """The X on a profile's client-group badge."""
    customer = get_live_customer(customer_id)
    back_to = next_url(request, customer.get_absolute_url())
    segment = Segment.objects.filter(pk=segment_id).first()
    try:
        if segment is None:
            raise KinshipError("That client group no longer exists.")
        change = services.remove_customers(
            actor=request.user,
            segment_id=segment.pk,
            customers=Customer.objects.filter(pk=customer.pk),
            expected_ids=[customer.pk],
        )
    except KinshipError as error:
        return refused(request, error, back_to)
    said = "was removed from" if change.changed else "is not in"
    return done(request, back_to, f"{customer.full_name} {said} “{segment.name}”.")


# The client list's Bulk Actions.


def _list_url(params):
    query = params.copy()
    for name in (*listing.SELECTION, "csrfmiddlewaretoken"):
        query.pop(name, None)
    return f"{reverse('customers:list')}?{query.urlencode()}" if query else reverse("customers:list")


@require_http_methods(["GET", "POST"])
@client_groups_feature
def bulk(request):
    """Bulk Actions → Add to Group / Remove from Group: choose the group, see how many customers
    change, confirm."""
    params = request.POST if request.method == "POST" else request.GET
    action = params.get("action")
    if action not in ACTIONS:
        action = "add"
    title, permission, service = ACTIONS[action]
    return staff_required(permission)(_bulk)(request, params, action, title, service)


def _bulk(request, params, action, title, service):
    back_to = _list_url(params)
    form = ChooseSegmentForm(params if "segment" in params else None)
    context = {
        "title": title,
        "action": action,
        "form": form,
        "back_to": back_to,
        "carried": _carried(params),
    }
    status = 200
    try:
        customers, ids = queries.selection(request, params)
        if form.is_bound and form.is_valid():
            segment = form.cleaned_data["segment"]
            if request.method == "POST":
                change = service(
                    actor=request.user, segment_id=segment.pk, customers=customers, expected_ids=ids
                )
                return _bulk_done(request, back_to, action, segment, change)
            context.update(queries.bulk_preview(customers, ids, action, segment, catalogue_for(request)))
    except KinshipError as error:
        context["error"] = error.message
        status = refusal_status(error)
    template = (
        "client_groups/bulk.html#bulk-editor"
        if targets(request, "bulk-editor")
        else "client_groups/bulk.html"
    )
    return render(request, template, context, status=status)


def _carried(params):
    """The list's filters and the choice of customers, carried through the form as hidden fields."""
    dropped = ("segment", "csrfmiddlewaretoken", "confirm")
    return [(name, value) for name in params if name not in dropped for value in params.getlist(name)]


def _bulk_done(request, back_to, action, segment, change):
    people = f"{change.changed:,} customer{'' if change.changed == 1 else 's'}"
    if action == "add":
        message = f"{people} added to “{segment.name}”."
        if change.unchanged:
            message += f" {change.unchanged:,} {'was' if change.unchanged == 1 else 'were'} in it already."
    else:
        message = f"{people} removed from “{segment.name}”."
        if change.unchanged:
            message += f" {change.unchanged:,} {'was' if change.unchanged == 1 else 'were'} not in it."
    messages.success(request, message)
    return go_to(request, back_to)
