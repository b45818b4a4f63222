"""The demo's week of appointments starts today, so a fresh demo's Day View has visits."""

import html

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bookings.models import Appointment

pytestmark = pytest.mark.django_db


def test_the_demo_week_includes_today_and_the_day_view_shows_it(client, manager_user):
    call_command("load_demo_data", customers=60)
    today = timezone.localdate()
    todays = Appointment.objects.filter(starts_at__date=today)
    days = {
        timezone.localtime(a.starts_at).date() for a in Appointment.objects.filter(starts_at__date__gte=today)
    }

    assert todays.count() >= 5
    assert min(days) == today and max(days) <= today + timezone.timedelta(days=7)
    client.force_login(manager_user)
    page = html.unescape(client.get(reverse("bookings:day")).content.decode())
    for appointment in todays.select_related("attendee"):
        assert appointment.attendee.full_name in page
