"""House accounts and store credit: one account per customer (as primary or partner), and
the immutable ledger of entries behind its two balances.

Money is whole minor units (pence, cents) in the one currency of `settings.CURRENCY`, so
sums are exact on every database.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.validators import validate_single_line
from customers.models import Customer


class Account(models.Model):
    """A house account and its store credit, shared by a primary customer and at most one partner.

    The balances are kept on the row, changed under its lock by every posting, and always
    equal the sums of the entries' changes.
    """

    #: What is owed on account: charges raise it, payments lower it.
    house_balance = models.BigIntegerField(default=0)
    #: Store credit: issued raises it, redeemed lowers it.
    credit_balance = models.BigIntegerField(default=0)
    #: The most that may be owed on account; no limit when empty.
    credit_limit = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    #: Raised by every change, so a form loaded before one is known to be stale.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(credit_balance__gte=0), name="account_credit_not_negative"),
            models.CheckConstraint(condition=Q(house_balance__gte=0), name="account_house_not_negative"),
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="account_limit_not_negative",
            ),
        ]

    def __str__(self):
        return f"Account #{self.pk}"


class AccountHolder(models.Model):
    """A customer's place on an account: its primary, or the partner who shares it."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="holders")
    #: One account per customer.
    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="account_holder")
    is_primary = models.BooleanField()
    since = models.DateTimeField(default=timezone.now, editable=False)
    # Raised when a merge makes the partner the primary, so Undo Merge can tell.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [
            # At most one primary and one partner on an account.
            models.UniqueConstraint(fields=["account", "is_primary"], name="account_holder_one_of_each"),
        ]

    def __str__(self):
        return f"{self.customer} ({'primary' if self.is_primary else 'partner'}) on {self.account}"


class Kind(models.TextChoices):
    CHARGE = "charge", "Charge"
    PAYMENT = "payment", "Payment"
    CREDIT_ISSUED = "credit_issued", "Credit issued"
    CREDIT_REDEEMED = "credit_redeemed", "Credit redeemed"
    ADJUSTMENT = "adjustment", "Adjustment"
    TRANSFER = "transfer", "Transfer"
    REVERSAL = "reversal", "Reversal"


def _moves(house, credit):
    """The entry changes exactly one balance, by `house` or `credit` (F expressions on amount)."""
    return Q(house_change=house, credit_change=0) | Q(house_change=0, credit_change=credit)


class EntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Ledger entries are never changed; post a reversal instead.")

    def delete(self):
        raise TypeError("Ledger entries are never deleted; post a reversal instead.")


class Entry(models.Model):
    """One line of an account's ledger. Never edited or deleted: on PostgreSQL a trigger
    refuses it (migration 0001), and the model and its queryset refuse it everywhere."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    #: Whom it was for: on a shared account, which partner spent or paid.
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    #: Always positive; the changes say which way the balances moved.
    amount = models.BigIntegerField()
    house_change = models.BigIntegerField(default=0)
    credit_change = models.BigIntegerField(default=0)
    #: The balances just after this entry, for the history chart and the ledger.
    house_after = models.BigIntegerField()
    credit_after = models.BigIntegerField()
    memo = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    # PROTECT: deleting a staff login must not rewrite the ledger; deactivate it instead.
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(default=timezone.now)
    #: The entry a reversal undoes; each entry is reversed at most once.
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    #: A transfer's other half, on the other account.
    counterpart = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: The one-time key of the form that posted it: a double-clicked form posts once.
    request_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entries"
        ordering = ["-id"]
        permissions = [("adjust_balance", "Can post adjustments"), ("reverse_entry", "Can reverse entries")]
        indexes = [models.Index(fields=["account", "-id"], name="entry_ledger")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_positive"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="entry_kind_known"),
            models.CheckConstraint(
                condition=~Q(kind=Kind.CHARGE) | Q(house_change=F("amount"), credit_change=0),
                name="entry_charge_raises_house",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.PAYMENT) | Q(house_change=-F("amount"), credit_change=0),
                name="entry_payment_lowers_house",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.CREDIT_ISSUED) | Q(credit_change=F("amount"), house_change=0),
                name="entry_issue_raises_credit",
            ),
            models.CheckConstraint(
                condition=~Q(kind=Kind.CREDIT_REDEEMED) | Q(credit_change=-F("amount"), house_change=0),
                name="entry_redeem_lowers_credit",
            ),
            models.CheckConstraint(
                condition=_moves(F("amount"), F("amount")) | _moves(-F("amount"), -F("amount")),
                name="entry_moves_one_balance_by_its_amount",
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.REVERSAL, reverses__isnull=False)
                | Q(~Q(kind=Kind.REVERSAL), reverses__isnull=True),
                name="entry_reversal_names_its_original",
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.TRANSFER) | Q(counterpart__isnull=True),
                name="entry_only_transfers_pair",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.amount} on {self.account}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Ledger entries are never changed; post a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Ledger entries are never deleted; post a reversal instead.")
