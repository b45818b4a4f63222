"""The superuser switches (django-waffle) that govern account linking and client groups.

Each is made, switched off, by a data migration, so superusers find them in the admin.
"""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from waffle import get_waffle_switch_model, switch_is_active

#: Groups, their members, the Linked Accounts tab and everything linking adds later.
ACCOUNT_LINKING = "account_linking"
#: Lets an Admin (a carer, a nanny) belong to several groups; Owners and Dependents stay in one.
ADMINS_IN_SEVERAL_GROUPS = "admins_in_several_groups"
#: Client groups (segments): VIP, Trade, Students…, their filter and bulk actions.
CLIENT_GROUPS = "client_groups"


def _switch_on(request, name):
    """Whether switch `name` is on, with every switch read once per request.

    Waffle reads switches from the shared database cache, so a page that shows a menu, a
    tab, a panel and a badge, governed by two switches, asks once rather than four times.
    """
    if request is None:
        return switch_is_active(name)
    if not hasattr(request, "_switches"):
        request._switches = {
            switch.name: switch.is_active() for switch in get_waffle_switch_model().get_all()
        }
    return request._switches.get(name, False)


def account_linking_on(request=None):
    return _switch_on(request, ACCOUNT_LINKING)


def client_groups_on(request=None):
    return _switch_on(request, CLIENT_GROUPS)


def admins_in_several_groups():
    return switch_is_active(ADMINS_IN_SEVERAL_GROUPS)


def _feature(is_on, what):
    """A view decorator: answer 404, as if the pages did not exist, while the switch is off."""

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


linking_feature = _feature(account_linking_on, "Account linking")
client_groups_feature = _feature(client_groups_on, "Client groups")
