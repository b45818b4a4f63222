"""The group pages: who may use them, the switch, what they show, and what bad input does."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from waffle.testutils import override_switch

from groups.features import ACCOUNT_LINKING
from groups.models import CustomerGroup, GroupMember, MemberLabel, Role
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def urls(family):
    """Every group URL, from the Owner's profile."""
    anna, group = family["anna"], family["group"]
    ben = family["members"]["ben"]
    return {
        "create": reverse("groups:create", args=[CustomerFactory().pk]),
        "add": reverse("groups:add", args=[anna.pk, group.pk]),
        "rename": reverse("groups:rename", args=[anna.pk, group.pk]),
        "change": reverse("groups:change", args=[anna.pk, group.pk, ben.pk]),
        "remove": reverse("groups:remove", args=[anna.pk, group.pk, ben.pk]),
    }


def test_access_matrix(client, family, linking_on, staff_without_roles, portal_user, front_desk_user):
    targets = urls(family)
    gets = {name: url for name, url in targets.items() if name != "remove"}
    for url in targets.values():
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/"), url
    for user in (staff_without_roles, portal_user):
        client.force_login(user)
        for url in gets.values():
            assert client.get(url).status_code == 403, url
        assert client.post(targets["remove"]).status_code == 403
    client.force_login(front_desk_user)
    for url in gets.values():
        assert client.get(url).status_code == 200, url
    assert GroupMember.objects.count() == 3  # looking changed nothing


def test_switched_off_everything_is_gone_but_the_data_stays(desk, family):
    anna = family["anna"]
    with override_switch(ACCOUNT_LINKING, active=False):
        for name, url in urls(family).items():
            if name != "remove":  # POST only: a GET is refused before anything else
                assert desk.get(url).status_code == 404, url
            assert desk.post(url).status_code == 404, url
        page = desk.get(reverse("customers:profile", args=[anna.pk])).text
        assert "Smith family" not in page and "Linked Accounts" not in page and "Create a Group" not in page
        assert (
            desk.get(reverse("customers:profile_tab", args=[anna.pk, "linked-accounts"])).status_code == 404
        )
        assert desk.get(reverse("customers:desk_tab", args=[anna.pk, "linked-accounts"])).status_code == 404
        # A page left open before the switch went off hears why its request failed.
        response = desk.get(urls(family)["add"], headers=HTMX)
        assert response.status_code == 404
        assert "switched off" in json.loads(response.headers["HX-Trigger"])["messages"][0]["text"]
    assert GroupMember.objects.count() == 3
    with override_switch(ACCOUNT_LINKING, active=True):
        page = desk.get(reverse("customers:profile", args=[anna.pk])).text
        assert "Smith family" in page and "Linked Accounts" in page


def test_missing_csrf_token_is_refused(front_desk_user, family, linking_on):
    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk_user)
    assert client.post(urls(family)["remove"]).status_code == 403
    assert GroupMember.objects.count() == 3


def test_summary_panel_for_owner_admin_and_dependent(desk, family, linking_on):
    owner_page = desk.get(reverse("customers:profile", args=[family["anna"].pk])).text
    assert "Add to Group" in owner_page and "Rename" in owner_page
    assert owner_page.count(">Remove</button>") == 2  # Ben and Cara; not Anna, the Owner
    admin_page = desk.get(reverse("customers:profile", args=[family["cara"].pk])).text
    assert "Add to Group" in admin_page
    dependent_page = desk.get(reverse("customers:profile", args=[family["ben"].pk])).text
    assert "Add to Group" not in dependent_page and ">Remove</button>" not in dependent_page
    assert f'href="{family["anna"].get_absolute_url()}">Manage</a>' in dependent_page
    loner = desk.get(reverse("customers:profile", args=[CustomerFactory().pk])).text
    assert "Create a Group" in loner


