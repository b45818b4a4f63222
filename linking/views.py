"""Add Relationship, change or remove a link, and the Account Relations List.

Forms open in the profile's Linked Clients section or the Linked Accounts tab (htmx), or as
a page of their own; every action is a plain POST too. Switched off with account linking.
"""

from functools import partial

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import staff_required
from core.errors import KinshipError
from core.ids import is_id
from core.responses import attempt, done, next_url, refused
from customers.picker import candidates, chosen_customer, render_picker, searched_text
from customers.queries import get_customer, get_live_customer, merges_of
from groups.queries import groups_of
from linking import queries, services
from linking.features import linking_feature
from linking.forms import LinkForm, defaults_for
from linking.models import PERMISSION_FIELDS, Link, RelationshipType

EDITOR = "linking/editor.html"


def _editor(request, context, *, status=200):
    context["agent_fields"] = context["form"].side("agent")
    context["principal_fields"] = context["form"].side("principal")
    return render_picker(
        request, EDITOR, context, editor_id="link-editor", results_id="link-candidates", status=status
    )


def _initial_from_get(request):
    """A form opened or re-drawn by GET: what was typed, and a new type's usual permissions."""
    initial = request.GET.dict()
    if "retype" in request.GET and is_id(str(initial.get("type", ""))):
        kind = RelationshipType.objects.select_related("reverse").filter(pk=initial["type"]).first()
        if kind is not None:
            initial.update(defaults_for(kind))
    for field in list(initial):  # a checkbox left unticked is simply not sent
        if field.startswith(("agent_", "principal_")):
            initial[field] = initial[field] in ("on", "true", "True", True)
    return initial


@require_http_methods(["GET", "POST"])
@linking_feature
@staff_required("linking.add_link")
def link_create(request, customer_id):
    customer = get_live_customer(customer_id)
    form_url = reverse("linking:create", args=[customer.pk])
    back_to = next_url(request, customer.get_absolute_url())
    if request.method == "POST":
        form = LinkForm(request.POST, customer=customer)
    else:
        form = LinkForm(initial=_initial_from_get(request), customer=customer)
    tried = attempt(
        request,
        form,
        lambda data: services.link_customers(
            actor=request.user,
            agent_id=customer.pk,
            principal_id=data["member"],
            type_id=data["type"].pk,
            agent_may=form.may("agent"),
            principal_may=form.may("principal"),
        ),
    )
    if tried.ok:
        link = tried.result
        return done(request, back_to, f"{customer.full_name} and {link.principal.full_name} are now linked.")
    text = searched_text(request)
    context = {
        "mode": "create",
        "form": form,
        "customer": customer,
        "other": chosen_customer(request),
        "form_url": form_url,
        "next": back_to,
        "searched": text,
        "results": candidates(
            text, why_not=partial(queries.why_not_linked, customer=customer), on_profile=customer
        ),
    }
    return _editor(request, context, status=tried.status)


def _own_link(customer, link_id):
    """The link as seen from this profile: the row where the customer is the agent."""
    side = get_object_or_404(Link.objects.select_related("type", "principal"), pk=link_id, agent=customer)
    twin = get_object_or_404(Link, agent=side.principal_id, principal=customer)
    return side, twin


@require_http_methods(["GET", "POST"])
@linking_feature
@staff_required("linking.change_link")
def link_change(request, customer_id, link_id):
    customer = get_live_customer(customer_id)
    side, twin = _own_link(customer, link_id)
    back_to = next_url(request, customer.get_absolute_url())
    if request.method == "POST":
        form = LinkForm(request.POST, customer=customer, keep_type=side.type, choosing=False)
    else:
        initial = {"type": side.type_id, "version": side.version}
        for field in PERMISSION_FIELDS:
            initial[f"agent_{field}"] = getattr(side, field)
            initial[f"principal_{field}"] = getattr(twin, field)
        initial.update(_initial_from_get(request) if "retype" in request.GET else {})
        form = LinkForm(initial=initial, customer=customer, keep_type=side.type, choosing=False)
    tried = attempt(
        request,
        form,
        lambda data: services.change_link(
            actor=request.user,
            link_id=side.pk,
            version=data["version"] or 0,
            type_id=data["type"].pk,
            agent_may=form.may("agent"),
            principal_may=form.may("principal"),
        ),
    )
    if tried.ok:
        return done(request, back_to, f"The link with {side.principal.full_name} was saved.")
    context = {
        "mode": "change",
        "form": form,
        "customer": customer,
        "other": side.principal,
        "form_url": reverse("linking:change", args=[customer.pk, side.pk]),
        "next": back_to,
    }
    return _editor(request, context, status=tried.status)


@require_POST
@linking_feature
@staff_required("linking.delete_link")
def link_remove(request, customer_id, link_id):
    customer = get_live_customer(customer_id)
    side, _ = _own_link(customer, link_id)
    back_to = next_url(request, customer.get_absolute_url())
    try:
        services.unlink(actor=request.user, link_id=side.pk)
    except KinshipError as error:
        return refused(request, error, back_to)
    return done(
        request, back_to, f"{customer.full_name} and {side.principal.full_name} are no longer linked."
    )


@require_GET
@linking_feature
@staff_required("linking.view_link")
def relations(request, customer_id):
    """Every relation of a customer: their groups, their links both ways, and merges."""
    customer = get_customer(customer_id)  # a tombstone too: its list says where it went
    context = {
        "customer": customer,
        "groups": groups_of(customer),
        "links": queries.links_of(customer),
        **merges_of(customer),
    }
    return render(request, "linking/relations.html", context)


@require_GET
@linking_feature
@staff_required("linking.view_accessreview")
def access_reviews(request):
    """The Manager's daily list: clients who have turned 18 while others may act for them."""
    return render(request, "linking/access_reviews.html", {"due": queries.reviews_due()})


@require_POST
@linking_feature
@staff_required("linking.add_accessreview")
def review_access(request, customer_id):
    customer = get_customer(customer_id)
    back_to = next_url(request, reverse("linking:access_reviews"))
    try:
        services.review_access(actor=request.user, customer_id=customer.pk, note=request.POST.get("note", ""))
    except KinshipError as error:
        return refused(request, error, back_to)
    return done(request, back_to, f"{customer.full_name}'s access was reviewed.")
