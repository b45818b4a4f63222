import json
import time

from django.conf import settings
from django.contrib.messages import get_messages


class HtmxMessagesMiddleware:
    """Hand queued messages to an HTMX request as an `HX-Trigger` event.

    A full page shows messages as toasts from the template; a fragment has nowhere to show
    them, so the page's script turns the `messages` event into the same toasts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or 300 <= response.status_code < 400:
            return response
        if "HX-Redirect" in response.headers or "HX-Location" in response.headers:
            return response
        storage = get_messages(request)
        queued = [{"level": message.level_tag, "text": str(message)} for message in storage]
        if not queued:
            return response
        triggers = _parse_triggers(response.headers.get("HX-Trigger", ""))
        triggers["messages"] = queued
        response.headers["HX-Trigger"] = json.dumps(triggers)
        return response


def _parse_triggers(header):
    """Read an `HX-Trigger` header, which is either JSON or comma-separated event names."""
    if not header:
        return {}
    try:
        triggers = json.loads(header)
    except ValueError:
        return {name.strip(): None for name in header.split(",") if name.strip()}
    return triggers if isinstance(triggers, dict) else {str(triggers): None}


def _about_nobody(request):
    """Whether the request is for something that is the same for everyone (static files, the
    load balancer's probe, the favicon), answered without looking up the visitor: asking
    who they are would cost a session query on requests built to cost none."""
    path = request.path_info
    return path in ("/health/", "/favicon.ico") or path.startswith("/" + settings.STATIC_URL.lstrip("/"))


class NoStoreMiddleware:
    """Tell browsers and proxies to keep no copy of any page shown to a logged-in user.

    Front desks share computers: Back after logging out, or the next person's browser
    history, must not bring back a customer's details, emails or a CSV export. `no-store`
    replaces whatever a view said (Django's `private`, `max-age=0`…), since any cached copy
    is one too many. Goes after AuthenticationMiddleware, which says who the user is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not _about_nobody(request) and request.user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response


#: The session key holding when the session's expiry was last pushed on (Unix seconds).
LAST_SEEN = "kinship_last_seen"
#: Push the expiry on at most this often: each push writes the session row.
REFRESH_EVERY = 60


class SessionIdleMiddleware:
    """End a logged-in session after `SESSION_IDLE_TIMEOUT` seconds without a request.

    Django sets a session's expiry (SESSION_COOKIE_AGE, which settings make the idle
    timeout) only when the session is saved, and saves it only when it changes, so on its
    own a busy desk would be logged out a working day after logging in. Saving it on every
    request (SESSION_SAVE_EVERY_REQUEST) would write a row per page; instead this changes
    the session, so Django saves it and pushes the expiry on, at most once a minute. An
    idle session expires by Django's own check, to within that minute.

    Logging in saved the session a moment ago, so until the first push the login's time
    stands in: the first page after logging in writes nothing either.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = None if _about_nobody(request) else request.user
        if user is not None and user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(LAST_SEEN) or (user.last_login.timestamp() if user.last_login else 0)
            if now - seen >= REFRESH_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
