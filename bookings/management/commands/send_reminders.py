"""Queue reminder emails for appointments in the next day; run it every hour or so (cron, a
systemd timer). Each appointment's reminder goes once to each recipient, however often it runs."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from bookings.services.reminders import send_reminders
from mail.tasks import requeue_stalled


class Command(BaseCommand):
    help = "Email a reminder to each client (and copies to linked clients) of tomorrow's appointments, once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=int, default=24, help="Remind of appointments starting within this many hours."
        )

    def handle(self, *args, hours, **options):
        queued = send_reminders(ahead=timedelta(hours=hours))
        self.stdout.write(f"{queued} reminder emails queued.")
        # The hourly run that already exists also rescues emails a stopped worker left
        # Sending, so a deployment needs no second cron line for it.
        stalled = requeue_stalled()
        if stalled:
            self.stdout.write(f"{stalled} stalled emails queued again.")
