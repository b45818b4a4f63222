"""Who may use the back office: active users holding a named model permission.

The permission comes from a role (the Front desk and Manager auth groups; superusers hold
every permission). `is_staff` plays no part here: it keeps Django's meaning, "may use the
Django admin", which a back-office role does not open.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def staff_required(permission):
    """Let through only active users who hold `permission` ("app.codename").

    Anonymous users go to the login page (LoginRequiredMiddleware does this too, but a
    view must not depend on middleware order); everyone else without it gets a 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_active and user.has_perm(permission)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.permission_required = permission
        return wrapped

    return decorator
