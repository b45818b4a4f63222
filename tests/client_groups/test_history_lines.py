"""Client groups write their History lines in one INSERT … SELECT, with the action's data
like every other line, and on either database."""

import pytest

from client_groups import services
from customers import history
from customers.models import Activity
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_bulk_lines_keep_their_data_and_are_put_into_words_when_shown(front_desk_user):
    vip = services.create_segment(actor=front_desk_user, name="VIP")
    anna, ben, cara = CustomerFactory.create_batch(3)
    chosen = type(anna).objects.filter(pk__in=[anna.pk, ben.pk])
    services.add_customers(actor=front_desk_user, segment_id=vip.pk, customers=chosen)
    services.add_customers(actor=None, segment_id=vip.pk, customers=type(anna).objects.filter(pk=cara.pk))
    services.remove_customers(actor=front_desk_user, segment_id=vip.pk, customers=chosen)
    services.delete_segment(actor=front_desk_user, segment_id=vip.pk)

    ann = list(Activity.objects.filter(customer=anna).order_by("id"))
    assert [(line.kind, line.data, line.actor_id) for line in ann] == [
        ("segment.added", {"group": "VIP", "total": 2}, front_desk_user.pk),
        ("segment.removed", {"group": "VIP", "total": 2}, front_desk_user.pk),
    ]
    assert [line.sentence for line in ann] == [
        "Added to client group “VIP” (a bulk action on 2 customers).",
        "Removed from client group “VIP” (a bulk action on 2 customers).",
    ]
    assert [
        (line.kind, line.data, line.actor_id, line.sentence) for line in cara.activities.order_by("id")
    ] == [
        ("segment.added", {"group": "VIP"}, None, "Added to client group “VIP”."),
        ("segment.deleted", {"group": "VIP"}, front_desk_user.pk, "Client group “VIP” was deleted."),
    ]
    assert {line.kind for line in Activity.objects.all()} <= set(history.codes_in(history.Area.DETAILS))
