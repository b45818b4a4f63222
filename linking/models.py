"""Links between two customers: how they are related and what each may do for the other."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from core.validators import validate_single_line
from customers.models import Customer


class Permission(models.TextChoices):
    """The four things an agent may do on behalf of a principal. Each value is the name of a
    field of `Link` (and of `RelationshipType`, its default there), each label the words on
    screen; everyone who asks linking.authority names the permission with one of these."""

    CAN_BOOK = "can_book", "Book and Manage Appointments"
    CAN_COMPLETE_FORMS = "can_complete_forms", "Complete Intake Forms"
    RECEIVES_COPIES = "receives_copies", "Receive Copies of Appointment Notification Emails"
    CAN_USE_PACKAGES = "can_use_packages", "Can Use Sessions from Packages"


#: (field, words on screen) for each permission, in screen order.
PERMISSIONS = tuple(Permission.choices)
PERMISSION_FIELDS = tuple(Permission.values)


class RelationshipType(models.Model):
    """How one customer is related to another: Parent, Child, Partner… Superusers edit them.

    Each type names its reverse (a Parent's other side is a Child); a symmetric type
    (Partner, Sibling) has no reverse and is its own. The defaults say what someone of
    this type may do for the other, and pre-fill the form when a link is set up.
    """

    name = models.CharField(max_length=50, validators=[validate_single_line])
    reverse = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reverse_of",
        help_text="The other side: Child for Parent. Leave empty when the type is its own reverse (Partner).",
    )
    is_active = models.BooleanField(
        "offered",
        default=True,
        help_text="Untick to retire the type: links keep it, new ones can't choose it.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    can_book = models.BooleanField(Permission.CAN_BOOK.label, default=False)
    can_complete_forms = models.BooleanField(Permission.CAN_COMPLETE_FORMS.label, default=False)
    receives_copies = models.BooleanField(Permission.RECEIVES_COPIES.label, default=False)
    can_use_packages = models.BooleanField(Permission.CAN_USE_PACKAGES.label, default=False)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="relationship_type_unique_name",
                violation_error_message="There is already a relationship type with that name.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="relationship_type_has_name"),
            models.CheckConstraint(condition=~Q(reverse=F("pk")), name="relationship_type_reverse_not_self"),
        ]

    def __str__(self):
        return self.name if self.is_active else f"{self.name} (retired)"

    @property
    def other_side(self):
        """The type of the reciprocal link: the reverse, or this type when symmetric."""
        return self.reverse or self

    def defaults(self):
        return {field: getattr(self, field) for field in PERMISSION_FIELDS}


class Link(models.Model):
    """One direction of a link: the agent is `type` of the principal, and may act for them.

    "Anna is Parent of Ben" is the row (agent Anna, principal Ben, Parent) and its twin is
    (Ben, Anna, Child). The two are made, changed and removed together by the services; on
    PostgreSQL a foreign key from each row to its twin (migration 0002) makes a lone half
    impossible.
    """

    agent = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="links_as_agent")
    principal = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="links_as_principal")
    type = models.ForeignKey(RelationshipType, on_delete=models.PROTECT, related_name="links")
    can_book = models.BooleanField(Permission.CAN_BOOK.label, default=False)
    can_complete_forms = models.BooleanField(Permission.CAN_COMPLETE_FORMS.label, default=False)
    receives_copies = models.BooleanField(Permission.RECEIVES_COPIES.label, default=False)
    can_use_packages = models.BooleanField(Permission.CAN_USE_PACKAGES.label, default=False)
    # Raised by every change of the pair; an edit form with an older one is stale.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Not auto_now_add: Undo Merge puts a folded link back with its own date.
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "principal"],
                name="link_once_per_pair",
                violation_error_message="These two customers are already linked.",
            ),
            models.CheckConstraint(condition=~Q(agent=F("principal")), name="link_not_to_self"),
        ]
        indexes = [models.Index(fields=["principal", "agent"], name="link_by_principal")]

    def __str__(self):
        return f"{self.agent} is {self.type.name} of {self.principal}"

    def permissions(self):
        """The words for what the agent may do for the principal, in screen order."""
        return [words for field, words in PERMISSIONS if getattr(self, field)]


class AccessReview(models.Model):
    """A Manager's review, once someone turns 18, of who may still act for them: after it the
    flag on their profile and on their agents' profiles goes, and the links stay as the
    Manager left them (removing or changing them is done on the links themselves)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="access_reviews")
    reviewed_at = models.DateTimeField(default=timezone.now, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    note = models.CharField(max_length=300, blank=True, validators=[validate_single_line])
    # The date of birth the review was made for: it covers that coming of age only, so a
    # corrected date of birth (or a merge onto someone born on another day) is due again.
    date_of_birth = models.DateField(null=True, editable=False)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["customer", "-reviewed_at"], name="access_review_customer")]

    def __str__(self):
        return f"Access of {self.customer} reviewed {self.reviewed_at:%Y-%m-%d}"
