"""Who may use the back office: logged-in staff holding a named model permission."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def staff_required(permission):
    """Let through only staff users who hold `permission` ("app.codename").

    Anonymous users go to the login page (LoginRequiredMiddleware does this too, but a
    view must not depend on middleware order); everyone else without it gets a 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_active and user.is_staff and user.has_perm(permission)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.permission_required = permission
        return wrapped

    return decorator
