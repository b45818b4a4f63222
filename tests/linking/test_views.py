"""The link pages: who may use them, the switch, what they show, and what bad input does."""

import json

import pytest
from django.urls import reverse
from waffle.testutils import override_switch

from customers.models import Activity
from linking import services
from linking.features import ACCOUNT_LINKING
from linking.models import Link, RelationshipType
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def linked(actor, anna, ben, types):
    """Anna is Ben's Parent, with the type's usual permissions each way."""
    return services.link_customers(
        actor=actor,
        agent_id=anna.pk,
        principal_id=ben.pk,
        type_id=types["Parent"].pk,
        agent_may=types["Parent"].defaults(),
        principal_may=types["Child"].defaults(),
    )


def urls(anna, link):
    return {
        "create": reverse("linking:create", args=[anna.pk]),
        "change": reverse("linking:change", args=[anna.pk, link.pk]),
        "remove": reverse("linking:remove", args=[anna.pk, link.pk]),
        "relations": reverse("linking:relations", args=[anna.pk]),
    }


def link_data(kind, other=None, **permissions):
    data = {"type": kind.pk if kind else "", "member": other.pk if other else "", "version": ""}
    data.update({key: "on" for key, value in permissions.items() if value})
    return data


def test_access_matrix(client, anna, linked, linking_on, staff_without_roles, portal_user, front_desk_user):
    pages = urls(anna, linked)
    for url in pages.values():
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/"), url
    for user in (staff_without_roles, portal_user):
        client.force_login(user)
        for name, url in pages.items():
            if name != "remove":
                assert client.get(url).status_code == 403, url
        assert client.post(pages["remove"]).status_code == 403
    client.force_login(front_desk_user)
    for name, url in pages.items():
        if name != "remove":
            assert client.get(url).status_code == 200, url
    assert Link.objects.count() == 2


def test_switched_off_the_pages_answer_404_and_the_links_stay(desk, anna, linked):
    with override_switch(ACCOUNT_LINKING, active=False):
        for name, url in urls(anna, linked).items():
            if name != "remove":
                assert desk.get(url).status_code == 404, url
            if name != "relations":  # a page to read: POST is refused before anything else
                assert desk.post(url).status_code == 404, url
        page = desk.get(reverse("customers:profile", args=[anna.pk])).text
        assert "Linked Clients" not in page and "Add Relationship" not in page
    assert Link.objects.count() == 2


def test_only_this_profiles_own_links_are_reachable_from_it(desk, anna, ben, linked, linking_on):
    stranger = CustomerFactory()
    twin = Link.objects.get(agent=ben)
    # Ben's side of the link, through Anna's profile, or through a stranger's: not found.
    assert desk.get(reverse("linking:change", args=[anna.pk, twin.pk])).status_code == 404
    assert desk.post(reverse("linking:remove", args=[stranger.pk, linked.pk])).status_code == 404
    assert Link.objects.count() == 2


def test_choosing_a_type_fills_in_its_usual_permissions(desk, anna, ben, types, linking_on):
    url = reverse("linking:create", args=[anna.pk])
    headers = {**HTMX, "HX-Target": "link-editor"}
    page = desk.get(url, {"select": ben.pk, "type": types["Parent"].pk, "retype": "1"}, headers=headers).text
    assert page.count("checked") == 4  # a Parent may do all four for the child, the child none
    page = desk.get(url, {"select": ben.pk, "type": types["Partner"].pk, "retype": "1"}, headers=headers).text
    assert page.count("checked") == 6  # three each way
    # Without retype, what the receptionist ticked stays as it was.
    page = desk.get(
        url, {"select": ben.pk, "type": types["Partner"].pk, "agent_can_book": "on"}, headers=headers
    )
    assert page.text.count("checked") == 1


def test_candidate_search_shows_who_cannot_be_chosen(desk, anna, ben, linked, linking_on):
    CustomerFactory(first_name="Cal", last_name="Smith")
    url = reverse("linking:create", args=[anna.pk]) + "?q=smith"
    page = desk.get(url, headers={**HTMX, "HX-Target": "link-candidates"}).text
    assert "Already linked (Anna is their Parent)" in page
    assert "This is the customer whose profile you are on" in page
    assert 'aria-label="Select Customer: Cal Smith"' in page


