"""The Django admin, for those `is_staff` lets in: superusers, and whoever a superuser makes
staff. A back-office role (Front desk, Manager) does not open it."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.urls import reverse


class KinshipAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        """Answer 403 to a logged-in user who may not use the admin.

        Django sends them to the admin's login page, but ours is the throttled back-office
        login, which sends a logged-in user straight back: a redirect loop for every Front
        desk or Manager who follows an old bookmark to /admin/.
        """
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            user = request.user
            if (
                user.is_authenticated
                and not self.has_permission(request)
                and request.path != reverse("admin:logout", current_app=self.name)
            ):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)


class KinshipAdminConfig(AdminConfig):
    default_site = "config.admin_site.KinshipAdminSite"
