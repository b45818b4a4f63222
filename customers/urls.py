from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("", views.front_desk, name="front_desk"),
    path("desk/<id:customer_id>/", views.front_desk, name="desk"),
    path("desk/<id:customer_id>/<slug:tab>/", views.front_desk, name="desk_tab"),
    path("customers/", views.customer_list, name="list"),
    path("customers/count/", views.customer_count, name="count"),
    path("customers/new/", views.customer_create, name="create"),
    path("customers/duplicates/", views.possible_duplicates, name="duplicates"),
    path("customers/<id:customer_id>/", views.profile, name="profile"),
    path("customers/<id:customer_id>/edit/", views.customer_edit, name="edit"),
    path("customers/<id:customer_id>/archive/", views.customer_archive, name="archive"),
    path("customers/<id:customer_id>/restore/", views.customer_restore, name="restore"),
    path("customers/<id:customer_id>/merge/", views.merge, name="merge"),
    path("merges/<id:merge_id>/undo/", views.undo_merge, name="undo_merge"),
    # Last, so that the fixed words above are never read as tab names.
    path("customers/<id:customer_id>/<slug:tab>/", views.profile, name="profile_tab"),
]
