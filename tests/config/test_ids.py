"""Ids are bounded where they come in (issue 15): core/ids.py, and the URLs and form
fields that once answered 500 to a 25-digit id (SQLite cannot hold the number)."""

import pytest
from django import forms
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from core.ids import (
    MAX_ID,
    MAX_VERSION,
    IdConverter,
    IdField,
    ModelMultipleChoiceField,
    VersionField,
    is_id,
)
from customers.models import Customer
from groups.models import GroupMember
from linking.models import Link
from tests.config.test_url_walk import parameters, project_routes
from tests.factories import CustomerFactory

HUGE = "1" * 25


@pytest.mark.parametrize("text", ["1", "42", str(MAX_ID)])
def test_an_id_is_ascii_digits_from_1_to_the_largest_bigint(text):
    assert is_id(text)
    assert IdConverter().to_python(text) == int(text)
    assert IdConverter().to_url(int(text)) == text


@pytest.mark.parametrize(
    "text", ["", "0", "-1", str(MAX_ID + 1), HUGE, "1" * 5000, "abc", "1_0", "٣", "１２", " 7"]
)
def test_anything_else_is_no_id(text):
    assert not is_id(text)
    with pytest.raises(ValueError, match="not an id"):
        IdConverter().to_python(text)


@pytest.mark.parametrize("value", [0, -1, MAX_ID + 1, 10**25])
def test_reverse_refuses_a_number_that_is_no_id(value):
    with pytest.raises(NoReverseMatch):
        reverse("customers:profile", args=[value])


def test_every_named_url_reverses_and_resolves_with_ids_given_as_numbers_or_text():
    """to_url: templates pass ints ({% url ... customer.pk %}), some views pass text."""
    for route, name in project_routes():
        if ":" not in name:  # the project's unnamed or unnamespaced routes have no ids
            continue
        params = parameters(route)
        for make in (int, str):
            kwargs = {param: make(7) if kind in ("id", "int") else "summary" for kind, param in params}
            path = reverse(name, kwargs=kwargs)
            assert resolve(path).kwargs == {
                param: 7 if kind in ("id", "int") else "summary" for kind, param in params
            }


def test_every_project_url_takes_ids_through_the_id_converter():
    for route, _name in project_routes():
        assert "<int:" not in route, (
            f"{route}: use <id:...>, which a number too large for the database misses"
        )


@pytest.mark.parametrize("path", [f"/customers/{HUGE}/", f"/customers/{MAX_ID + 1}/edit/", "/customers/0/"])
def test_a_path_with_no_id_does_not_resolve(path):
    with pytest.raises(Resolver404):
        resolve(path)


@pytest.mark.parametrize("value", ["0", "-1", HUGE, str(MAX_ID + 1), "abc", "1.5", "٣"])
def test_an_id_field_refuses_what_is_no_id_with_a_clear_message(value):
    field = IdField(required=False)
    with pytest.raises(forms.ValidationError, match="reload the page and choose again"):
        field.clean(value)


def test_an_id_field_takes_ids():
    assert IdField().clean(str(MAX_ID)) == MAX_ID
    assert IdField(required=False).clean("") is None


@pytest.mark.parametrize("value", ["-1", str(MAX_VERSION + 1), HUGE, "abc"])
def test_a_version_field_refuses_what_no_row_holds(value):
    with pytest.raises(forms.ValidationError, match="out of date"):
        VersionField().clean(value)


def test_a_version_field_takes_versions_and_zero_which_the_services_call_stale():
    assert VersionField().clean("0") == 0
    assert VersionField().clean(str(MAX_VERSION)) == MAX_VERSION


@pytest.mark.django_db
@pytest.mark.parametrize("value", [HUGE, str(MAX_ID + 1)])
def test_djangos_model_choice_field_bounds_a_huge_id_itself(value):
    """Checked on SQLite and PostgreSQL (CI runs both): its plain pk= lookup is bounded by
    Django, so the project's forms keep using it."""
    CustomerFactory()
    field = forms.ModelChoiceField(queryset=Customer.objects.all())
    with pytest.raises(forms.ValidationError):
        field.clean(value)


@pytest.mark.django_db
@pytest.mark.parametrize("value", [HUGE, str(MAX_ID + 1), "0", "abc"])
def test_the_bounded_model_multiple_choice_field_refuses_a_huge_id(value):
    """Django's own runs `pk__in` with the number, which SQLite cannot (OverflowError)."""
    customer = CustomerFactory()
    field = ModelMultipleChoiceField(queryset=Customer.objects.all())
    with pytest.raises(forms.ValidationError):
        field.clean([str(customer.pk), value])
    assert list(field.clean([str(customer.pk)])) == [customer]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [HUGE, str(MAX_ID + 1), "0", "abc"])
