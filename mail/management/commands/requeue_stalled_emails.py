"""Put back in the queue the emails a worker stopped sending half-way (see
mail.tasks.requeue_stalled). `send_reminders` does it too, so its hourly run covers it."""

from django.core.management.base import BaseCommand

from mail.tasks import LEASE, requeue_stalled


class Command(BaseCommand):
    help = f"Queue again each email a stopped worker left Sending for over {LEASE.seconds // 60} minutes."

    def handle(self, *args, **options):
        self.stdout.write(f"{requeue_stalled()} stalled emails queued again.")
