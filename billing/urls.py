from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("customers/<id:customer_id>/billing/post/", views.post_entry, name="post"),
    path("customers/<id:customer_id>/billing/adjust/", views.adjust_entry, name="adjust"),
    path("customers/<id:customer_id>/billing/limit/", views.credit_limit, name="limit"),
    path(
        "customers/<id:customer_id>/billing/entries/<id:entry_id>/reverse/",
        views.reverse_entry,
        name="reverse",
    ),
    path("customers/<id:customer_id>/partner/link/", views.partner_link, name="partner_link"),
    path("customers/<id:customer_id>/partner/unlink/", views.partner_unlink, name="partner_unlink"),
    path("customers/<id:customer_id>/partner/primary/", views.partner_primary, name="partner_primary"),
]
