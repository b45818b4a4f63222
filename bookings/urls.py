from django.urls import path

from bookings import views

app_name = "bookings"

urlpatterns = [
    path("bookings/day/", views.day, name="day"),
    path("services/", views.service_list, name="services"),
    path("services/new/", views.service_form, name="service_create"),
    path("services/<id:service_id>/", views.service_form, name="service_edit"),
    path("bookings/<id:appointment_id>/mark/", views.mark, name="mark"),
    path("bookings/<id:appointment_id>/redeem/", views.redeem, name="redeem"),
    path("customers/<id:customer_id>/bookings/book/", views.book, name="book"),
    path("customers/<id:customer_id>/bookings/<id:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("customers/<id:customer_id>/bookings/<id:appointment_id>/move/", views.move, name="move"),
    path(
        "customers/<id:customer_id>/bookings/<id:appointment_id>/forms/",
        views.request_form,
        name="request_form",
    ),
    path("customers/<id:customer_id>/forms/<id:request_id>/", views.fill_form, name="fill_form"),
    path("customers/<id:customer_id>/packages/buy/", views.buy_package, name="buy_package"),
    path("customers/<id:customer_id>/packages/<id:package_id>/receipt/", views.receipt, name="receipt"),
    path("intake-forms/", views.form_list, name="forms"),
    path("intake-forms/new/", views.form_edit, name="form_create"),
    path("intake-forms/<id:form_id>/", views.form_edit, name="form_edit"),
]