def test_link_change_and_unlink_in_the_browser_way(desk, anna, ben, types, linking_on):
    url = reverse("linking:create", args=[anna.pk])
    current = {"HX-Current-URL": f"http://testserver/desk/{anna.pk}/"}
    data = {**link_data(types["Guardian"], ben, agent_can_book=True), "next": f"/desk/{anna.pk}/"}
    response = desk.post(url, data, headers={**HTMX, "HX-Target": "link-editor", **current})
    assert response.status_code == 204
    assert json.loads(response.headers["HX-Location"])["path"] == f"/desk/{anna.pk}/"
    side = Link.objects.get(agent=anna)
    assert side.type.name == "Guardian" and side.permissions() == ["Book and Manage Appointments"]
    assert Link.objects.get(agent=ben).type.name == "Ward"

    change = reverse("linking:change", args=[anna.pk, side.pk])
    data = {**link_data(types["Partner"], None, principal_receives_copies=True), "version": side.version}
    assert desk.post(change, data).status_code == 302
    assert sorted(Link.objects.values_list("type__name", flat=True)) == ["Partner", "Partner"]
    assert Link.objects.get(agent=ben).permissions() == ["Receive Copies of Appointment Notification Emails"]
    stale = desk.post(change, data)  # the same form again: its version is old now
    assert stale.status_code == 409

    assert desk.post(reverse("linking:remove", args=[anna.pk, side.pk])).status_code == 302
    assert not Link.objects.exists()
    assert Activity.objects.filter(kind="link.removed").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"type": ""}, "Choose how they are related."),
        ({"member": ""}, "Search for a customer and choose Select Customer first."),
        ({"member": "999999"}, "That customer does not exist."),
        ({"member": "{self}"}, "cannot be linked to themselves"),
        ({"type": "{retired}"}, "That relationship type is no longer offered"),
        ({"type": "999999"}, "That relationship type is no longer offered"),
    ],
    ids=["no type", "nobody chosen", "unknown customer", "self", "retired type", "unknown type"],
)
def test_bad_input_shows_a_message_and_changes_nothing(desk, anna, ben, types, linking_on, data, message):
    retired = RelationshipType.objects.create(name="Old friend", is_active=False)
    values = {"self": anna.pk, "retired": retired.pk}
    post = {**link_data(types["Sibling"], ben), **{k: str(v).format(**values) for k, v in data.items()}}
    response = desk.post(
        reverse("linking:create", args=[anna.pk]), post, headers={**HTMX, "HX-Target": "link-editor"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Link.objects.exists() and not Activity.objects.filter(kind__startswith="link.").exists()


def test_summary_and_linked_accounts_show_both_sides(desk, anna, ben, linked, linking_on):
    anna_page = desk.get(reverse("customers:profile", args=[anna.pk])).text
    assert "Anna is their <strong>Parent</strong>" in anna_page
    ben_page = desk.get(reverse("customers:profile", args=[ben.pk])).text
    assert "Ben is their <strong>Child</strong>" in ben_page
    tab = desk.get(reverse("customers:desk_tab", args=[ben.pk, "linked-accounts"])).text
    assert "Switch to Account" in tab and "Remove Relation" in tab and "Add Account Relation" in tab
    assert f'href="{reverse("customers:desk", args=[anna.pk])}"' in tab


def test_relations_list_shows_group_links_both_ways_and_merges(desk, anna, ben, linked, linking_on):
    from django.utils import timezone

    CustomerFactory(first_name="Old", last_name="Anna", merged_into=anna, merged_at=timezone.now())
    page = desk.get(reverse("linking:relations", args=[anna.pk])).text
    assert "Anna Smith is <strong>Parent</strong> of" in page
    assert "is <strong>Child</strong> of Anna Smith" in page
    assert "Old Anna" in page and "was merged into this account" in page
    assert "Not in a group." in page


def test_admin_keeps_reverses_paired(admin_client, types):
    aunt = RelationshipType.objects.create(name="Aunt or uncle")
    response = admin_client.post(
        reverse("admin:linking_relationshiptype_add"),
        {"name": "Niece or nephew", "reverse": aunt.pk, "is_active": "on", "order": 5},
    )
    assert response.status_code == 302
    niece = RelationshipType.objects.get(name="Niece or nephew")
    aunt.refresh_from_db()
    assert aunt.reverse == niece and niece.reverse == aunt
    # Pairing Aunt with Other instead leaves Niece without a reverse (symmetric) until edited.
    response = admin_client.post(
        reverse("admin:linking_relationshiptype_change", args=[aunt.pk]),
        {"name": "Aunt or uncle", "reverse": types["Sibling"].pk, "is_active": "on", "order": 5},
    )
    assert response.status_code == 302
    niece.refresh_from_db()
    assert niece.reverse is None
    assert RelationshipType.objects.get(pk=types["Sibling"].pk).reverse_id == aunt.pk
    in_use = types["Parent"]
    services.link_customers(
        actor=None, agent_id=CustomerFactory().pk, principal_id=CustomerFactory().pk, type_id=in_use.pk
    )
    assert (
        admin_client.get(reverse("admin:linking_relationshiptype_delete", args=[in_use.pk])).status_code
        == 403
    )


def test_linked_accounts_removes_a_group_member_only_from_a_managing_account(desk, family, linking_on):
    """Remove Relation on a group row: from the Owner's or an Admin's account, never the Owner."""
    anna, ben = family["anna"], family["ben"]
    owners_tab = desk.get(reverse("customers:desk_tab", args=[anna.pk, "linked-accounts"])).text
    assert owners_tab.count('aria-label="Remove Relation:') == 2  # Ben and Cara
    dependents_tab = desk.get(reverse("customers:desk_tab", args=[ben.pk, "linked-accounts"])).text
    assert 'aria-label="Remove Relation:' not in dependents_tab
    member = family["members"]["ben"]
    url = reverse("groups:remove", args=[anna.pk, family["group"].pk, member.pk])
    assert desk.post(url, {"next": f"/desk/{anna.pk}/linked-accounts/"}).status_code == 302
    assert not family["group"].members.filter(customer=ben).exists()
