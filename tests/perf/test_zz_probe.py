import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from customers.models import Customer
from groups.models import Segment
from groups.segments import services
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

def show(cap, title):
    print("\n==", title, connection.vendor, len(cap))
    for q in cap:
        print("  ", q["sql"][:260])

def test_probe(desk, front_desk_user, client_groups_on):
    cs = CustomerFactory.create_batch(5)
    vip = services.create_segment(actor=front_desk_user, name="VIP")
    adults = services.create_segment(actor=front_desk_user, name="Adults", rules={"age_from": 18})
    with CaptureQueriesContext(connection) as cap:
        services.add_customers(actor=front_desk_user, segment_id=vip.pk, customers=Customer.objects.filter(pk__in=[c.pk for c in cs]))
    show(cap, "add")
    with CaptureQueriesContext(connection) as cap:
        services.remove_customers(actor=front_desk_user, segment_id=vip.pk, customers=Customer.objects.all())
    show(cap, "remove")
    services.add_customers(actor=front_desk_user, segment_id=vip.pk, customers=Customer.objects.all())
    c = cs[0]
    for url in [reverse("segments:list"), reverse("segments:detail", args=[vip.pk]), reverse("customers:list"), reverse("customers:list")+f"?client_group={vip.pk}&client_group={adults.pk}", reverse("customers:profile", args=[c.pk])]:
        desk.get(url)
        with CaptureQueriesContext(connection) as cap:
            r = desk.get(url)
        assert r.status_code == 200
        show(cap, url)
    with CaptureQueriesContext(connection) as cap:
        r = desk.post(reverse("segments:bulk"), {"action": "add", "all_matching": "1", "segment": vip.pk})
    print(r.status_code, r.get("Location"))
    show(cap, "bulk")
