"""Load the demo: staff logins and a few hundred realistic customers, or N at scale."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from customers import demo
from customers.models import Activity, Customer
from customers.roles import FRONT_DESK, MANAGER
from customers.services import phone_digits

DEMO_PASSWORD = "kinship-demo"
DEMO_LOGINS = (
    ("frontdesk", "Fran", "Desk", FRONT_DESK),
    ("manager", "Morgan", "Manager", MANAGER),
    ("admin", "Ada", "Admin", None),
)


class Command(BaseCommand):
    help = (
        "Load demo data: the demo logins and a few hundred customers in families. Running it "
        "again adds nothing twice. With --scale N, add N generated customers in bulk instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=320, help="How many demo customers.")
        parser.add_argument("--scale", type=int, help="Generate this many more customers, fast.")
        parser.add_argument("--batch", type=int, default=5000, help="Rows per INSERT in --scale mode.")

    def handle(self, *args, customers, scale, batch, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data and its logins are never loaded where PRODUCTION=true.")
        if scale:
            self.generate(scale, batch)
            return
        with transaction.atomic():
            self.load_logins()
            added = self.load_customers(customers)
            for step in demo.steps:
                step(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {added} customers added."))
        self.stdout.write(
            "Demo logins (password "
            f"{DEMO_PASSWORD}): frontdesk (Front desk), manager (Manager), admin (superuser)."
        )

    def load_logins(self):
        User = get_user_model()
        for username, first, last, role in DEMO_LOGINS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_staff": True,
                    "is_superuser": role is None,
                    "email": f"{username}@example.com",
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            if role:
                user.groups.set([Group.objects.get(name=role)])

    def load_customers(self, count):
        """Add the demo customers that are not there yet; return how many were added."""
        people = [person for home in demo.households(count) for person in home]
        existing = set(Customer.objects.values_list("first_name", "last_name", "email", "date_of_birth"))
        new = [
            _customer(person)
            for person in people
            if (person.first_name, person.last_name, person.email, person.date_of_birth) not in existing
        ]
        created = Customer.objects.bulk_create(new)
        Activity.objects.bulk_create(
            Activity(customer=customer, kind="customer.created", message="Added with the demo data.")
            for customer in created
        )
        return len(created)

    def generate(self, count, batch):
        """Insert `count` generated customers in batches, with one history line each."""
        started = time.monotonic()
        first_new_id = (Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        seed = int(time.time())
        rows, made = [], 0
        for home in demo.households(count, seed=seed):
            rows.extend(_customer(person) for person in home)
            if len(rows) >= batch:
                made += self._insert(rows)
                rows = []
                self.stdout.write(f"  {made:,} customers…", ending="\r")
                self.stdout.flush()
        made += self._insert(rows)
        with connection.cursor() as cursor:
            # One statement for all the history lines, instead of a million objects.
            cursor.execute(
                "INSERT INTO customers_activity (customer_id, kind, message, created_at) "
                "SELECT id, 'customer.created', 'Imported.', created_at "
                "FROM customers_customer WHERE id >= %s",
                [first_new_id],
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE customers_customer; ANALYZE customers_activity")
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Generated {made:,} customers in {seconds:.0f} s."))

    def _insert(self, rows):
        with transaction.atomic():
            return len(Customer.objects.bulk_create(rows))


def _customer(person):
    return Customer(
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        phone=person.phone,
        phone_digits=phone_digits(person.phone),
        date_of_birth=person.date_of_birth,
        notes=person.notes,
        archived_at=timezone.now() if person.archived else None,
    )
