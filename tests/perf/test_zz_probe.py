import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from customers.models import Customer
from groups.segments import services
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

def test_probe(front_desk_user):
    cs = CustomerFactory.create_batch(5)
    vip = services.create_segment(actor=front_desk_user, name="VIP")
    for f, label in [(services.add_customers, "add"), (services.remove_customers, "remove")]:
        with CaptureQueriesContext(connection) as cap:
            f(actor=front_desk_user, segment_id=vip.pk, customers=Customer.objects.all(), expected_ids=[c.pk for c in cs])
        print("\n==", label, len(cap))
        for q in cap:
            print("  ", q["sql"][:400])
