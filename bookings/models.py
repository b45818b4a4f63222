"""Services the business offers and the appointments booked for them, for a customer or, on
their behalf, by someone who may act for them (linking.authority decides who)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from customers.models import Customer


class Service(models.Model):
    """Something a customer books: a haircut, a class, a massage. Retired rather than deleted
    once booked, so past appointments keep it."""

    name = models.CharField(max_length=80)
    duration_minutes = models.PositiveSmallIntegerField("duration (minutes)")
    #: In minor units of settings.CURRENCY.
    price = models.BigIntegerField()
    is_active = models.BooleanField("offered", default=True, help_text="Untick to retire the service.")

    class Meta:
        ordering = [Lower("name"), "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="service_unique_name",
                violation_error_message="There is already a service with that name.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="service_has_name"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=600),
                name="service_duration_sensible",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="service_price_not_negative"),
        ]

    def __str__(self):
        return self.name if self.is_active else f"{self.name} (retired)"


class Status(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "No-show"


class Appointment(models.Model):
    """One visit: who attends, which service, when; and, when someone booked it on the
    attendee's behalf, who."""

    attendee = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="appointments")
    #: The linked client or group manager who booked it for the attendee; empty when the
    #: attendee booked for themselves.
    booked_by = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments_booked"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    #: Raised by every change; a form that carries an older one is stale.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["attendee", "starts_at"], name="appointment_attendee_time"),
            models.Index(fields=["booked_by", "starts_at"], name="appointment_booker_time"),
            models.Index(fields=["starts_at"], name="appointment_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="appointment_status_known"),
            models.CheckConstraint(
                condition=~Q(booked_by=F("attendee")), name="appointment_not_on_own_behalf"
            ),
            # On PostgreSQL also: one attendee's booked appointments never overlap
            # (an exclusion constraint, migration 0002).
        ]

    def __str__(self):
        return f"{self.service.name} for {self.attendee} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_upcoming(self):
        return self.status == Status.BOOKED and self.ends_at > timezone.now()
