"""Project-level views: health check, throttled login and the styled error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@never_cache
@require_GET
def health(request):
    """Answer a load balancer's probe with one `SELECT 1`: the app and its database are up."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_GET
def favicon(request):
    """Browsers ask every site for /favicon.ico: Kinship's pages say there is none, but the
    Django admin's do not. Answer at once with nothing, touching neither the session nor the
    database (a 404 would look the visitor up, for every admin page)."""
    return HttpResponse(status=204, headers={"Cache-Control": "max-age=86400"})


def _failure_keys(request, username):
    address = request.META.get("REMOTE_ADDR", "")
    return [f"login-failures:user:{username.lower()}", f"login-failures:addr:{address}"]


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuse logins after too many failures for one username or from one address.

    The counters live in the shared cache, so every app server sees the same count.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed attempts. Wait a few minutes, then try again.",
    }

    def clean(self):
        keys = _failure_keys(self.request, self.cleaned_data.get("username") or "")
        if any(cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT for key in keys):
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except ValidationError:
            for key in keys:
                cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW)
                cache.incr(key)
            raise


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: the failure may be the database that the context would query.
    return HttpResponse(render_to_string("500.html"), status=500)
