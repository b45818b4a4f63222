"""How a view that changes something answers, the same way in every app.

An action's form can sit inside a customer's tabs (opened by htmx) or on a page of its
own (a plain link, or no JavaScript). On success the tabs reload in place, the form's
own page goes back where it came from, and a plain POST redirects; a refusal without a
form to show it in answers with its status and says why.
"""

import json
from dataclasses import dataclass
from urllib.parse import urlparse

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from core.errors import KinshipError


def next_url(request, fallback):
    """Where to go back to: the page the form was opened from (if it is ours), else `fallback`."""
    wanted = request.POST.get("next") or request.GET.get("next")
    # A path only (our forms send request.get_full_path()): `redirect()` reads any other
    # word ("abc", "0") as the name of a URL pattern, and failed to reverse it with a 500.
    if (
        wanted
        and wanted.startswith("/")
        and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()})
    ):
        return wanted
    return fallback


def embedded(request):
    """Whether the form is shown inside a customer's tabs, rather than on a page of its own."""
    return bool(request.htmx) and urlparse(request.htmx.current_url or "").path != request.path


def done(request, back_to, message):
    """Report success and go back: htmx reloads only the tabs, a plain POST redirects."""
    messages.success(request, message)
    if embedded(request):
        location = {"path": back_to, "target": "#customer-tabs", "swap": "outerHTML"}
        return HttpResponse(status=204, headers={"HX-Location": json.dumps(location)})
    return go_to(request, back_to)


def go_to(request, url):
    """Go to `url` after a change: htmx follows HX-Redirect (a full page load, so the page's
    messages show), a plain POST a redirect."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def refused(request, error, back_url):
    """Say why an action without a form of its own was refused; nothing was changed."""
    if request.htmx:
        messages.error(request, error.message)
    return render(
        request, "refused.html", {"message": error.message, "back_url": back_url}, status=error.status
    )


@dataclass(frozen=True)
class Attempt:
    """What came of a form's action: `ok` with the service's `result`, or not, with the
    status to render the form with (200 when not submitted or invalid, 409 when stale)."""

    ok: bool = False
    result: object = None
    status: int = 200


def attempt(request, form, action):
    """For a POST whose form is valid, call `action(form.cleaned_data)`, the one service
    call; a refusal (KinshipError) goes on the form as its error and changes nothing."""
    if request.method != "POST" or not form.is_valid():
        return Attempt()
    try:
        return Attempt(ok=True, result=action(form.cleaned_data))
    except KinshipError as error:
        return Attempt(status=form_status(form, error))


def form_status(form, error):
    """Show a service's refusal on the form; the status to render it with (409 when stale)."""
    form.add_error(None, error.message)
    return refusal_status(error)


def refusal_status(error):
    """The status to show a refusal in its form with: 200, as form errors are, or 409 when stale."""
    return error.status if error.status != 400 else 200


def targets(request, fragment_id):
    """Whether this is an HTMX request that wants only the element `fragment_id`."""
    htmx = request.htmx
    return bool(htmx) and not htmx.history_restore_request and htmx.target == fragment_id
