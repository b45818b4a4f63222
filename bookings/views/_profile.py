"""What the booking actions started from a customer's profile share: where they go back to,
and which appointments that profile may act on."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse

from bookings.models import Appointment
from core.responses import next_url


def back_to_bookings(request, customer):
    return next_url(request, reverse("customers:profile_tab", args=[customer.pk, "bookings"]))


def own_appointment(customer, appointment_id):
    """An appointment this profile shows: the customer's own, or one they booked for someone."""
    return get_object_or_404(
        Appointment.objects.select_related("service", "attendee"),
        Q(attendee=customer) | Q(booked_by=customer),
        pk=appointment_id,
    )
