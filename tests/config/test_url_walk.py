"""Issue 15, "No 500, ever": walk every URL of the project with bad ids and bad form fields.

Every pattern of every urls.py (through the namespaced includes) is sent, as each kind of
visitor, with its id parameters set to a bad value, with the others valid (a pattern with two
ids is where a 25-digit id once slipped past the customer's lookup into a second one), and
with all of them valid, by GET and by POST. Each request carries every field name a form of
the project uses, or a view reads itself, set to the same bad value; a second carries
plausible values in the fields that do not hold an id (a label, a role, an amount), so that a
form gets as far as handing the bad id to a service. Nothing may answer 500: an exception
fails the test with its traceback, and every status must be below 500.

The paths are built by hand from each pattern's route string, not with `reverse()`, so that a
value the id converter refuses is still sent (and must then answer 404).

The Django admin's own patterns (`admin/`) are left out: they are Django's views, tested by
Django, reached by superusers only, and the walk would spend most of its time on them;
`test_admin_object_pages_refuse_bad_ids` below sends its object pages the bad ids instead.
"""

import re
import traceback
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from waffle.testutils import override_switch

from billing import services as billing_services
from bookings.features import BOOKINGS
from bookings.services import appointments, catalogue, intake, packages
from client_groups import services as segment_services
from customers import merging
from customers import services as customer_services
from customers.tabs import registry
from groups.models import Role
from linking import services as link_services
from mail.models import Email
from tests.bookings.helpers import ahead
from tests.factories import CustomerFactory

#: The bad ids: nothing has id 0, negative ids do not exist, a 25-digit number fits no
#: database integer (SQLite raised OverflowError), and a word is no number at all. (The
#: edges, 2**63 - 1 and 2**63, are tested on core.ids itself: tests/config/test_ids.py.)
BAD_IDS = {"zero": "0", "negative": "-1", "25 digits": "1" * 25, "word": "abc"}
ROLES = ["anonymous", "front_desk_user", "manager_user", "superuser"]
ID_CONVERTERS = {"int", "id"}
PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
PROJECT = Path(settings.BASE_DIR)
APPS = ("config", "customers", "groups", "linking", "billing", "bookings")


def project_routes():
    """Every (route, name) of the project outside the Django admin, includes flattened."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                assert isinstance(pattern.pattern, RoutePattern), f"the walk reads path() only: {pattern}"
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            else:
                assert isinstance(pattern, URLPattern)
                assert isinstance(pattern.pattern, RoutePattern), f"the walk reads path() only: {pattern}"
                name = ":".join(filter(None, [namespace, pattern.name])) or str(pattern.pattern)
                yield prefix + str(pattern.pattern), name

    return list(walk(get_resolver().url_patterns, "/", ""))


def parameters(route):
    return [(match["converter"] or "str", match["name"]) for match in PARAMETER.finditer(route)]


def build(route, values):
    return PARAMETER.sub(lambda match: str(values[match["name"]]), route)


def path_scenarios(route, valid, bad):
    """The paths to send for a route, each with its kind: "valid" (every id valid); "again"
    (the same, with another tab where the route names one: a tab reads its own query string,
    and its pages answer GET only); "bad" (all its ids bad; and, where it has several, each
    one bad while the others are valid)."""
    params = parameters(route)
    ids = [name for converter, name in params if converter in ID_CONVERTERS]
    for converter, name in params:
        if converter not in ID_CONVERTERS and converter != "slug":
            raise AssertionError(f"Teach the walk a plausible value for <{converter}:{name}> in {route}")
    missing = [name for name in ids if name not in valid]
    assert not missing, f"Give the walk's world a valid {missing} for {route}"
    slugs = [name for converter, name in params if converter == "slug"]
    tabs = ["summary", *sorted(set(registry.tabs) - {"summary"})] if slugs else [None]
    for number, tab in enumerate(tabs):
        yield build(route, {**valid, **dict.fromkeys(slugs, tab)}), "again" if number else "valid"
    if ids:
        yield build(route, {**valid, **dict.fromkeys(slugs, "summary"), **dict.fromkeys(ids, bad)}), "bad"
    if len(ids) > 1:
        for name in ids:
            yield build(route, {**valid, **dict.fromkeys(slugs, "summary"), name: bad}), "bad"


def _project_modules():
    """Import every forms.py and views.py of the project, so that each form class is known."""
    from importlib import import_module

    for app in APPS:
        for path in sorted((PROJECT / app).rglob("*.py")):
            if path.name in ("forms.py", "views.py") and "migrations" not in path.parts:
                import_module(".".join(path.relative_to(PROJECT).with_suffix("").parts))


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def declared_field_names():
    """The fields every project form declares (those added in __init__ are recorded as the
    walk meets the forms: see `recording_forms`)."""
    _project_modules()
    return {
        name
        for form in _subclasses(forms.BaseForm)
        if form.__module__.split(".")[0] in APPS
        for name in form.base_fields
    }


#: How a view reads a name from the request directly: `.get("x")`, `.getlist("x")`,
#: `params["x"]`, `"x" in request.GET`.
READS = [
    re.compile(r"\.(?:get|getlist)\(\s*\"([\w-]+)\""),
    re.compile(r"(?:GET|POST|params|source)\[\"([\w-]+)\"\]"),
    re.compile(r"\"([\w-]+)\" in (?:request\.)?(?:GET|POST|params|source)\b"),
]


def names_views_read():
    """Every name the project's code reads from a request itself (and any other `.get("x")`,
    which costs nothing to send as well)."""
    found = set()
    for app in APPS:
        for path in (PROJECT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text()
            for read in READS:
                found.update(read.findall(text))
            # A name kept in a constant of the module: `params.getlist(FILTER)`.
            for constant in re.findall(r"\.(?:get|getlist)\(([A-Z_]+)\)", text):
                found.update(re.findall(rf"^{constant} = \"([\w-]+)\"", text, re.MULTILINE))
    return found


@pytest.fixture
def recording_forms(monkeypatch):
    """The names of the fields of every form built while the walk runs, those added in a
    form's __init__ (a link's permissions, a form's answers) included."""
    seen = set()
    original = forms.BaseForm.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        seen.update(self.add_prefix(name) for name in self.fields)

    monkeypatch.setattr(forms.BaseForm, "__init__", init)
    return seen