def test_a_choice_of_people_coerced_to_an_id_refuses_what_it_did_not_offer(value):
    """For (booking) and Filled in by (an intake form) coerce to int only after the value was
    found among the choices, so a number no row holds never reaches a query."""
    from bookings.forms.appointments import BookForm

    anna = CustomerFactory()
    form = BookForm({"for_whom": value}, customer=anna)
    assert not form.is_valid()
    assert form.errors["for_whom"] == ["That client may no longer be booked from here (their link changed)."]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [10**25, MAX_ID + 1, 0, -1])
def test_locking_customers_by_a_number_no_row_holds_is_refused_with_words(value):
    """Every service that changes customers locks them here; a caller that forgot to bound an
    id gets "does not exist", not SQLite's OverflowError."""
    from core.errors import KinshipError
    from customers.services import lock_customers

    customer = CustomerFactory()
    with pytest.raises(KinshipError, match="That customer does not exist."):
        lock_customers([customer.pk, value])


# The URLs and the field the issue names, each of which answered 500 on SQLite.


@pytest.fixture
def smiths(linking_on, family):
    return family


@pytest.mark.parametrize("action", ["rename", "add"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_group_url_with_a_25_digit_group_id_is_a_404(desk, smiths, action, method):
    response = getattr(desk, method)(f"/customers/{smiths['anna'].pk}/group/{HUGE}/{action}/")
    assert response.status_code == 404


def test_removing_a_member_with_a_25_digit_group_id_is_a_404(desk, smiths):
    anna, ben = smiths["anna"], smiths["members"]["ben"]
    response = desk.post(f"/customers/{anna.pk}/group/{HUGE}/members/{ben.pk}/remove/")
    assert response.status_code == 404
    assert GroupMember.objects.filter(pk=ben.pk).exists()


def test_removing_a_member_with_a_25_digit_member_id_is_a_404(desk, smiths):
    anna, group = smiths["anna"], smiths["group"]
    response = desk.post(f"/customers/{anna.pk}/group/{group.pk}/members/{HUGE}/remove/")
    assert response.status_code == 404
    assert group.members.count() == 3


@pytest.mark.parametrize("member", [HUGE, str(MAX_ID + 1), "0", "abc"])
def test_adding_a_member_with_a_bad_member_id_is_a_form_error(desk, smiths, labels, member):
    anna, group = smiths["anna"], smiths["group"]
    data = {"member": member, "role": "dependent", "label": labels["Child"].pk}
    response = desk.post(f"/customers/{anna.pk}/group/{group.pk}/add/", data)
    assert response.status_code == 200
    assert "does not exist; search and choose Select Customer again" in response.content.decode()
    assert group.members.count() == 3


@pytest.mark.parametrize("member", [HUGE, str(MAX_ID + 1)])
def test_creating_a_group_with_a_25_digit_member_is_a_form_error(desk, linking_on, labels, member):
    owner = CustomerFactory()
    data = {
        "member": member,
        "role": "dependent",
        "owner_label": labels["Parent"].pk,
        "label": labels["Child"].pk,
    }
    response = desk.post(f"/customers/{owner.pk}/group/new/", data)
    assert response.status_code == 200
    assert "does not exist; search and choose Select Customer again" in response.content.decode()
    assert not GroupMember.objects.exists()


@pytest.mark.parametrize("member", [HUGE, str(MAX_ID + 1)])
def test_linking_a_25_digit_member_is_a_form_error(desk, linking_on, types, member):
    agent = CustomerFactory()
    response = desk.post(f"/customers/{agent.pk}/links/new/", {"member": member, "type": types["Other"].pk})
    assert response.status_code == 200
    assert "does not exist; search and choose Select Customer again" in response.content.decode()
    assert not Link.objects.exists()


@pytest.mark.parametrize("wanted", ["abc", "0", HUGE, "https://elsewhere.example/"])
def test_a_next_that_is_no_path_of_ours_goes_back_to_the_profile(desk, smiths, wanted):
    """redirect() read a word as a URL's name and failed to reverse it: a 500."""
    anna, group = smiths["anna"], smiths["group"]
    response = desk.post(
        f"/customers/{anna.pk}/group/{group.pk}/rename/",
        {"name": "The Smiths", "version": group.version, "next": wanted},
    )
    assert response.status_code == 302
    assert response.url == anna.get_absolute_url()
