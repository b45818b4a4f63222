from django.urls import path

from bookings import views

app_name = "bookings"

urlpatterns = [
    path("bookings/day/", views.day, name="day"),
    path("services/", views.service_list, name="services"),
    path("services/new/", views.service_form, name="service_create"),
    path("services/<int:service_id>/", views.service_form, name="service_edit"),
    path("bookings/<int:appointment_id>/mark/", views.mark, name="mark"),
    path("customers/<int:customer_id>/bookings/book/", views.book, name="book"),
    path("customers/<int:customer_id>/bookings/<int:appointment_id>/cancel/", views.cancel, name="cancel"),
]
