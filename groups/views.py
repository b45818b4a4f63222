"""Creating a group and managing its members, from the Owner's or an Admin's profile.

Forms are shown in the Summary tab's group panel (HTMX) or as a page of their own; every
action is a plain POST that also works without JavaScript. The whole feature answers 404
while its switch is off.
"""

from functools import partial

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.access import staff_required
from core.errors import KinshipError
from core.responses import attempt, done, next_url, refused
from customers.picker import candidates, chosen_customer, render_picker, searched_text
from customers.queries import get_live_customer
from groups import queries, services
from groups.features import groups_feature
from groups.forms import AddMemberForm, ChangeMemberForm, GroupCreateForm, RenameGroupForm
from groups.models import MANAGING_ROLES, GroupMember

EDITOR = "groups/editor.html"


def _managing(customer_id, group_id):
    """The profile's customer and their membership of the group, if it lets them manage it."""
    customer = get_live_customer(customer_id)
    membership = get_object_or_404(
        GroupMember.objects.select_related("group"),
        customer=customer,
        group_id=group_id,
        role__in=MANAGING_ROLES,
    )
    return customer, membership.group


def _editor(request, context, *, status=200):
    """Render a group form: the fragment for htmx, or a page of its own."""
    return render_picker(request, EDITOR, context, editor_id="group-editor", status=status)


def _search_context(request, form_url, *, customer, group=None):
    text = searched_text(request)
    why_not = partial(queries.why_not_in_group, group=group)
    results = candidates(text, why_not=why_not, on_profile=customer)
    return {"form_url": form_url, "results": results, "searched": text}


@require_http_methods(["GET", "POST"])
@groups_feature
@staff_required("groups.add_customergroup")
def group_create(request, customer_id):
    customer = get_live_customer(customer_id)
    form_url = reverse("groups:create", args=[customer.pk])
    back_to = next_url(request, customer.get_absolute_url())
    if request.method == "POST":
        form = GroupCreateForm(request.POST)
    else:
        form = GroupCreateForm(initial=request.GET.dict())
    tried = attempt(
        request,
        form,
        lambda data: services.create_group(
            actor=request.user,
            owner_id=customer.pk,
            owner_label_id=data["owner_label"].pk,
            name=data["name"],
            member_id=data["member"] or None,
            member_role=data["role"],
            member_label_id=data["label"].pk if data["label"] else None,
        ),
    )
    if tried.ok:
        group = tried.result
        return done(request, back_to, f"The group “{group.name}” was created.")
    context = {
        "mode": "create",
        "form": form,
        "customer": customer,
        "selected": chosen_customer(request),
        "next": back_to,
        **_search_context(request, form_url, customer=customer),
    }
    return _editor(request, context, status=tried.status)


@require_http_methods(["GET", "POST"])
@groups_feature
@staff_required("groups.add_groupmember")
def member_add(request, customer_id, group_id):
    customer, group = _managing(customer_id, group_id)
    form_url = reverse("groups:add", args=[customer.pk, group.pk])
    back_to = next_url(request, customer.get_absolute_url())
    form = (
        AddMemberForm(request.POST) if request.method == "POST" else AddMemberForm(initial=request.GET.dict())
    )
    tried = attempt(
        request,
        form,
        lambda data: services.add_member(
            actor=request.user,
            group_id=group.pk,
            customer_id=data["member"],
            role=data["role"],
            label_id=data["label"].pk,
        ),
    )
    if tried.ok:
        member = tried.result
        return done(request, back_to, f"{member.customer.full_name} was added to “{group.name}”.")
    context = {
        "mode": "add",
        "form": form,
        "customer": customer,
        "group": group,
        "selected": chosen_customer(request),
        "next": back_to,
        **_search_context(request, form_url, customer=None, group=group),
    }
    return _editor(request, context, status=tried.status)


def _member(group, member_id):
    return get_object_or_404(
        GroupMember.objects.select_related("customer", "label"), pk=member_id, group=group
    )


@require_http_methods(["GET", "POST"])
@groups_feature
@staff_required("groups.change_groupmember")
def member_change(request, customer_id, group_id, member_id):
    customer, group = _managing(customer_id, group_id)
    member = _member(group, member_id)
    back_to = next_url(request, customer.get_absolute_url())
    initial = {"role": member.role, "label": member.label_id, "version": member.version}
    form = ChangeMemberForm(request.POST or None, initial=initial, member=member)
    tried = attempt(
        request,
        form,
        lambda data: services.change_member(
            actor=request.user,
            member_id=member.pk,
            role=data["role"],
            label_id=data["label"].pk,
            version=data["version"],
        ),
    )
    if tried.ok:
        return done(request, back_to, f"{member.customer.full_name}'s place in “{group.name}” was saved.")
    context = {
        "mode": "change",
        "form": form,
        "customer": customer,
        "group": group,
        "member": member,
        "form_url": reverse("groups:change", args=[customer.pk, group.pk, member.pk]),
        "next": back_to,
    }
    return _editor(request, context, status=tried.status)


@require_POST
@groups_feature
@staff_required("groups.delete_groupmember")
def member_remove(request, customer_id, group_id, member_id):
    customer, group = _managing(customer_id, group_id)
    member = _member(group, member_id)
    back_to = next_url(request, customer.get_absolute_url())
    if member.customer_id == customer.pk:
        # Whoever leaves, the page to return to must still show the group: their own
        # profile would not, when the group is gone or they managed it from there.
        back_to = customer.get_absolute_url()
    try:
        remaining = services.remove_member(actor=request.user, member_id=member.pk)
    except KinshipError as error:
        return refused(request, error, back_to)
    if remaining is None:
        return done(request, back_to, f"{member.customer.full_name} left “{group.name}”; the group is gone.")
    return done(request, back_to, f"{member.customer.full_name} was removed from “{group.name}”.")


@require_http_methods(["GET", "POST"])
@groups_feature
@staff_required("groups.change_customergroup")
def group_rename(request, customer_id, group_id):
    customer, group = _managing(customer_id, group_id)
    back_to = next_url(request, customer.get_absolute_url())
    form = RenameGroupForm(request.POST or None, initial={"name": group.name, "version": group.version})
    tried = attempt(
        request,
        form,
        lambda data: services.rename_group(
            actor=request.user,
            group_id=group.pk,
            name=data["name"],
            version=data["version"],
        ),
    )
    if tried.ok:
        renamed = tried.result
        return done(request, back_to, f"The group is now called “{renamed.name}”.")
    context = {
        "mode": "rename",
        "form": form,
        "customer": customer,
        "group": group,
        "form_url": reverse("groups:rename", args=[customer.pk, group.pk]),
        "next": back_to,
    }
    return _editor(request, context, status=tried.status)
