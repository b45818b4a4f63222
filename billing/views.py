"""Posting to the ledger and sharing an account, from a customer's Billing tab and Summary.

Each form is small and posts with htmx: on success the customer's tabs reload in place
(balances, chart and ledger together); a refusal re-draws the form with the reason. Every
form also works without JavaScript, and the whole feature answers 404 while its switch is off.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from billing import queries, services
from billing.features import billing_feature
from billing.forms import AdjustForm, CreditLimitForm, LinkForm, PostForm, ReverseForm, UnlinkForm
from billing.models import Entry
from billing.money import format_money
from core.access import staff_required
from core.errors import KinshipError
from core.ids import is_id
from core.responses import (
    attempt,
    done,
    embedded,
    form_status,
    next_url,
    refusal_status,
    refused,
)
from customers.picker import candidates, chosen_customer, render_picker, searched_text
from customers.queries import get_live_customer

FORMS = "billing/forms.html"


def _back(request, customer):
    return next_url(request, reverse("customers:profile_tab", args=[customer.pk, "billing"]))


def _form(request, customer, name, form, status):
    """Re-draw one form with what was wrong: in place for htmx, else on a page of its own."""
    context = {
        "customer": customer,
        "form": form,
        "next": _back(request, customer),
        "embedded": embedded(request),
    }
    if request.htmx:
        return render(request, f"{FORMS}#{name}", context, status=status)
    return render(request, "billing/form_page.html", {**context, "name": name}, status=status)


def _posted(request, customer, form, name, action, success):
    """Run `action` (a service call) for a valid form; done, or the form with why not."""
    status = 200
    if form.is_valid():
        try:
            entry = action(form.cleaned_data)
        except services.AlreadyPosted as error:
            return done(request, _back(request, customer), error.message)
        except KinshipError as error:
            status = form_status(form, error)
        else:
            return done(request, _back(request, customer), success(entry))
    return _form(request, customer, name, form, status)


WORDS = {
    "charge": "Charged {amount} to {name}'s house account.",
    "payment": "Took a payment of {amount} from {name}.",
    "credit_issued": "Issued {amount} of store credit to {name}.",
    "credit_redeemed": "Redeemed {amount} of {name}'s store credit.",
}


@require_POST
@billing_feature
@staff_required("billing.add_entry")
def post_entry(request, customer_id):
    customer = get_live_customer(customer_id)
    form = PostForm(request.POST)

    def action(data):
        return services.post(
            actor=request.user,
            customer_id=customer.pk,
            kind=data["kind"],
            amount=data["amount"],
            memo=data["memo"],
            key=data["key"],
        )

    def success(entry):
        return WORDS[entry.kind].format(amount=format_money(entry.amount), name=customer.full_name)

    return _posted(request, customer, form, "post-form", action, success)


@require_POST
@billing_feature
@staff_required("billing.adjust_balance")
def adjust_entry(request, customer_id):
    customer = get_live_customer(customer_id)
    form = AdjustForm(request.POST)

    def action(data):
        return services.adjust(
            actor=request.user,
            customer_id=customer.pk,
            balance=data["balance"],
            amount=form.signed_amount(),
            memo=data["memo"],
            key=data["key"],
        )

    return _posted(request, customer, form, "adjust-form", action, lambda entry: "The adjustment was posted.")


@require_POST
@billing_feature
@staff_required("billing.reverse_entry")
def reverse_entry(request, customer_id, entry_id):
    customer = get_live_customer(customer_id)
    entry = get_object_or_404(Entry, pk=entry_id, account__holders__customer=customer)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        return refused(request, KinshipError("Reload the page and try again."), _back(request, customer))
    try:
        services.reverse(
            actor=request.user,
            entry_id=entry.pk,
            memo=form.cleaned_data["memo"],
            key=form.cleaned_data["key"],
        )
    except services.AlreadyPosted as error:
        return done(request, _back(request, customer), error.message)
    except KinshipError as error:
        return refused(request, error, _back(request, customer))
    return done(
        request,
        _back(request, customer),
        f"The {entry.get_kind_display().lower()} of {format_money(entry.amount)} was reversed.",
    )


@require_POST
@billing_feature
@staff_required("billing.change_account")
def credit_limit(request, customer_id):
    customer = get_live_customer(customer_id)
    form = CreditLimitForm(request.POST)
    tried = attempt(
        request,
        form,
        lambda data: services.set_credit_limit(
            actor=request.user, customer_id=customer.pk, limit=data["limit"], version=data["version"]
        ),
    )
    if tried.ok:
        limit = form.cleaned_data["limit"]
        said = "The credit limit was removed."
        if limit is not None:
            said = f"The credit limit is now {format_money(limit)}."
        return done(request, _back(request, customer), said)
    return _form(request, customer, "limit-form", form, tried.status)


# Partners.


def _summary(request, customer):
    return next_url(request, customer.get_absolute_url())


def _editor(request, template, context, status=200):
    return render_picker(request, template, context, editor_id="partner-editor", status=status)


@require_http_methods(["GET", "POST"])
@billing_feature
@staff_required("billing.add_accountholder")
def partner_link(request, customer_id):
    """Link Partner Account: search and select the partner, choose the Primary Account, see
    what moves, confirm."""
    customer = get_live_customer(customer_id)
    back_to = _summary(request, customer)
    form_url = reverse("billing:partner_link", args=[customer.pk])
    source = request.POST if request.method == "POST" else request.GET
    partner = chosen_customer(request)
    if partner is None and (source.get("select") or source.get("member")):
        raise Http404("That customer does not exist or was merged into another account.")
    text = searched_text(request)
    context = {
        "customer": customer,
        "form_url": form_url,
        "next": back_to,
        "partner": partner,
        "searched": text,
    }
    status = 200
    if partner is None:
        context["results"] = candidates(text, why_not=queries.why_not_partners, on_profile=customer)
        return _editor(request, "billing/partner_link.html", context)
    # Bound once Continue was pressed (the step says so), so "choose one" can be said.
    chose = "primary" in source or source.get("step") == "primary"
    form = LinkForm(source if chose else None, customer=customer, partner=partner)
    context["form"] = form
    if form.is_bound and form.is_valid():
        primary = customer if int(form.cleaned_data["primary"]) == customer.pk else partner
        context.update(queries.link_preview(customer, partner, primary))
        context["primary"] = primary
        if request.method == "POST":
            try:
                services.link_partner(
                    actor=request.user,
                    customer_id=customer.pk,
                    partner_id=partner.pk,
                    primary_id=primary.pk,
                    token=form.cleaned_data["token"],
                )
            except KinshipError as error:
                context["error"] = error.message
                status = refusal_status(error)
                context.update(queries.link_preview(customer, partner, primary))
            else:
                return done(
                    request,
                    back_to,
                    f"{customer.full_name} and {partner.full_name} now share {primary.full_name}'s account.",
                )
    return _editor(request, "billing/partner_link.html", context, status)


@require_http_methods(["GET", "POST"])
@billing_feature
@staff_required("billing.delete_accountholder")
def partner_unlink(request, customer_id):
    """Unlink Partner Account, from either profile, optionally moving part of the balances to
    the partner who leaves."""
    customer = get_live_customer(customer_id)
    back_to = _summary(request, customer)
    view = queries.account_of(customer)
    if view.partner is None:
        return refused(
            request, KinshipError(f"{customer.full_name} does not share an account with a partner."), back_to
        )
    leaving = view.holder if not view.holder.is_primary else view.partner
    form = UnlinkForm(request.POST or None, initial={"version": view.account.version})
    tried = attempt(
        request,
        form,
        lambda data: services.unlink_partner(
            actor=request.user,
            customer_id=customer.pk,
            house=data["house"] or 0,
            credit=data["credit"] or 0,
            version=data["version"],
        ),
    )
    if tried.ok:
        return done(request, back_to, f"{leaving.customer.full_name} no longer shares the account.")
    context = {"customer": customer, "view": view, "leaving": leaving, "form": form, "next": back_to}
    return _editor(request, "billing/partner_unlink.html", context, tried.status)


@require_POST
@billing_feature
@staff_required("billing.change_accountholder")
def partner_primary(request, customer_id):
    """Set as Primary: this customer becomes the Primary Account of the account they share."""
    customer = get_live_customer(customer_id)
    back_to = _summary(request, customer)
    version = request.POST.get("version", "")
    try:
        services.set_primary(
            actor=request.user,
            customer_id=customer.pk,
            version=int(version) if is_id(version) else -1,
        )
    except KinshipError as error:
        return refused(request, error, back_to)
    return done(request, back_to, f"{customer.full_name} is now the Primary Account.")
