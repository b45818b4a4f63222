from django.urls import path

from bookings.views import appointments, catalogue, intake, packages

app_name = "bookings"

urlpatterns = [
    path("bookings/day/", appointments.day, name="day"),
    path("services/", catalogue.service_list, name="services"),
    path("services/new/", catalogue.service_form, name="service_create"),
    path("services/<id:service_id>/", catalogue.service_form, name="service_edit"),
    path("bookings/<id:appointment_id>/mark/", appointments.mark, name="mark"),
    path("bookings/<id:appointment_id>/redeem/", packages.redeem, name="redeem"),
    path("customers/<id:customer_id>/bookings/book/", appointments.book, name="book"),
    path(
        "customers/<id:customer_id>/bookings/<id:appointment_id>/cancel/",
        appointments.cancel,
        name="cancel",
    ),
    path("customers/<id:customer_id>/bookings/<id:appointment_id>/move/", appointments.move, name="move"),
    path(
        "customers/<id:customer_id>/bookings/<id:appointment_id>/forms/",
        intake.request_form,
        name="request_form",
    ),
    path("customers/<id:customer_id>/forms/<id:request_id>/", intake.fill_form, name="fill_form"),
    path("customers/<id:customer_id>/packages/buy/", packages.buy_package, name="buy_package"),
    path("customers/<id:customer_id>/packages/<id:package_id>/receipt/", packages.receipt, name="receipt"),
    path("intake-forms/", catalogue.form_list, name="forms"),
    path("intake-forms/new/", catalogue.form_edit, name="form_create"),
    path("intake-forms/<id:form_id>/", catalogue.form_edit, name="form_edit"),
]
