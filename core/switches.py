"""Reading the superuser switches (django-waffle) that turn features on, once per request."""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from waffle import get_waffle_switch_model, switch_is_active


def switch_on(request, name):
    """Whether switch `name` is on, with every switch read once per request.

    Waffle reads switches from the shared database cache, so a page that shows a menu, a
    tab, a panel and a badge, governed by several switches, asks once rather than four times.
    """
    if request is None:
        return switch_is_active(name)
    if not hasattr(request, "_switches"):
        switches = get_waffle_switch_model().get_all()
        request._switches = {switch.name: switch.is_active() for switch in switches}
    return request._switches.get(name, False)


def feature(is_on, what):
    """A view decorator: answer 404, as if the pages did not exist, while `is_on(request)` is
    false; `what` names the feature in the message a page left open gets."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not is_on(request):
                if request.htmx:  # a page opened before the switch went off: say why it failed
                    messages.error(request, f"{what} has been switched off. Reload the page.")
                raise Http404(f"{what} is switched off.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
