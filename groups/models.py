"""Linked-account groups: a family or a care arrangement, its members and their labels."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from core.validators import validate_single_line
from customers.models import Customer


class MemberLabel(models.Model):
    """What a group calls a member (Parent, Nanny, Child, Carer…). Superusers edit the list.

    A label is retired rather than deleted once members use it: retired labels are no
    longer offered, but members who have one keep it.
    """

    name = models.CharField(max_length=50, validators=[validate_single_line])
    is_active = models.BooleanField(
        "offered",
        default=True,
        help_text="Untick to retire the label: members keep it, new ones can't choose it.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Labels are offered in this order.")

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="member_label_unique_name",
                violation_error_message="There is already a label with that name.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="member_label_has_name"),
        ]

    def __str__(self):
        return self.name if self.is_active else f"{self.name} (retired)"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    DEPENDENT = "dependent", "Dependent"


#: Roles whose profiles manage the group's members.
MANAGING_ROLES = (Role.OWNER, Role.ADMIN)


class CustomerGroup(models.Model):
    """A family or care arrangement: one Owner, any Admins and Dependents."""

    name = models.CharField(max_length=120, validators=[validate_single_line])
    # Raised by every rename; a rename form that carries an older version is stale.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "group"
        ordering = ["name", "id"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="customer_group_has_name")]

    def __str__(self):
        return self.name


class GroupMember(models.Model):
    """A customer's place in a group: their role and label."""

    group = models.ForeignKey(CustomerGroup, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="group_memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    label = models.ForeignKey(MemberLabel, on_delete=models.PROTECT, related_name="members")
    # True for an Admin who joined while Admins may belong to several groups: only such
    # memberships are exempt from "a customer belongs to at most one group".
    in_several_groups = models.BooleanField(default=False, editable=False)
    # Raised by every change of role or label; an edit form with an older one is stale.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Not auto_now_add: Undo Merge puts a folded place back with its own date.
    joined_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["group", "id"]
        constraints = [
            # The rule "a customer belongs to at most one group", by name so that a later
            # migration can lift it. Admins who may be in several groups are exempt.
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(in_several_groups=False),
                name="customer_in_one_group",
                violation_error_message="This customer is already in a group.",
            ),
            models.UniqueConstraint(
                fields=["group", "customer"],
                name="group_member_once",
                violation_error_message="This customer is already in this group.",
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(role=Role.OWNER),
                name="group_has_one_owner",
                violation_error_message="A group has exactly one Owner.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="group_member_role_known",
            ),
            models.CheckConstraint(
                condition=Q(in_several_groups=False) | Q(role=Role.ADMIN),
                name="group_member_only_admins_in_several",
            ),
        ]

    def __str__(self):
        return f"{self.customer} ({self.get_role_display()}, {self.label.name}) in {self.group}"

    @property
    def manages(self):
        """Whether this member's profile manages the group's members."""
        return self.role in MANAGING_ROLES

    def may_leave_among(self, group_size):
        """The Owner leaves last: anyone else may leave, and the Owner once alone."""
        return self.role != Role.OWNER or group_size == 1
