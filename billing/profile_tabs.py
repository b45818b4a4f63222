"""The Billing tab, and the Partner panel on the Summary tab."""

import uuid

from billing import queries
from billing.chart import balance_chart
from billing.features import billing_on
from billing.forms import AdjustForm, CreditLimitForm, PostForm
from billing.money import money_input
from core.ids import is_id


def account_for(request, customer):
    """The customer's account view, read once per request (the tab and the panel share it)."""
    cache = request.__dict__.setdefault("_billing_accounts", {})
    if customer.pk not in cache:
        cache[customer.pk] = queries.account_of(customer)
    return cache[customer.pk]


def visible(request, customer):
    return billing_on(request) and request.user.has_perm("billing.view_account") and not customer.is_merged


def billing_context(request, customer):
    view = account_for(request, customer)
    before = request.GET.get("before")
    account = view.account
    user = request.user
    ledger = queries.ledger_page(account, before=int(before) if is_id(before) else None)
    for entry in ledger.entries:  # each Reverse button posts once, however often it is clicked
        entry.reverse_key = uuid.uuid4()
    return {
        "view": view,
        "account": account,
        "ledger": ledger,
        "chart": balance_chart(queries.chart_entries(account)),
        "post_form": PostForm() if user.has_perm("billing.add_entry") and not customer.is_archived else None,
        "adjust_form": AdjustForm() if user.has_perm("billing.adjust_balance") else None,
        "limit_form": (
            CreditLimitForm(initial={"limit": money_input(account.credit_limit), "version": account.version})
            if account is not None and user.has_perm("billing.change_account")
            else None
        ),
        "can_reverse": user.has_perm("billing.reverse_entry"),
    }


def partner_context(request, customer):
    user = request.user
    return {
        "view": account_for(request, customer),
        "can_link": user.has_perm("billing.add_accountholder") and not customer.is_archived,
        "can_unlink": user.has_perm("billing.delete_accountholder"),
        "can_set_primary": user.has_perm("billing.change_accountholder"),
    }
