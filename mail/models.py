from django.db import models
from django.db.models import Q

from customers.models import Customer


class Email(models.Model):
    """One email to one address, kept as the log of what went to whom.

    Written in the transaction of the change it tells about, and sent after that commits by a
    background task (mail.tasks), so a slow mail server never holds up a desk and an
    email never goes out about a change that was rolled back.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        #: Claimed by a worker, which is talking to the mail server (mail.tasks).
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        NO_ADDRESS = "no_address", "Not sent: no email address"

    #: The customer it went to; empty when staff typed an address of someone not a customer.
    recipient = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="emails_received"
    )
    #: Whose appointment, form or account it is about. A copy to a linked client has
    #: `about` set to the other person.
    about = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="emails_about"
    )
    to_address = models.EmailField(blank=True)
    #: A short machine name ("booking.confirmation"); the log shows the subject.
    kind = models.CharField(max_length=64)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    #: Tries that met a mail server's passing trouble; the task tries again a few times
    #: (mail.tasks.RETRY_AFTER) before marking the email failed.
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    #: When a worker last claimed it to send (status Sending until it records how it went).
    #: A claim older than mail.tasks.LEASE is a worker that stopped mid-send.
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    #: Set for emails that must go once only (a reminder per appointment and recipient).
    once_key = models.CharField(max_length=100, null=True, blank=True, unique=True, editable=False)
    #: The email that went again in place of this one (it failed, or there was no address).
    #: Set once, so a second click sends nothing more.
    sent_again_as = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sent_again_from",
        editable=False,
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="email_recipient_log"),
            models.Index(fields=["about", "-id"], name="email_about_log"),
            # The few rows being sent, for finding claims that outlived their lease.
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="email_sending_claims"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sending", "sent", "failed", "no_address"]),
                name="email_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False), name="email_sending_is_claimed"
            ),
            models.CheckConstraint(
                condition=Q(status="no_address") | ~Q(to_address=""), name="email_has_address_unless_unsent"
            ),
        ]

    def __str__(self):
        return f"{self.subject} to {self.to_address or 'nobody'}"

    @property
    def may_send_again(self):
        return self.sent_again_as_id is None and self.status in (self.Status.FAILED, self.Status.NO_ADDRESS)

    @property
    def is_copy(self):
        return self.about_id is not None and self.about_id != self.recipient_id
