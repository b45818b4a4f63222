from datetime import date, datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Lower
from django.urls import reverse

from core.validators import validate_multi_line, validate_single_line
from customers.validators import EARLIEST_BIRTH, validate_date_of_birth


def _search_text():
    """The one lower-case string that customer search matches against.

    Family name first, so a short prefix ("Sm") finds families; then the given name, the
    email and the phone digits, so any part of any of them finds the customer.
    """
    return Lower(
        Concat(
            "last_name",
            Value(" "),
            "first_name",
            Value(" "),
            "email",
            Value(" "),
            "phone_digits",
            output_field=models.TextField(),
        )
    )


class Customer(models.Model):
    """A person the business serves."""

    first_name = models.CharField("first name", max_length=100, validators=[validate_single_line])
    last_name = models.CharField("last name", max_length=100, validators=[validate_single_line])
    # Not unique: families often share one address.
    # The email validator lets a bidi override through in the domain part.
    email = models.EmailField(blank=True, validators=[validate_single_line])
    phone = models.CharField(max_length=32, blank=True, validators=[validate_single_line])
    # The phone's digits alone, so "07700 900123" and "07700900123" find the same person.
    phone_digits = models.CharField(max_length=32, blank=True, editable=False)
    date_of_birth = models.DateField(
        "date of birth", null=True, blank=True, validators=[validate_date_of_birth]
    )
    notes = models.TextField(blank=True, validators=[validate_multi_line])
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when a merge folds this customer into another; the row stays as a tombstone.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="absorbed",
        editable=False,
        db_index=False,  # see the partial index "customer_tombstones"
    )
    merged_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Raised by every edit; an edit form that carries an older version is stale.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_text = models.GeneratedField(
        expression=_search_text(),
        output_field=models.TextField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        permissions = [("merge_customer", "Can merge duplicate customers")]
        indexes = [
            # The customer list's and the admin's order. Not partial: the admin lists
            # tombstones too, and they are too few for a partial index to save anything.
            models.Index(fields=["last_name", "first_name", "id"], name="customer_name_order"),
            # Finding who was merged into whom; tombstones are few, live customers many.
            models.Index(
                fields=["merged_into"],
                name="customer_tombstones",
                condition=Q(merged_into__isnull=False),
            ),
            # Possible Duplicates probes these for each customer it looks at.
            models.Index(Lower("email"), "first_name", name="customer_email_first", condition=~Q(email="")),
            models.Index(
                fields=["phone_digits", "first_name"],
                name="customer_phone_first",
                condition=~Q(phone_digits=""),
            ),
            # Search's trigram and prefix indexes on `search_text` are PostgreSQL-only and
            # live in migration 0002, outside the model state, so that SQLite (which
            # rebuilds tables on some schema changes) never tries to create them.
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_name="") & ~Q(last_name=""),
                name="customer_has_name",
                violation_error_message="A customer needs a first and a last name.",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")),
                name="customer_not_merged_into_self",
            ),
            # "Not in the future" moves with the clock, so only the form and service say it.
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True) | Q(date_of_birth__gte=EARLIEST_BIRTH),
                name="customer_born_after_1900",
                violation_error_message="Enter a date of birth after 1900.",
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True, merged_at__isnull=True)
                | Q(merged_into__isnull=False, merged_at__isnull=False),
                name="customer_merge_has_time",
            ),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("customers:profile", args=[self.pk])

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def is_archived(self):
        return self.archived_at is not None

    @property
    def is_merged(self):
        return self.merged_into_id is not None

    def age(self, today=None):
        """Return the age in whole years, or None when the date of birth is unknown."""
        if self.date_of_birth is None:
            return None
        today = today or date.today()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class Activity(models.Model):
    """One line of a customer's history, in words a receptionist reads."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: The action code ("group.member_added"): what happened, one of the actions the apps
    #: declare (customers/history.py), which also gives its area for the History filter.
    kind = models.CharField("action", max_length=64)
    #: What the action's sentence needs (names, amounts in minor units, ISO dates), from which
    #: the line is put into words when shown. Empty on lines written before it was kept. The
    #: database default lets a bulk INSERT … SELECT leave it out.
    data = models.JSONField(
        default=dict, db_default=Value({}, models.JSONField()), blank=True, encoder=DjangoJSONEncoder
    )
    #: The sentence as written at the time: what lines without data show, and a snapshot.
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["customer", "-id"], name="activity_history"),
            # The History tab filtered to one area: the lines of a few actions of one customer.
            models.Index(fields=["customer", "kind", "-id"], name="activity_history_by_action"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(message=""), name="activity_has_message"),
        ]

    def __str__(self):
        return self.sentence

    @property
    def sentence(self):
        """What the line says: rendered from its action and data, or as stored."""
        from customers import history

        return history.sentence(self.kind, self.data, self.message)

    @property
    def area(self):
        from customers import history

        declared = history.actions().get(self.kind)
        return declared.area if declared else ""


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder keeps only milliseconds of a time; Undo Merge must restore them exactly."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


class Merge(models.Model):
    """The record of one merge: who folded which duplicate into which survivor, and what moved."""

    survivor = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_kept")
    absorbed = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_absorbed")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: What moved, for people: [[what, how many], ...] in the order the preview showed.
    moved = models.JSONField(default=list)
    #: What moved and what folds changed, row by row, for Undo Merge (customers/merging.py).
    journal = models.JSONField(default=dict, encoder=ExactJSONEncoder)
    #: The survivor's details before the merge filled the empty ones in.
    filled = models.JSONField(default=dict, encoder=ExactJSONEncoder)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(survivor=F("absorbed")), name="merge_not_into_self"),
            # A customer is absorbed once at a time; after Undo Merge it may be merged again.
            models.UniqueConstraint(
                fields=["absorbed"], condition=Q(undone_at__isnull=True), name="merge_absorbs_once"
            ),
        ]

    def __str__(self):
        return f"{self.absorbed} merged into {self.survivor}"

    @property
    def is_undone(self):
        return self.undone_at is not None


class LoginAttempts(models.Model):
    """Failed logins counted under one key (a username at an address, or an address) since
    `window_started_at`; the counter every app server shares, kept by customers.throttle."""

    key = models.CharField(max_length=255, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "login attempts"
        # Expired windows are deleted by one range DELETE on this (customers.throttle).
        indexes = [models.Index(fields=["window_started_at"], name="login_attempts_window")]

    def __str__(self):
        return f"{self.key}: {self.count}"
