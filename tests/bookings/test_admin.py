"""The Django admin shows packages, intake forms, requests, the email log and access reviews
to superusers, and lets nobody rewrite what happened (a redeemed package, an answered form, a
sent email)."""

import pytest
from django.urls import reverse

from bookings.models import FormRequest, IntakeForm, Package
from linking.models import AccessReview
from mail.models import Email

pytestmark = pytest.mark.django_db

LOGS = [Package, FormRequest, Email, AccessReview]


@pytest.mark.parametrize("model", [*LOGS, IntakeForm], ids=lambda m: m.__name__)
def test_each_list_opens(admin_client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("model", LOGS, ids=lambda m: m.__name__)
def test_records_of_what_happened_cannot_be_added_here(admin_client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    assert admin_client.get(url).status_code == 403


def test_a_form_that_was_asked_cannot_be_deleted(admin_user):
    from datetime import timedelta

    from django.contrib.admin.sites import site
    from django.utils import timezone

    from bookings.models import Appointment, Service
    from tests.factories import CustomerFactory

    form = IntakeForm.objects.create(
        name="Health", questions=[{"text": "Ok?", "kind": "yes_no", "required": True}]
    )
    model_admin = site._registry[IntakeForm]
    request = type("Request", (), {"user": admin_user})()
    assert model_admin.has_delete_permission(request, form)

    starts_at = timezone.now() + timedelta(days=1)
    appointment = Appointment.objects.create(
        attendee=CustomerFactory(),
        service=Service.objects.create(name="Massage", duration_minutes=60, price=5000),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
    )
    FormRequest.objects.create(
        appointment=appointment, form=form, subject=appointment.attendee, questions=form.questions
    )
    assert not model_admin.has_delete_permission(request, form)


def test_an_intake_form_changed_in_the_admin_counts_as_a_save(admin_client):
    form = IntakeForm.objects.create(
        name="Health", questions=[{"text": "Ok?", "kind": "yes_no", "required": True}]
    )
    url = reverse("admin:bookings_intakeform_change", args=[form.pk])
    data = {"name": "Health check", "questions": '[{"text": "Ok?", "kind": "yes_no", "required": true}]'}
    assert admin_client.post(url, data).status_code == 302
    form.refresh_from_db()
    assert (form.name, form.version) == ("Health check", 2)


def test_a_service_changed_in_the_admin_counts_as_a_save(admin_client):
    """So a Manager's Services form opened before it is refused, not saved over it."""
    from bookings.models import Service

    yoga = Service.objects.create(name="Yoga", duration_minutes=60, price=1000)
    url = reverse("admin:bookings_service_change", args=[yoga.pk])
    data = {"name": "Yoga", "duration_minutes": 45, "price": 1000, "is_active": "on"}
    assert admin_client.post(url, data).status_code == 302
    yoga.refresh_from_db()
    assert (yoga.duration_minutes, yoga.version) == (45, 2)
