from django.urls import path

from client_groups import views

app_name = "client_groups"

urlpatterns = [
    path("client-groups/", views.segment_list, name="list"),
    path("client-groups/new/", views.segment_create, name="create"),
    path("client-groups/bulk/", views.bulk, name="bulk"),
    path("client-groups/<id:segment_id>/", views.segment_detail, name="detail"),
    path("client-groups/<id:segment_id>/edit/", views.segment_edit, name="edit"),
    path("client-groups/<id:segment_id>/delete/", views.segment_delete, name="delete"),
    path("client-groups/<id:segment_id>/export.csv", views.segment_export, name="export"),
    path("customers/<id:customer_id>/client-groups/add/", views.profile_add, name="profile_add"),
    path(
        "customers/<id:customer_id>/client-groups/<id:segment_id>/remove/",
        views.profile_remove,
        name="profile_remove",
    ),
]
