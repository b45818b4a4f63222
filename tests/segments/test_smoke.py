"""A first pass over client groups end to end through the test client."""

import pytest
from django.urls import reverse

from groups.models import Segment, SegmentMember
from groups.segments import services
from tests.factories import CustomerFactory


@pytest.fixture
def manager(client, manager_user, client_groups_on):
    client.force_login(manager_user)
    return client


def test_create_add_bulk_export(manager, manager_user):
    people = CustomerFactory.create_batch(5)
    response = manager.post(reverse("segments:create"), {"name": "VIP", "description": "Best", "members": "manual"})
    assert response.status_code == 302, response.content.decode()[:2000]
    vip = Segment.objects.get(name="VIP")
    change = services.add_customers(
        actor=manager_user, segment_id=vip.pk, customers=type(people[0]).objects.filter(pk__in=[p.pk for p in people[:3]])
    )
    assert change.changed == 3
    assert SegmentMember.objects.filter(segment=vip).count() == 3
    assert people[0].activities.filter(kind="segment.added").exists()
    again = services.add_customers(actor=manager_user, segment_id=vip.pk, customers=type(people[0]).objects.all())
    assert (again.changed, again.unchanged) == (2, 3)
    page = manager.get(reverse("segments:list"))
    assert page.status_code == 200 and b"VIP" in page.content
    listing = manager.get(reverse("customers:list") + f"?client_group={vip.pk}")
    assert listing.status_code == 200 and b"Bulk Actions" in listing.content
    preview = manager.get(reverse("segments:bulk"), {"action": "remove", "all_matching": "1", "client_group": vip.pk, "segment": vip.pk})
    assert b"Remove <strong>5 customers" in preview.content, preview.content.decode()[-3000:]
    done = manager.post(reverse("segments:bulk"), {"action": "remove", "all_matching": "1", "client_group": vip.pk, "segment": vip.pk})
    assert done.status_code == 302
    assert not SegmentMember.objects.exists()
    rules = manager.post(reverse("segments:create"), {"name": "Adults", "members": "rules", "age_from": "18"})
    assert rules.status_code == 302, rules.content.decode()[-3000:]
    adults = Segment.objects.get(name="Adults")
    detail = manager.get(reverse("segments:detail", args=[adults.pk]))
    assert b"Aged 18 or over" in detail.content
    export = manager.get(reverse("segments:export", args=[adults.pk]))
    body = b"".join(export.streaming_content).decode()
    assert body.startswith("Customer ID,")
    profile = manager.get(people[0].get_absolute_url())
    assert b"Client Groups" in profile.content
    assert manager.get(reverse("segments:list")).status_code == 200
