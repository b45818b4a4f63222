from django.urls import path

from mail import views

app_name = "mail"

urlpatterns = [
    # Under the customer whose Emails tab offers it, as before the email log had its own app.
    path(
        "customers/<id:customer_id>/emails/<id:email_id>/send-again/",
        views.send_email_again,
        name="send_email_again",
    ),
]
