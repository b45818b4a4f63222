"""The demo's family and care groups: a dozen of every shape, made through the services."""

from datetime import date

from django.contrib.auth import get_user_model
from waffle.models import Switch

from customers import demo
from customers.models import Customer
from groups import services
from groups.features import ACCOUNT_LINKING
from groups.models import CustomerGroup, MemberLabel, Role


def make_groups(stdout):
    """Switch account linking on and make the demo groups, once."""
    Switch.objects.update_or_create(name=ACCOUNT_LINKING, defaults={"active": True})
    if CustomerGroup.objects.exists():
        return
    actor = get_user_model().objects.filter(username="frontdesk").first()
    labels = {label.name: label.pk for label in MemberLabel.objects.all()}
    homes = households()
    families = [h for h in homes if len(h) >= 3 and any(_age(p) < 18 for p in h)]
    singles = [h[0] for h in homes if len(h) == 1 and 20 <= _age(h[0]) < 60]
    elders = [h[0] for h in homes if len(h) == 1 and _age(h[0]) >= 75]
    couples = [h for h in homes if len(h) == 2 and all(_age(p) >= 18 for p in h)]
    if len(families) < 9 or len(singles) < 7 or len(elders) < 3 or not couples:
        stdout.write("  Too few demo customers to make the demo groups of every shape; none made.")
        return
    made = []

    def group(owner, owner_label, others=(), name=""):
        made.append(
            services.create_group(
                actor=actor, owner_id=owner.pk, owner_label_id=labels[owner_label], name=name
            )
        )
        for customer, role, label in others:
            services.add_member(
                actor=actor, group_id=made[-1].pk, customer_id=customer.pk, role=role, label_id=labels[label]
            )
        return made[-1]

    def family(home, extra=()):
        adults = [p for p in home if _age(p) >= 18]
        children = [(p, Role.DEPENDENT, "Child") for p in home if _age(p) < 18]
        others = [(p, Role.ADMIN, "Parent") for p in adults[1:]] + children + list(extra)
        return group(adults[0], "Parent", others)

    for home in families[:5]:  # parents and children
        family(home)
    family(families[5], extra=[(singles[0], Role.ADMIN, "Nanny")])  # with a nanny
    family(families[6], extra=[(singles[1], Role.ADMIN, "Nanny"), (singles[2], Role.ADMIN, "Carer")])
    # Care arrangements: a carer looks after an older person.
    group(singles[3], "Carer", [(elders[0], Role.DEPENDENT, "Parent")], name=f"Care of {elders[0].full_name}")
    group(
        singles[4],
        "Carer",
        [(elders[1], Role.DEPENDENT, "Parent"), (elders[2], Role.DEPENDENT, "Parent")],
        name=f"Care of {elders[1].first_name} and {elders[2].first_name}",
    )
    # Owner alone, just started.
    group(singles[5], "Parent")
    # A couple under a name of their own.
    one, two = next((c for c in couples if c[0].last_name != c[1].last_name), couples[0])
    group(one, "Parent", [(two, Role.ADMIN, "Parent")], name=f"{one.last_name}–{two.last_name} household")
    # Ownership handed over: the History tab shows it.
    handed = family(families[7])
    new_owner = (
        handed.members.filter(role=Role.ADMIN).first() or handed.members.exclude(role=Role.OWNER).first()
    )
    services.change_member(
        actor=actor,
        member_id=new_owner.pk,
        role=Role.OWNER,
        label_id=new_owner.label_id,
        version=new_owner.version,
    )
    # A label retired while someone still has it: they keep it, nobody new can choose it.
    au_pair, _ = MemberLabel.objects.get_or_create(name="Au pair", defaults={"order": 90})
    labels["Au pair"] = au_pair.pk
    family(families[8], extra=[(singles[6], Role.ADMIN, "Au pair")])
    MemberLabel.objects.filter(pk=au_pair.pk).update(is_active=False)
    stdout.write(f"  {len(made)} family and care groups; account linking switched on.")


def households():
    """The demo's households, as the customers load_demo_data made from them."""
    by_person = {
        (c.first_name, c.last_name, c.email, c.date_of_birth): c
        for c in Customer.objects.filter(merged_into__isnull=True, archived_at__isnull=True)
    }
    homes = []
    for home in demo.households(320):
        found = [by_person.get((p.first_name, p.last_name, p.email, p.date_of_birth)) for p in home]
        if all(found):
            homes.append(found)
    return homes


def _age(customer):
    age = customer.age(date.today())
    return 40 if age is None else age
