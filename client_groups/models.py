"""Client groups (VIP, Trade, Students…): named groups for categorising customers, chosen
by staff or following rules (client_groups/rules.py)."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from core.validators import validate_multi_line, validate_single_line
from customers.models import Customer


class Segment(models.Model):
    """A client group for categorising customers (VIP, Trade, Students…); "Client Groups"
    on screen. A customer may be in many.

    Its members are either chosen by staff (`SegmentMember` rows) or, when it has `rules`,
    computed from data the system holds (client_groups/rules.py) and never edited by hand.
    """

    name = models.CharField(max_length=80, validators=[validate_single_line])
    description = models.TextField(blank=True, validators=[validate_multi_line])
    #: Empty for a group whose members staff choose; otherwise {rule field: value}, every
    #: rule of which a member meets (client_groups/rules.py).
    rules = models.JSONField(default=dict, blank=True)
    # Raised by every edit; an edit form that carries an older version is stale.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "client group"
        ordering = [Lower("name"), "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="segment_unique_name",
                violation_error_message="There is already a client group with that name.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="segment_has_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_rule_based(self):
        return bool(self.rules)


class SegmentMember(models.Model):
    """A customer placed in a client group by staff."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="segment_memberships")
    # Not auto_now_add: Undo Merge puts a folded membership back with its own date.
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "client group member"
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "customer"],
                name="segment_member_once",
                violation_error_message="This customer is already in this client group.",
            ),
        ]
        indexes = [
            # A profile's and the client list's badges: every group of these customers.
            models.Index(fields=["customer", "segment"], name="segment_member_by_customer"),
        ]

    def __str__(self):
        return f"{self.customer} in {self.segment}"
