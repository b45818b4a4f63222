"""The demo's client groups: the five every business starts with, with realistic members,
and one that follows rules."""

import random
from datetime import date

from django.contrib.auth import get_user_model
from waffle.models import Switch

from client_groups import services
from client_groups.features import CLIENT_GROUPS
from client_groups.models import Segment
from customers.models import Customer

#: (name, description, who may be in it, how many)
CHOSEN = (
    (
        "Trade Customers",
        "Businesses and tradespeople on trade pricing; invoices go to their house account.",
        (25, 65),
        14,
    ),
    ("VIP", "Our most loyal clients: first call on new appointments and the seasonal events.", (30, 80), 9),
    ("Students", "Student discount on off-peak sessions; check the student card each term.", (16, 25), 16),
    ("Staff & Friends", "Staff, their families and friends of the business: staff rate.", (18, 70), 7),
    ("Marketing Opt-In", "Agreed to receive the newsletter and offers by email.", (18, 90), 60),
)
RULED = (
    "Seniors 65+",
    "Worked out from the date of birth: everyone aged 65 or over, for the seniors' rate.",
    {"age_from": 65},
)


def make_segments(stdout):
    """Switch client groups on and make the demo's groups, once."""
    Switch.objects.update_or_create(name=CLIENT_GROUPS, defaults={"active": True})
    if Segment.objects.exists():
        return
    actor = get_user_model().objects.filter(username="manager").first()
    rng = random.Random(2026)
    today = date.today()
    people = list(
        Customer.objects.filter(
            merged_into__isnull=True, archived_at__isnull=True, date_of_birth__isnull=False
        )
        .order_by("pk")
        .only("pk", "date_of_birth", "email")[:2000]
    )
    for name, description, (youngest, oldest), count in CHOSEN:
        segment = services.create_segment(actor=actor, name=name, description=description)
        fits = [
            p
            for p in people
            if youngest <= p.age(today) <= oldest and (p.email or name != "Marketing Opt-In")
        ]
        chosen = rng.sample(fits, min(count, len(fits)))
        services.add_customers(
            actor=actor,
            segment_id=segment.pk,
            customers=Customer.objects.filter(pk__in=[p.pk for p in chosen]),
        )
    name, description, rules = RULED
    services.create_segment(actor=actor, name=name, description=description, rules=rules)
    stdout.write(f"  {len(CHOSEN) + 1} client groups, one of them rule-based; client groups switched on.")
