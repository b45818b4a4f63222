"""The demo's groups, and what superusers may do with groups and labels in the Django admin."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from waffle import switch_is_active

from groups.features import ACCOUNT_LINKING
from groups.models import CustomerGroup, GroupMember, MemberLabel, Role
from linking.models import Link

pytestmark = pytest.mark.django_db


def test_demo_switches_linking_on_and_makes_groups_of_every_shape_once(capsys):
    call_command("load_demo_data")
    assert switch_is_active(ACCOUNT_LINKING)
    groups = CustomerGroup.objects.all()
    assert 12 <= groups.count() <= 15
    for group in groups:
        assert group.members.filter(role=Role.OWNER).count() == 1
    sizes = sorted(group.members.count() for group in groups)
    assert sizes[0] == 1 and sizes[-1] >= 5  # an owner alone, and a big family
    labels = set(GroupMember.objects.values_list("label__name", flat=True))
    assert {"Parent", "Child", "Nanny", "Carer", "Au pair"} <= labels
    assert not MemberLabel.objects.get(name="Au pair").is_active  # retired, still worn
    assert any(not name.endswith(" family") for name in groups.values_list("name", flat=True))
    # ...and links of several kinds, each a reciprocal pair.
    links = {(link.agent_id, link.principal_id): link.type for link in Link.objects.select_related("type")}
    assert len(links) >= 16 and len({kind.name for kind in links.values()}) >= 5
    for (agent, principal), kind in links.items():
        assert links[(principal, agent)] == kind.other_side
    before = GroupMember.objects.count(), Link.objects.count()
    call_command("load_demo_data")
    assert (GroupMember.objects.count(), Link.objects.count()) == before


def test_few_customers_make_no_groups_and_say_so(capsys):
    call_command("load_demo_data", customers=20)
    assert not CustomerGroup.objects.exists()
    assert "none made" in capsys.readouterr().out


def test_superusers_edit_labels_and_retire_one_in_use(admin_client, family):
    response = admin_client.post(
        reverse("admin:groups_memberlabel_add"), {"name": "Grandparent", "is_active": "on", "order": 50}
    )
    assert response.status_code == 302
    response = admin_client.post(reverse("admin:groups_memberlabel_add"), {"name": "parent", "order": 1})
    assert "There is already a label with that name." in response.content.decode()
    nanny = MemberLabel.objects.get(name="Nanny")
    # In use (Cara is the Smiths' nanny): it may be retired, not deleted.
    assert admin_client.get(reverse("admin:groups_memberlabel_delete", args=[nanny.pk])).status_code == 403
    unused = MemberLabel.objects.get(name="Grandparent")
    assert admin_client.get(reverse("admin:groups_memberlabel_delete", args=[unused.pk])).status_code == 200


def test_groups_are_read_only_in_the_admin(admin_client, family):
    group = family["group"]
    page = admin_client.get(reverse("admin:groups_customergroup_change", args=[group.pk]))
    assert page.status_code == 200 and "Ben" in page.content.decode()
    response = admin_client.post(reverse("admin:groups_customergroup_change", args=[group.pk]), {"name": "X"})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:groups_customergroup_add")).status_code == 403
    assert admin_client.get(reverse("admin:groups_groupmember_changelist")).status_code == 200
    assert CustomerGroup.objects.get().name == "Smith family"


def test_superusers_flip_switches_in_the_admin_without_warnings(admin_client):
    """Waffle's admin, re-registered with Django 6.1's get_actions signature (warnings are
    errors in the tests, so the old one would fail here)."""
    from waffle.models import Switch

    page = admin_client.get(reverse("admin:waffle_switch_changelist"))
    assert page.status_code == 200 and "account_linking" in page.content.decode()
    switch = Switch.objects.get(name=ACCOUNT_LINKING)
    assert "delete_selected" not in page.content.decode()
    response = admin_client.post(
        reverse("admin:waffle_switch_changelist"),
        {"action": "enable_switches", "_selected_action": [switch.pk]},
    )
    assert response.status_code == 302
    assert Switch.objects.get(name=ACCOUNT_LINKING).active