@pytest.fixture
def features_on(linking_on, billing_on, client_groups_on):
    with override_switch(BOOKINGS, active=True):
        yield


@pytest.fixture
def world(features_on, front_desk_user, labels, types):
    """A customer with one of everything a URL can name, and a valid id for each parameter.

    Anna owns a family group (Ben a Dependent), is linked to Cara, shares an account with her
    partner Pete (with an entry on it), is in a client group, has a booked appointment with a
    form asked for it, a package, emails, and absorbed a duplicate of herself.
    """
    actor = front_desk_user
    anna = CustomerFactory(first_name="Anna", last_name="Walker", email="anna@example.com")
    ben = CustomerFactory(first_name="Ben", last_name="Walker")
    cara = CustomerFactory(first_name="Cara", last_name="Jones")
    pete = CustomerFactory(first_name="Pete", last_name="Walker")
    group = customer_group(actor, anna, ben, labels)
    member = group.members.get(customer=ben)
    link = link_services.link_customers(
        actor=actor,
        agent_id=anna.pk,
        principal_id=cara.pk,
        type_id=types["Other"].pk,
        agent_may={"can_book": True},
        principal_may={},
    )
    entry = billing_services.post(actor=actor, customer_id=anna.pk, kind="charge", amount=1000)
    billing_services.link_partner(
        actor=actor,
        customer_id=anna.pk,
        partner_id=pete.pk,
        primary_id=anna.pk,
        token=billing_services.holders_token(anna.pk, pete.pk),
    )
    segment = segment_services.create_segment(actor=actor, name="VIP")
    segment_services.add_customers(
        actor=actor, segment_id=segment.pk, customers=type(anna).objects.filter(pk=anna.pk)
    )
    service = catalogue.save_service(name="Haircut", duration_minutes=30, price=2500)
    form = catalogue.save_intake_form(
        name="Health", questions=[{"text": "Allergies?", "kind": "text", "required": True}]
    )
    appointment = appointments.book(
        actor=actor, attendee_id=anna.pk, service_id=service.pk, starts_at=ahead(days=3)
    )
    asked = intake.request_form(actor=actor, appointment_id=appointment.pk, form_id=form.pk)
    package = packages.buy_package(
        actor=actor, customer_id=anna.pk, service_id=service.pk, sessions=5, price=10000
    )
    email = Email.objects.filter(recipient=anna).first()
    assert email is not None, "booking Anna should have written her an email"
    duplicate = CustomerFactory(first_name="Anna", last_name="Walker")
    merge = customer_services.merge_customers(
        actor=actor,
        survivor_id=anna.pk,
        absorbed_id=duplicate.pk,
        token=merging.merge_token(anna, duplicate),
    )
    valid = {
        "customer_id": anna.pk,
        "group_id": group.pk,
        "member_id": member.pk,
        "link_id": link.pk,
        "entry_id": entry.pk,
        "segment_id": segment.pk,
        "service_id": service.pk,
        "form_id": form.pk,
        "appointment_id": appointment.pk,
        "request_id": asked.pk,
        "package_id": package.pk,
        "email_id": email.pk,
        "merge_id": merge.pk,
    }
    # What a form needs, besides its ids, to hand them on to a service.
    plausible = {
        "label": labels["Child"].pk,
        "owner_label": labels["Parent"].pk,
        "role": Role.DEPENDENT,
        "type": types["Other"].pk,
        "name": "Walked",
        "first_name": "Walt",
        "last_name": "Walker",
        "service": service.pk,
        "segment": segment.pk,
        "members": "manual",
        "kind": "charge",
        "amount": "1.00",
        "balance": "house",
        "direction": "up",
        "memo": "Walked",
        "starts_at": ahead(days=4).strftime("%Y-%m-%dT%H:%M"),
        "sessions": "1",
        "price_text": "1.00",
        "to": "walk@example.com",
        "status": "attended",
        "answer_0": "None",
        "q0_text": "Anything else?",
        "q0_kind": "text",
    }
    return valid, plausible


