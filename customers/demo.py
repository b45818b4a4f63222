"""Realistic made-up customers for the demo and for benchmarks at scale.

Everything is drawn from a seeded random generator, so the same call makes the same people.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

GIVEN_FEMALE = (
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Florence "
    "Emily Ella Poppy Evie Elsie Charlotte Evelyn Sienna Sofia Daisy Phoebe Sophie Alice Harper "
    "Matilda Ruby Emilia Maya Millie Isabelle Eva Luna Jessica Aria Esme Anna Chloe Zara Priya "
    "Aisha Fatima Hannah Leah Nora Mei Yasmin Amara Niamh Siobhan Katarzyna Laura Sarah Rachel "
    "Helen Claire Joanne Nicola Karen Susan Margaret Patricia Linda Deborah"
).split()
GIVEN_MALE = (
    "Noah Oliver George Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Freddie Jack "
    "Charlie Theo Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac Teddy Alexander "
    "Luca Edward James Joshua Albie Elijah Max Mohammed Reggie Hugo Sebastian Rory Ethan Omar "
    "Aarav Kwame Tariq Liam Sean Piotr Mateusz Daniel David Michael Paul Mark Richard Andrew "
    "Stephen Peter Ian Graham Kevin Gary Robert"
).split()
FAMILY = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen "
    "James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook "
    "Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson "
    "Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali "
    "Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell "
    "Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur "
    "Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks "
    "West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton O'Brien Watts Rose "
    "Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster "
    "Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland "
    "Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Shah "
    "Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross "
    "Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson Robson "
    "Curtis Hopkins O'Connor Harper Coleman Watkins Moss McCarthy Chambers O'Neill Griffin Sharp "
    "Hardy Wheeler Potter Osborne Johnston Gordon Doyle Wallace George Jordan Hutchinson Rahman "
    "Nowak Kowalski Okafor Mensah Nguyen Chen Wang Li Zhang Kim Silva Santos Rossi Costa Novak "
    "Ivanova Schmidt Muller Dubois Garcia Martinez Lopez Fernandez Haddad Yilmaz"
).split()
MAIL_HOSTS = ("example.com", "example.org", "example.net", "mail.example.com")
NOTE_LINES = (
    "Prefers morning appointments.",
    "Allergic to latex — use the non-latex gloves.",
    "Pays by card at the desk.",
    "Ask about the loyalty card next visit.",
    "Hard of hearing in the left ear; speak clearly.",
    "Brings the children after school on Tuesdays.",
    "Prefers text reminders to email.",
    "Parking permit needed for the side entrance.",
)


@dataclass
class Person:
    first_name: str
    last_name: str
    email: str
    phone: str
    date_of_birth: date | None
    notes: str = ""
    archived: bool = False


def _phone(rng):
    return f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}"


def _email(rng, first, last):
    local = f"{first}.{last}".lower().replace("'", "")
    return f"{local}{rng.randint(1, 99) if rng.random() < 0.4 else ''}@{rng.choice(MAIL_HOSTS)}"


def _born(rng, today, youngest, oldest):
    return today - timedelta(days=rng.randint(youngest * 365, oldest * 365 + 364))


def households(count, *, seed=2026, today=None):
    """Make about `count` people in households: families with children, couples, singles.

    Families share a family name, and now and then an email address, as real ones do.
    Yield households, each a list of `Person`, until `count` people have been made.
    """
    rng = random.Random(seed)
    today = today or date.today()
    made = 0
    while made < count:
        family = rng.choice(FAMILY)
        shape = rng.random()
        parent = _adult(rng, today, family, female=rng.random() < 0.5)
        home = [parent]
        if shape < 0.55:  # a family: one or two parents and one to four children
            if rng.random() < 0.7:
                partner = _adult(rng, today, family, female=parent.first_name not in GIVEN_FEMALE)
                if rng.random() < 0.3:
                    partner.email = parent.email  # one shared family address
                home.append(partner)
            for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 4))):
                first = rng.choice(GIVEN_FEMALE if rng.random() < 0.5 else GIVEN_MALE)
                home.append(
                    Person(
                        first_name=first,
                        last_name=family,
                        email=parent.email if rng.random() < 0.6 else "",
                        phone="",
                        date_of_birth=_born(rng, today, 1, 17),
                    )
                )
        elif shape < 0.75:  # a couple, sometimes with different family names
            other = family if rng.random() < 0.6 else rng.choice(FAMILY)
            home.append(_adult(rng, today, other, female=rng.random() < 0.5))
        yield home
        made += len(home)


def _adult(rng, today, family, *, female):
    first = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    return Person(
        first_name=first,
        last_name=family,
        email=_email(rng, first, family) if rng.random() < 0.9 else "",
        phone=_phone(rng) if rng.random() < 0.85 else "",
        date_of_birth=_born(rng, today, 19, 85) if rng.random() < 0.8 else None,
        notes=rng.choice(NOTE_LINES) if rng.random() < 0.15 else "",
        archived=rng.random() < 0.03,
    )


#: A note on the demo's duplicate accounts, so that loading the demo again adds none.
DUPLICATE_NOTE = "Registered again at the desk (a duplicate account)."


def make_duplicates(stdout):
    """A few customers registered twice, as happens at a busy desk, for Possible Duplicates."""
    from customers.models import Customer
    from customers.services import create_customer

    if Customer.objects.filter(notes=DUPLICATE_NOTE).exists():
        return
    originals = list(
        Customer.objects.filter(merged_into__isnull=True, archived_at__isnull=True)
        .exclude(email="")
        .exclude(phone="")
        .order_by("pk")[:200:40]
    )
    for number, original in enumerate(originals[:4]):
        changes = [
            {"email": original.email.upper()},  # the same address, typed in capitals
            {"email": "", "phone": original.phone},  # no email this time, the same phone
            {"email": "", "phone": ""},  # only the name
            {"email": original.email, "date_of_birth": original.date_of_birth},
        ][number]
        create_customer(
            actor=None,
            first_name=original.first_name,
            last_name=original.last_name if number != 1 else f"{original.last_name}-Hill",
            notes=DUPLICATE_NOTE,
            **changes,
        )
    stdout.write(f"  {min(len(originals), 4)} duplicate accounts to merge (Possible Duplicates).")
