"""Services the business offers and the appointments booked for them, for a customer or, on
their behalf, by someone who may act for them (linking.authority decides who)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from core.validators import validate_single_line
from customers.models import Customer


class Service(models.Model):
    """Something a customer books: a haircut, a class, a massage. Retired rather than deleted
    once booked, so past appointments keep it."""

    name = models.CharField(max_length=80, validators=[validate_single_line])
    duration_minutes = models.PositiveSmallIntegerField("duration (minutes)")
    #: In minor units of settings.CURRENCY.
    price = models.BigIntegerField()
    is_active = models.BooleanField("offered", default=True, help_text="Untick to retire the service.")
    #: Counts the saves, so a Manager's form opened before another's save is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

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

    @property
    def has_started(self):
        """Whether it may be marked attended or a no-show, and may no longer be moved."""
        return self.starts_at <= timezone.now()


class Package(models.Model):
    """Sessions of one service bought in advance: charged to the owner's house account when
    bought, one session used by each attended appointment paid from it."""

    owner = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="packages")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="packages")
    sessions = models.PositiveSmallIntegerField()
    used = models.PositiveSmallIntegerField(default=0, editable=False)
    #: What the whole package cost, in minor units; charged to the owner's account.
    price = models.BigIntegerField()
    #: The ledger entry that charged it (none for a free package).
    charge = models.OneToOneField(
        "billing.Entry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="package",
        editable=False,
    )
    #: The selling form's one-time key: a double-clicked Sell Package sells once, free or not.
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    bought_at = models.DateTimeField(default=timezone.now, editable=False)
    bought_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-bought_at", "-id"]
        indexes = [models.Index(fields=["owner", "service"], name="package_owner_service")]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions__gte=1, sessions__lte=200), name="package_sessions_sensible"
            ),
            models.CheckConstraint(condition=Q(used__lte=F("sessions")), name="package_never_over_redeemed"),
            models.CheckConstraint(condition=Q(price__gte=0), name="package_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.sessions} × {self.service.name} ({self.left} left)"

    @property
    def left(self):
        return self.sessions - self.used


class Redemption(models.Model):
    """One session of a package paying for one attended appointment, perhaps of someone other
    than the package's owner (a linked client with Can Use Sessions from Packages)."""

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="redemptions")
    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="redemption")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Session of {self.package} for {self.appointment}"


class QuestionKind(models.TextChoices):
    TEXT = "text", "Short answer"
    LONG = "long", "Paragraph"
    YES_NO = "yes_no", "Yes or no"
    NUMBER = "number", "Number"
    DATE = "date", "Date"


class IntakeForm(models.Model):
    """A form staff ask a client to fill in before a visit: a few typed questions, kept as
    a list of {"text", "kind", "required"} (a request copies them, so editing the form later
    never changes what someone answered)."""

    name = models.CharField(max_length=80, validators=[validate_single_line])
    questions = models.JSONField(default=list)
    is_active = models.BooleanField("in use", default=True, help_text="Untick to stop requesting it.")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = [Lower("name"), "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="intake_form_unique_name",
                violation_error_message="There is already a form with that name.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="intake_form_has_name"),
        ]

    def __str__(self):
        return self.name if self.is_active else f"{self.name} (not in use)"


class FormRequest(models.Model):
    """An intake form asked of the person an appointment is for, and, once filled in, their
    answers and who gave them (the client, or a linked client with Complete Intake Forms)."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="form_requests")
    form = models.ForeignKey(IntakeForm, on_delete=models.PROTECT, related_name="requests")
    #: The person the form is about: the appointment's attendee.
    subject = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="intake_forms")
    #: The questions as they were asked.
    questions = models.JSONField(default=list, editable=False)
    answers = models.JSONField(null=True, blank=True, editable=False)
    requested_at = models.DateTimeField(default=timezone.now, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="intake_forms_completed"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["subject", "-requested_at"], name="form_request_subject")]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "form"],
                name="form_requested_once_per_appointment",
                violation_error_message="That form was already requested for this appointment.",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True, completed_by__isnull=True, answers__isnull=True)
                | Q(completed_at__isnull=False, completed_by__isnull=False, answers__isnull=False),
                name="form_request_completed_whole",
            ),
        ]

    def __str__(self):
        return f"{self.form.name} for {self.subject}"

    @property
    def is_complete(self):
        return self.completed_at is not None

    @property
    def answered(self):
        """(question, answer) pairs for display."""
        answers = self.answers or {}
        return [(q["text"], answers.get(str(i), "")) for i, q in enumerate(self.questions)]
