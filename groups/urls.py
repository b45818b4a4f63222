from django.urls import path

from groups import views

app_name = "groups"

# Under the customer whose profile manages the group, so that a Dependent's profile (which
# only shows the group) has no URLs to manage it from.
urlpatterns = [
    path("customers/<id:customer_id>/group/new/", views.group_create, name="create"),
    path("customers/<id:customer_id>/group/<id:group_id>/add/", views.member_add, name="add"),
    path("customers/<id:customer_id>/group/<id:group_id>/rename/", views.group_rename, name="rename"),
    path(
        "customers/<id:customer_id>/group/<id:group_id>/members/<id:member_id>/",
        views.member_change,
        name="change",
    ),
    path(
        "customers/<id:customer_id>/group/<id:group_id>/members/<id:member_id>/remove/",
        views.member_remove,
        name="remove",
    ),
]
