import json

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
