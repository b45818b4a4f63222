"""Who may use the Django admin, and what it may still change.

`is_staff` means "may use the Django admin"; the back-office roles do not open it. Whoever
is let in changes customers, groups, links, accounts and appointments only through the
services (which the admin does not call), so those are read-only there, and a merged
customer's tombstone is changed by nobody. Each registered model is walked as every kind of
login: a real Front desk once saved a tombstone's phone as `not-a-phone; =1+1` here.
"""

import json
from datetime import date, datetime

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from waffle.models import Flag, Sample, Switch

from bookings.models import IntakeForm, Service
from core.errors import KinshipError
from core.roles import MANAGER
from customers import services as customer_services
from customers.models import Customer, LoginAttempts
from groups.models import MemberLabel
from linking.models import RelationshipType
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

#: Lookup lists the business keeps, which whoever holds the model permission may edit in
#: the admin (superusers; Service and IntakeForm also Managers made staff, through the
#: same service as the Managers' own pages). Everything else is read-only there.
CATALOGUE = {MemberLabel, RelationshipType, Service, IntakeForm}
#: The admin's own business: logins, roles, failed-login counters and feature switches,
#: superusers' alone.
ADMINS_OWN = {get_user_model(), Group, LoginAttempts, Switch, Flag, Sample}


@pytest.fixture
def world():
    """The demo data (every app's rows, and its logins), plus a merged tombstone and the
    waffle rows the demo does not make."""
    call_command("load_demo_data", customers=40)
    survivor = Customer.objects.filter(merged_into__isnull=True).order_by("pk").first()
    tombstone = CustomerFactory(
        first_name="Tomb", last_name="Stone", merged_into=survivor, merged_at=survivor.created_at
    )
    Flag.objects.create(name="a_flag")
    Sample.objects.create(name="a_sample", percent=50)
    return {"tombstone": tombstone}


@pytest.fixture
def staff_manager(db):
    """Made staff by a superuser, holding every Manager permission: may use the admin."""
    user = UserFactory(username="stella", is_staff=True)
    user.groups.add(Group.objects.get(name=MANAGER))
    return user


def _users(staff_manager):
    User = get_user_model()
    return {
        "frontdesk": User.objects.get(username="frontdesk"),
        "manager": User.objects.get(username="manager"),
        "staff manager": staff_manager,
        "superuser": User.objects.get(username="admin"),
    }


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _snapshot():
    return {model: list(model._default_manager.order_by("pk").values()) for model in admin.site._registry}


def _payload(obj):
    """A filled-in change form for `obj`, with its text changed: what a permissive admin
    would save."""
    data = {"_save": "Save"}
    for field in obj._meta.concrete_fields:
        if not field.editable or field.primary_key:
            continue
        value = field.value_from_object(obj)
        if isinstance(field, models.BooleanField):
            if value:
                data[field.name] = "on"
        elif isinstance(field, models.JSONField):
            data[field.name] = json.dumps(value)
        elif value is None:
            data[field.name] = ""
        elif isinstance(field, models.DateTimeField):
            data[f"{field.name}_0"] = value.date().isoformat()
            data[f"{field.name}_1"] = value.time().isoformat()
        elif isinstance(field, models.EmailField):
            data[field.name] = f"changed.{value}"
        elif isinstance(field, (models.CharField, models.TextField)) and not field.choices:
            data[field.name] = f"Changed {value}"[: field.max_length or 200]
        elif isinstance(value, date | datetime):
            data[field.name] = value.isoformat()
        else:
            data[field.name] = value
    for field in obj._meta.many_to_many:
        data[field.name] = [related.pk for related in field.value_from_object(obj)]
    if isinstance(obj, Customer):  # what the issue saw saved
        data.update(phone="not-a-phone; =1+1", date_of_birth="2999-01-01")
    return data


