"""The superuser switches (django-waffle) that govern account linking.

Both are made, switched off, by a data migration, so superusers find them in the admin.
"""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from waffle import switch_is_active

#: Groups, their members, the Linked Accounts tab and everything linking adds later.
ACCOUNT_LINKING = "account_linking"
#: Lets an Admin (a carer, a nanny) belong to several groups; Owners and Dependents stay in one.
ADMINS_IN_SEVERAL_GROUPS = "admins_in_several_groups"


def account_linking_on(request=None):
    """Whether account linking is switched on, asked once per request.

    Waffle reads switches from the shared database cache, so one page that shows a tab,
    a panel and a badge asks once rather than three times.
    """
    if request is None:
        return switch_is_active(ACCOUNT_LINKING)
    if not hasattr(request, "_account_linking_on"):
        request._account_linking_on = switch_is_active(ACCOUNT_LINKING)
    return request._account_linking_on


def admins_in_several_groups():
    return switch_is_active(ADMINS_IN_SEVERAL_GROUPS)


def linking_feature(view):
    """Answer 404, as if the pages did not exist, while account linking is switched off."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not account_linking_on(request):
            if request.htmx:  # a page opened before the switch went off: say why it failed
                messages.error(request, "Account linking has been switched off. Reload the page.")
            raise Http404("Account linking is switched off.")
        return view(request, *args, **kwargs)

    return wrapped
