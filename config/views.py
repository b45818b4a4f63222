"""Project-level views: health check, throttled login and the styled error pages."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from customers import throttle


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


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuse logins after too many failures for one username at one address, or from one
    address (customers.throttle, which says how and why)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed attempts. Wait a few minutes, then try again.",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if not (username and self.cleaned_data.get("password")):
            return super().clean()  # No password is checked, so there is nothing to count.
        address = throttle.client_address(self.request)
        reservation = throttle.reserve_attempt(username=username, address=address)
        if reservation is None:
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        # A wrong password raises here and keeps its place on the counters.
        cleaned_data = super().clean()
        throttle.release_attempt(reservation)
        return cleaned_data


class ThrottledLoginView(LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True


def bad_request(request, exception=None):
    # No request context, as for a 500: a 400 can come from a session that could not be
    # saved because the database went away after the change itself was committed.
    return HttpResponse(render_to_string("400.html"), status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: the failure may be the database that the context would query.
    return HttpResponse(render_to_string("500.html"), status=500)