def test_a_dependents_profile_has_no_urls_to_manage_the_group(desk, family, linking_on):
    ben, group, cara = family["ben"], family["group"], family["members"]["cara"]
    assert desk.get(reverse("groups:add", args=[ben.pk, group.pk])).status_code == 404
    assert desk.post(reverse("groups:remove", args=[ben.pk, group.pk, cara.pk])).status_code == 404
    assert GroupMember.objects.count() == 3


def test_linked_accounts_tab_lists_members_with_load_and_profile_links(desk, family, linking_on):
    ben = family["ben"]
    page = desk.get(reverse("customers:desk_tab", args=[ben.pk, "linked-accounts"])).text
    for who in ("anna", "cara"):
        customer = family[who]
        assert f'href="{reverse("customers:desk", args=[customer.pk])}"' in page
        assert f'href="{customer.get_absolute_url()}"' in page
    assert "Owner" in page and "Admin" in page and "Nanny" in page and "(this customer)" in page
    # A customer in no group still has the tab, to add their first relation from.
    loner = CustomerFactory()
    page = desk.get(reverse("customers:desk_tab", args=[loner.pk, "linked-accounts"])).text
    assert "has no linked clients" in page and "Add Account Relation" in page


def test_candidate_search_shows_who_cannot_be_chosen(desk, family, linking_on):
    newcomer = CustomerFactory(first_name="Zed", last_name="Smith")
    url = reverse("groups:create", args=[newcomer.pk]) + "?q=smith"
    page = desk.get(url, headers={**HTMX, "HX-Target": "candidate-results"}).text
    assert page.count("Select Customer") == 0  # Zed is the owner-to-be; Anna and Ben are taken
    assert "In Smith family (Owner)" in page and "In Smith family (Dependent)" in page
    other = CustomerFactory(first_name="Amy", last_name="Smith")
    page = desk.get(url, headers={**HTMX, "HX-Target": "candidate-results"}).text
    assert f'aria-label="Select Customer: {other.full_name}"' in page


def create_data(parent, **extra):
    return {
        "owner_label": parent.pk,
        "name": "",
        "role": "dependent",
        "member": "",
        "label": "",
        **extra,
    }


def test_create_a_group_by_htmx_goes_back_to_the_tabs(desk, linking_on, labels):
    anna, ben = CustomerFactory(last_name="Smith"), CustomerFactory()
    url = reverse("groups:create", args=[anna.pk])
    headers = {**HTMX, "HX-Target": "group-editor", "HX-Current-URL": f"http://testserver/desk/{anna.pk}/"}
    data = create_data(labels["Parent"], member=ben.pk, label=labels["Child"].pk, next=f"/desk/{anna.pk}/")
    response = desk.post(url, data, headers=headers)
    assert response.status_code == 204
    assert json.loads(response.headers["HX-Location"]) == {
        "path": f"/desk/{anna.pk}/",
        "target": "#customer-tabs",
        "swap": "outerHTML",
    }
    assert GroupMember.objects.filter(role=Role.DEPENDENT, customer=ben).exists()