def customer_group(actor, owner, dependent, labels):
    from groups import services

    return services.create_group(
        actor=actor,
        owner_id=owner.pk,
        owner_label_id=labels["Parent"].pk,
        member_id=dependent.pk,
        member_role=Role.DEPENDENT,
        member_label_id=labels["Child"].pk,
    )


def send(client, method, path, data, failures):
    """One request, undone afterwards (its writes and the client's cookies), so that every
    request meets the same world and the same login; a 500 or an exception is written down."""
    cookies = SimpleCookie()
    cookies.load(client.cookies.output(header="", sep=";"))
    try:
        with transaction.atomic():
            if method == "get":
                response = client.get(f"{path}?{urlencode(data)}" if data else path)
            else:
                response = client.post(path, data)
            transaction.set_rollback(True)
    except Exception as error:
        ours = [
            frame
            for frame in traceback.extract_tb(error.__traceback__)
            if frame.filename.startswith(str(PROJECT)) and "/.venv/" not in frame.filename
        ]
        where = f"{ours[-1].filename}:{ours[-1].lineno}" if ours else "?"
        failures.append(
            f"{method.upper()} {path} ({'with data' if data else 'bare'}) raised "
            f"{type(error).__name__} at {where}:\n{traceback.format_exc()}"
        )
        return
    finally:
        client.cookies = cookies
    if response.status_code >= 500:
        failures.append(f"{method.upper()} {path} answered {response.status_code}")


@pytest.mark.parametrize("bad", BAD_IDS.values(), ids=BAD_IDS.keys())
@pytest.mark.parametrize("role", ROLES)
def test_no_url_answers_500_to_bad_ids(client, request, role, bad, world, recording_forms):
    valid, plausible = world
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    static_names = declared_field_names() | names_views_read()
    failures = []
    for route, _name in project_routes():
        for path, kind in path_scenarios(route, valid, bad):
            # GET first: the page's forms record the fields they add in __init__.
            names = static_names | recording_forms
            all_bad = dict.fromkeys(names, bad)
            mostly_plausible = {**all_bad, **plausible}
            requests = {
                "valid": [
                    ("get", all_bad),
                    ("get", mostly_plausible),
                    ("post", all_bad),
                    ("post", mostly_plausible),
                ],
                "again": [("get", all_bad), ("get", mostly_plausible)],
                "bad": [("get", all_bad), ("post", all_bad)],  # refused before any form is read
            }[kind]
            if kind == "valid" and bad == BAD_IDS["25 digits"]:
                requests.append(("post", None))  # once: an empty form is the same whatever the value
            for method, data in requests:
                send(client, method, path, data, failures)
    assert not failures, (
        f"{len(failures)} requests failed; the first:\n"
        + "\n".join(failures[:1])
        + ("\nAll of them:\n" + "\n".join(line.splitlines()[0] for line in failures))
    )


@pytest.mark.parametrize("bad", BAD_IDS.values(), ids=BAD_IDS.keys())
def test_admin_object_pages_refuse_bad_ids(client, superuser, bad):
    """The Django admin's object pages (change, delete, history) for every registered model,
    with a bad id in the URL, as a superuser: Django looks the id up with a plain `pk=`, which
    it bounds itself, so this guards against a ModelAdmin of ours doing otherwise."""
    client.force_login(superuser)
    failures = []
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{bad}"
        for suffix in ("/change/", "/delete/", "/history/"):
            send(client, "get", base + suffix, None, failures)
    assert not failures, "\n".join(failures)
