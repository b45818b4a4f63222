from django.urls import path

from linking import views

app_name = "linking"

urlpatterns = [
    path("access-reviews/", views.access_reviews, name="access_reviews"),
    path("customers/<id:customer_id>/access-review/", views.review_access, name="review_access"),
    path("customers/<id:customer_id>/links/new/", views.link_create, name="create"),
    path("customers/<id:customer_id>/links/<id:link_id>/", views.link_change, name="change"),
    path("customers/<id:customer_id>/links/<id:link_id>/remove/", views.link_remove, name="remove"),
    # Before the customers app's URLs, whose last pattern reads one word as a tab's name.
    path("customers/<id:customer_id>/relations/", views.relations, name="relations"),
]