def test_create_on_its_own_page_and_without_javascript(desk, linking_on, labels):
    anna, zoe = CustomerFactory(), CustomerFactory()
    url = reverse("groups:create", args=[anna.pk])
    response = desk.post(url, create_data(labels["Parent"], next="https://evil.example/"))
    assert response.status_code == 302 and response.url == anna.get_absolute_url()  # no open redirect
    url = reverse("groups:create", args=[zoe.pk])
    own_page = {**HTMX, "HX-Target": "group-editor", "HX-Current-URL": f"http://testserver{url}"}
    response = desk.post(url, create_data(labels["Parent"]), headers=own_page)
    assert response.headers["HX-Redirect"] == zoe.get_absolute_url()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"owner_label": ""}, "Choose a label."),
        ({"member": "999999", "label": "3"}, "That customer does not exist."),
        ({"member": "{taken}", "label": "3"}, "is already in a group (Smith family)"),
        ({"member": "{fresh}"}, "Choose a label for the customer you are adding."),
        ({"member": "{fresh}", "label": "{retired}"}, "That label is no longer offered"),
        ({"member": "{fresh}", "label": "3", "role": "boss"}, "Select a valid choice"),
    ],
    ids=["no label", "unknown customer", "already in a group", "no member label", "retired", "bad role"],
)
def test_bad_create_input_shows_a_message_and_changes_nothing(
    desk, family, linking_on, labels, extra, message
):
    owner, fresh = CustomerFactory(), CustomerFactory()
    retired = MemberLabel.objects.create(name="Old", is_active=False)
    values = {"taken": family["ben"].pk, "fresh": fresh.pk, "retired": retired.pk}
    data = create_data(labels["Parent"], **{k: str(v).format(**values) for k, v in extra.items()})
    response = desk.post(
        reverse("groups:create", args=[owner.pk]), data, headers={**HTMX, "HX-Target": "group-editor"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert CustomerGroup.objects.count() == 1 and GroupMember.objects.count() == 3


def test_add_without_choosing_someone_says_so(desk, family, linking_on, labels):
    url = urls(family)["add"]
    data = {"member": "", "role": "dependent", "label": labels["Child"].pk, "q": "smi"}
    response = desk.post(url, data, headers={**HTMX, "HX-Target": "group-editor"})
    assert "Search for a customer and choose Select Customer first." in response.content.decode()
    assert GroupMember.objects.count() == 3


def test_add_change_and_remove(desk, family, linking_on, labels):
    dan = CustomerFactory(first_name="Dan")
    add = urls(family)["add"]
    response = desk.post(add, {"member": dan.pk, "role": "owner", "label": labels["Parent"].pk})
    assert response.status_code == 302
    assert GroupMember.objects.get(customer=dan).role == Role.OWNER
    ben = GroupMember.objects.get(customer=family["ben"])
    change = reverse("groups:change", args=[dan.pk, family["group"].pk, ben.pk])
    response = desk.post(change, {"role": "admin", "label": labels["Carer"].pk, "version": ben.version})
    assert response.status_code == 302
    response = desk.post(change, {"role": "dependent", "label": labels["Carer"].pk, "version": ben.version})
    assert response.status_code == 409 and "changed at another desk" in response.content.decode()
    remove = reverse("groups:remove", args=[dan.pk, family["group"].pk, ben.pk])
    assert desk.post(remove).status_code == 302
    assert not GroupMember.objects.filter(customer=family["ben"]).exists()


def test_removing_the_owner_is_refused_with_a_reason(desk, family, linking_on):
    anna = family["members"]["anna"]
    remove = reverse("groups:remove", args=[family["anna"].pk, family["group"].pk, anna.pk])
    response = desk.post(remove)
    assert response.status_code == 400
    assert "Make another member the Owner first" in response.content.decode()
    response = desk.post(remove, headers=HTMX)
    assert response.status_code == 400
    toast = json.loads(response.headers["HX-Trigger"])["messages"][0]
    assert toast["level"] == "error" and "is the Owner" in toast["text"]
    assert GroupMember.objects.count() == 3


def test_rename(desk, family, linking_on):
    url = urls(family)["rename"]
    assert desk.post(url, {"name": "  ", "version": 1}).status_code == 200
    assert desk.post(url, {"name": "The Smiths", "version": 1}).status_code == 302
    response = desk.post(url, {"name": "Again", "version": 1})
    assert response.status_code == 409
    assert CustomerGroup.objects.get().name == "The Smiths"


def test_merged_customers_have_no_group_pages(desk, linking_on):
    from django.utils import timezone

    tombstone = CustomerFactory(merged_into=CustomerFactory(), merged_at=timezone.now())
    assert desk.get(reverse("groups:create", args=[tombstone.pk])).status_code == 404
