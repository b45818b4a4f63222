from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import views

urlpatterns = [
    path("health/", views.health, name="health"),
    path("favicon.ico", views.favicon),
    path("login/", views.ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The admin signs in through the same throttled form as the back office.
    path("admin/login/", views.ThrottledLoginView.as_view()),
    path("admin/", admin.site.urls),
    path("", include("groups.urls")),
    path("", include("client_groups.urls")),
    path("", include("linking.urls")),
    path("", include("billing.urls")),
    path("", include("bookings.urls")),
    path("", include("mail.urls")),
    path("", include("customers.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