def _walk(client, world):
    """GET each model's list, add and change pages, then POST to add, change, delete and the
    list's delete action. Return the GET statuses by (model, page)."""
    statuses = {}
    for model in admin.site._registry:
        obj = world["tombstone"] if model is Customer else model._default_manager.order_by("pk").first()
        statuses[model, "changelist"] = client.get(_url(model, "changelist")).status_code
        statuses[model, "add"] = client.get(_url(model, "add")).status_code
        if obj is None:  # nothing of it to change (no background task has run)
            continue
        statuses[model, "change"] = client.get(_url(model, "change", obj.pk)).status_code
        client.post(_url(model, "add"), _payload(obj))
        client.post(_url(model, "change", obj.pk), _payload(obj))
        client.post(_url(model, "delete", obj.pk), {"post": "yes"})
        action = {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
        client.post(_url(model, "changelist"), action)
    return statuses


@pytest.mark.parametrize("who", ["frontdesk", "manager"])
def test_back_office_roles_do_not_open_the_admin(client, world, staff_manager, who):
    user = _users(staff_manager)[who]
    assert not user.is_staff  # the demo's logins, as the README gives them
    client.force_login(user)
    before = _snapshot()
    # A 403, not the login page: ours sends a logged-in user straight back (a loop).
    assert client.get(reverse("admin:index")).status_code == 403
    statuses = _walk(client, world)
    assert set(statuses.values()) == {403}, statuses
    assert _snapshot() == before


def test_a_manager_made_staff_at_most_views_what_changes_through_services(client, world, staff_manager):
    client.force_login(staff_manager)
    before = _snapshot()
    statuses = _walk(client, world)
    after = _snapshot()
    for model in admin.site._registry:
        if model in CATALOGUE:
            continue  # theirs to edit where they hold the permission: see below
        assert after[model] == before[model], model
    # They see customers (read-only) but not the admin's own business.
    assert statuses[Customer, "change"] == 200 and statuses[Customer, "add"] == 403
    assert statuses[get_user_model(), "changelist"] == 403
    tombstone = Customer.objects.get(pk=world["tombstone"].pk)
    assert (tombstone.first_name, tombstone.phone) == ("Tomb", world["tombstone"].phone)


def test_a_superuser_sees_customers_read_only(client, world, staff_manager):
    superuser = _users(staff_manager)["superuser"]
    client.force_login(superuser)
    tombstone = world["tombstone"]
    page = client.get(_url(Customer, "change", tombstone.pk)).content.decode()
    assert 'name="first_name"' not in page and 'name="_save"' not in page
    assert client.get(_url(Customer, "add")).status_code == 403
    before = _snapshot()
    _walk(client, world)
    after = _snapshot()
    for model in admin.site._registry:
        if model not in CATALOGUE | ADMINS_OWN:
            assert after[model] == before[model], model
    assert after[Customer] == before[Customer]  # the tombstone above all


def test_an_intake_form_saved_in_the_admin_goes_through_the_service_checks(admin_client):
    form = IntakeForm.objects.create(name="Health", questions=[{"text": "Ok?", "kind": "yes_no"}])
    url = _url(IntakeForm, "change", form.pk)
    # Malformed questions are refused with the Managers' page's words, not saved (nor a 500).
    response = admin_client.post(url, {"name": "Health", "questions": '["just text"]', "seen_version": 1})
    assert response.status_code == 200
    assert "Ask at least one question, each with a kind of answer." in response.content.decode()
    form.refresh_from_db()
    assert form.questions == [{"text": "Ok?", "kind": "yes_no"}] and form.version == 1


def test_a_service_page_opened_before_another_save_is_refused(admin_client):
    yoga = Service.objects.create(name="Yoga", duration_minutes=60, price=1000)
    Service.objects.filter(pk=yoga.pk).update(version=2)  # a Manager saved it meanwhile
    url = _url(Service, "change", yoga.pk)
    data = {"name": "Yoga", "duration_minutes": 45, "price": 1000, "is_active": "on", "seen_version": 1}
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "Someone else changed this" in response.content.decode()
    yoga.refresh_from_db()
    assert (yoga.duration_minutes, yoga.version) == (60, 2)


def test_a_tombstone_is_not_editable_in_the_back_office_either(client, manager_user):
    survivor = CustomerFactory()
    tombstone = CustomerFactory(first_name="Tomb", merged_into=survivor, merged_at=survivor.created_at)
    client.force_login(manager_user)
    data = {"first_name": "Hacked", "last_name": "X", "phone": "07700 900999", "version": tombstone.version}
    assert client.post(reverse("customers:edit", args=[tombstone.pk]), data).status_code == 404
    with pytest.raises(KinshipError, match="was merged into another account"):
        customer_services.update_customer(
            actor=manager_user, customer_id=tombstone.pk, version=tombstone.version, first_name="Hacked"
        )
    tombstone.refresh_from_db()
    assert tombstone.first_name == "Tomb" and not tombstone.activities.exists()


def test_the_menu_follows_the_role_and_its_admin_link_is_staff(client, front_desk_user, staff_manager):
    client.force_login(front_desk_user)
    page = client.get(reverse("customers:front_desk")).content.decode()
    assert 'aria-label="Main"' in page and reverse("admin:index") not in page
    client.force_login(staff_manager)
    page = client.get(reverse("customers:front_desk")).content.decode()
    assert 'aria-label="Main"' in page and f'href="{reverse("admin:index")}"' in page


def test_the_demo_takes_staff_back_from_its_front_desk_and_manager():
    call_command("load_demo_data", customers=10)
    User = get_user_model()
    User.objects.filter(username__in=["frontdesk", "manager"]).update(is_staff=True)  # an older demo
    call_command("load_demo_data", customers=10)
    staff = dict(
        User.objects.filter(username__in=["frontdesk", "manager", "admin"]).values_list(
            "username", "is_staff"
        )
    )
    assert staff == {"frontdesk": False, "manager": False, "admin": True}


def test_a_service_added_in_the_admin_is_made_by_the_service(admin_client):
    data = {"name": "  Massage ", "duration_minutes": 30, "price": 2500, "is_active": "on"}
    response = admin_client.post(_url(Service, "add"), data)
    assert response.status_code == 302
    massage = Service.objects.get()
    assert (massage.name, massage.version) == ("Massage", 1)
    assert response.url == _url(Service, "changelist")


def test_a_save_lost_to_a_managers_save_in_between_says_so_and_saves_nothing(admin_client, monkeypatch):
    """The form checked the version; a Manager saves before the service locks the row. The
    service refuses under its lock: the admin says why and nothing is saved, never a 500."""
    from bookings.services import catalogue

    yoga = Service.objects.create(name="Yoga", duration_minutes=60, price=1000)
    save_service = catalogue.save_service

    def a_manager_saves_first(**kwargs):
        Service.objects.filter(pk=yoga.pk).update(version=2, price=1200)
        return save_service(**kwargs)

    monkeypatch.setattr(catalogue, "save_service", a_manager_saves_first)
    url = _url(Service, "change", yoga.pk)
    data = {"name": "Yoga", "duration_minutes": 45, "price": 1000, "is_active": "on", "seen_version": 1}

    response = admin_client.post(url, data, follow=True)

    assert response.status_code == 200
    assert "Someone else changed this service since you opened it." in response.content.decode()
    yoga.refresh_from_db()
    assert yoga.duration_minutes == 60  # (the stand-in Manager's save ran in the same transaction)


def test_numbers_in_the_admin_are_read_as_strictly_as_on_the_back_office(rf):
    """Every number a superuser may type in the admin takes ASCII digits only."""
    from core.inputs import WholeNumberField

    request = rf.get("/")
    request.user = UserFactory(username="root", is_staff=True, is_superuser=True)
    for model, model_admin in admin.site._registry.items():
        may_type = model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        if model in ADMINS_OWN or not may_type:
            continue
        form = model_admin.get_form(request)
        for name, field in form.base_fields.items():
            if isinstance(field, forms.IntegerField) and name != "seen_version":
                assert isinstance(field, WholeNumberField), f"{model.__name__}.{name}"


def test_a_price_typed_with_an_underscore_is_refused_in_the_admin(admin_client):
    data = {"name": "Massage", "duration_minutes": "3_0", "price": "1_000", "is_active": "on"}
    response = admin_client.post(_url(Service, "add"), data)
    assert response.status_code == 200 and "Enter a whole number." in response.content.decode()
    assert not Service.objects.exists()


def test_a_superuser_lets_a_locked_out_receptionist_back_in(client, admin_client, front_desk_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    login = reverse("login")
    for _ in range(2):
        client.post(login, {"username": "fran", "password": "wrong"})
    refused = client.post(login, {"username": "fran", "password": "correct-horse-battery"})
    assert "Too many failed attempts" in refused.content.decode()
    counter = LoginAttempts.objects.get(key__startswith="user:")
    changelist = admin_client.get(_url(LoginAttempts, "changelist") + "?q=fran").content.decode()
    assert counter.key in changelist

    admin_client.post(_url(LoginAttempts, "delete", counter.pk), {"post": "yes"})

    assert client.post(login, {"username": "fran", "password": "correct-horse-battery"}).status_code == 302
