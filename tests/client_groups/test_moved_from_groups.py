"""A database from before client groups had their own app (groups.Segment, groups.SegmentMember)
migrates to today's layout with every row: the groups and their members keep their ids and
fields, and the roles keep the client-group permissions, now under `client_groups`.

Migrates the test database back to the old layout and forward again, so it runs in real
transactions (as the migrations do) and leaves the schema as it found it."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from client_groups.models import Segment, SegmentMember
from core.roles import FRONT_DESK, MANAGER

pytestmark = pytest.mark.django_db(transaction=True)

#: The last migration of the old layout, and `client_groups` not yet there.
OLD_LAYOUT = [("groups", "0006_single_line_text"), ("client_groups", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # what is applied now
    return executor


def _rows(model):
    return [
        {field.attname: getattr(row, field.attname) for field in model._meta.concrete_fields}
        for row in model.objects.order_by("pk")
    ]


def _perms(role):
    """The client-group permissions `role` holds: {(app label, codename)}."""
    held = Group.objects.get(name=role).permissions.filter(codename__regex=r"_segment(member)?$")
    return set(held.values_list("content_type__app_label", "codename"))


def test_client_groups_move_to_their_app_with_every_row_and_grant():
    executor = _migrate(OLD_LAYOUT)
    try:
        old = executor.loader.project_state([OLD_LAYOUT[0]]).apps
        assert not old.is_installed("client_groups")
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        assert {"groups_segment", "groups_segmentmember"} <= set(tables)
        Customer = old.get_model("customers", "Customer")
        OldSegment, OldMember = old.get_model("groups", "Segment"), old.get_model("groups", "SegmentMember")
        ann = Customer.objects.create(first_name="Ann", last_name="Lee")
        ben = Customer.objects.create(first_name="Ben", last_name="Lee")
        vip = OldSegment.objects.create(name="VIP", description="Our best clients")
        OldSegment.objects.create(name="Adults", rules={"age_from": 18})
        OldMember.objects.create(segment=vip, customer=ann)
        OldMember.objects.create(segment=vip, customer=ben)
        segments, members = _rows(OldSegment), _rows(OldMember)
        # What groups 0005 granted the roles, under the groups app's label.
        assert ("groups", "add_segment") in _perms(MANAGER)
        assert ("groups", "add_segment") not in _perms(FRONT_DESK)
        old_types = dict(
            ContentType.objects.filter(app_label="groups", model__startswith="segment").values_list(
                "model", "pk"
            )
        )
    finally:
        _migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        names = set(connection.introspection.get_constraints(cursor, "client_groups_segment")) | set(
            connection.introspection.get_constraints(cursor, "client_groups_segmentmember")
        )
    assert {"client_groups_segment", "client_groups_segmentmember"} <= tables
    assert not {"groups_segment", "groups_segmentmember"} & tables
    assert _rows(Segment) == segments and _rows(SegmentMember) == members
    assert {
        "segment_unique_name",
        "segment_has_name",
        "segment_member_once",
        "segment_member_by_customer",
    } <= names

    # The same content types, relabelled, and the roles hold the same permissions through them.
    assert ContentType.objects.get_for_model(Segment).pk == old_types["segment"]
    assert ContentType.objects.get_for_model(SegmentMember).pk == old_types["segmentmember"]
    assert not ContentType.objects.filter(app_label="groups", model__startswith="segment").exists()
    assert _perms(MANAGER) == {
        ("client_groups", codename)
        for codename in (
            "view_segment", "add_segment", "change_segment", "delete_segment",
            "view_segmentmember", "add_segmentmember", "delete_segmentmember",
        )
    }  # fmt: skip
    assert _perms(FRONT_DESK) == {
        ("client_groups", codename)
        for codename in ("view_segment", "view_segmentmember", "add_segmentmember", "delete_segmentmember")
    }
