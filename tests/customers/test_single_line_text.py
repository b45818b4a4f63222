"""Names and other single-line text refuse line breaks, tabs, control characters and bidi
overrides (issue 15), on every model field and every form of the project; multi-line text
(notes, descriptions, long answers) keeps its line breaks but refuses the rest.

The walks below find every form class and every model field, so a field added tomorrow
without the validator fails here rather than in a customer's inbox.
"""

import importlib
import pkgutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from waffle.testutils import override_switch

from billing.forms import MoneyField
from bookings.features import BOOKINGS
from bookings.models import QuestionKind, Service
from core.validators import (
    MULTI_LINE_MESSAGE,
    SINGLE_LINE_MESSAGE,
    single_line,
    validate_multi_line,
    validate_single_line,
)
from customers.models import Activity, Customer
from groups.models import CustomerGroup
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

#: What a paste, a terminal or someone up to no good puts in a name field.
BAD = [
    pytest.param("Ann\r\nBcc: x@example.com", id="CR LF and a header"),
    pytest.param("Ann\nSmith", id="LF"),
    pytest.param("Ann\tSmith", id="TAB"),
    pytest.param("Ann\x07", id="BEL"),
    pytest.param("Ann\x1b[31m", id="ESC"),
    pytest.param("Ann\x85Smith", id="NEL (a C1 control)"),
    pytest.param("Ann\u202egnp.exe", id="right-to-left override"),
    pytest.param("Ann\u2066x\u2069", id="bidi isolate"),
    pytest.param("Ann\u2028Smith", id="line separator"),
]
BAD_VALUES = [param.values[0] for param in BAD]

#: What people are called, and must stay allowed.
GOOD = [
    "Ann",
    "Zoë O'Brien-Smith",
    "José Núñez",
    "محمد",  # right-to-left text is fine; overriding the direction is not
    "שרה\u200f",  # a right-to-left mark (not an override) affects punctuation only
    "李小龍",
    "Ann 👩\u200d👩\u200d👧",  # a zero-width joiner holds an emoji family together
]


@pytest.mark.parametrize("value", [*BAD, pytest.param("Ann\x00", id="NUL"), pytest.param("\x7f", id="DEL")])
def test_single_line_text_refuses_control_characters_and_bidi_overrides(value):
    with pytest.raises(ValidationError, match="Use one line of ordinary characters"):
        validate_single_line(value)


@pytest.mark.parametrize("value", GOOD)
def test_ordinary_names_in_any_script_are_allowed(value):
    validate_single_line(value)
    validate_multi_line(value)


def test_multi_line_text_keeps_line_breaks_and_tabs_but_not_other_controls():
    validate_multi_line("First line\r\nSecond line\n\tindented")
    for value in ("Note\x07", "Note\x1b[31m", "Note\u202e", "Note\x00"):
        with pytest.raises(ValidationError, match="Use ordinary characters and line breaks only"):
            validate_multi_line(value)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Evil\r\nBcc: x@example.com", "Evil Bcc: x@example.com"),
        ("  Ann\x07\x07 Smith\n", "Ann  Smith"),
        ("\u202eAnn", "Ann"),
        ("Ann Smith", "Ann Smith"),
        ("", ""),
        (None, ""),
    ],
)
def test_single_line_collapses_what_validation_would_refuse(text, line):
    assert single_line(text) == line
    validate_single_line(single_line(text))


# The walks ----------------------------------------------------------------------------------


def project_apps():
    root = Path(settings.BASE_DIR)
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(root) and ".venv" not in Path(config.path).parts
    ]


def project_models():
    return [model for config in project_apps() for model in config.get_models()]


#: Model fields written by code, never typed into a form (their admins are read-only): a
#: subject is made one line when it is queued (mail.services.subject_line); an error is the
#: mail server's words, which may run to several lines.
WRITTEN_BY_CODE = {
    "customers.Activity.kind",
    "customers.Activity.message",
    "mail.Email.kind",
    "mail.Email.subject",
    "mail.Email.error",
    "mail.Email.to_address",
    "mail.Email.body",
    "customers.LoginAttempts.key",
}


def typed_model_fields():
    """(name, field, validator wanted) for every model field staff can type into."""
    for model in project_models():
        for field in model._meta.concrete_fields:
            name = f"{model._meta.label}.{field.name}"
            if name in WRITTEN_BY_CODE or not field.editable or field.choices:
                continue
            if isinstance(field, models.CharField):
                yield name, field, validate_single_line
            elif isinstance(field, models.TextField):
                yield name, field, validate_multi_line


def test_every_typed_model_text_field_refuses_control_characters():
    fields = list(typed_model_fields())
    # The walk finds what it should (a broken walk would find nothing and pass).
    names = {name for name, _, _ in fields}
    assert {"customers.Customer.first_name", "customers.Customer.notes", "bookings.Service.name"} <= names
    missing = [
        f"{name} ({wanted.__name__})" for name, field, wanted in fields if wanted not in field.validators
    ]
    assert missing == [], f"Give these fields their validator: {missing}"


def form_classes():
    """Every form class defined in a `forms` module of the project's apps, or in a module of a
    `forms` package (bookings keeps one module per concern)."""
    found = {}
    for config in project_apps():
        package = importlib.import_module(config.name)
        modules = [
            info.name
            for info in pkgutil.walk_packages(package.__path__, prefix=f"{config.name}.")
            if "forms" in info.name.split(".")[1:]
        ]
        for module_name in modules:
            module = importlib.import_module(module_name)
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, forms.BaseForm)
                    and value.__module__ == module_name
                ):
                    found[f"{module_name}.{value.__qualname__}"] = value
    return found


PERSON = SimpleNamespace(pk=1, first_name="Ann", full_name="Ann Ito", label=None)

#: How to make the forms whose fields depend on what they are made for; every kind of
#: answer, so each kind's field is walked.
ARGUMENTS = {
    "linking.forms.LinkForm": {"customer": PERSON},
    "groups.forms.ChangeMemberForm": {"member": PERSON},
    "bookings.forms.appointments.BookForm": {"customer": PERSON, "others": [PERSON]},
    "billing.forms.LinkForm": {"customer": PERSON, "partner": PERSON},
    "bookings.forms.intake.CompleteForm": {
        "request": SimpleNamespace(
            subject_id=1,
            questions=[{"text": f"A {kind} question", "kind": kind} for kind in QuestionKind.values],
        ),
        "people": [PERSON],
    },
}

#: Search boxes stay free text: search treats a control character as a space
#: (customers.queries.search_words), and what is typed is never stored.
SEARCH_BOXES = {"q"}
#: Fields that parse what is typed into something else, by a grammar that admits no
#: control character (billing.money.AMOUNT); and hidden fields, which nobody types into.
PARSED = (MoneyField, forms.UUIDField, forms.JSONField)


#: Fields that check their text's shape themselves may say so in their own words first.
OWN_WORDS = {
    "Enter a valid email address.",
    "Enter a phone number of digits, spaces and + ( ) - only, e.g. 07700 900123.",
}


def make(name, form_class, data=None):
    return form_class(data, **ARGUMENTS.get(name, {}))


def typed_form_fields():
    """(form name, form class, field name, validator wanted) for every text field typed
    into a form of the project."""
    for name, form_class in sorted(form_classes().items()):
        form = make(name, form_class)
        model = getattr(getattr(form, "_meta", None), "model", None)
        for field_name, field in form.fields.items():
            if not isinstance(field, forms.CharField) or isinstance(field, PARSED):
                continue
            if field.widget.is_hidden or field_name in SEARCH_BOXES:
                continue
            multi = isinstance(field.widget, forms.Textarea)
            validators = list(field.validators)
            if model is not None and field_name in {f.name for f in model._meta.fields}:
                # A model form's field is checked by the model field's validators too.
                validators += model._meta.get_field(field_name).validators
            yield name, form_class, field_name, multi, validators


def test_every_form_text_field_refuses_control_characters():
    fields = list(typed_form_fields())
    found = {(name, field) for name, _, field, _, _ in fields}
    assert {
        ("customers.forms.CustomerForm", "first_name"),
        ("groups.forms.RenameGroupForm", "name"),
        ("bookings.forms.catalogue.IntakeFormForm", "q7_text"),
        ("billing.forms.PostForm", "memo"),
        ("client_groups.forms.SegmentForm", "name"),
    } <= found
    missing = [
        f"{name}.{field}"
        for name, _, field, multi, validators in fields
        if (validate_multi_line if multi else validate_single_line) not in validators
    ]
    assert missing == [], f"Give these form fields the single-line (or multi-line) validator: {missing}"


def test_every_form_can_be_walked():
    """A new form whose constructor needs arguments needs an entry in ARGUMENTS, or the walk
    above would not see its fields."""
    for name, form_class in form_classes().items():
        make(name, form_class)


@pytest.mark.parametrize("value", BAD)
def test_every_single_line_form_field_says_why_it_refuses(value):
    """Each form, bound with the bad text in one single-line field, refuses it with the
    message on that field (the rest of the form may have other errors)."""
    checked = 0
    for name, form_class, field, multi, _ in typed_form_fields():
        if multi:
            continue
        form = make(name, form_class, {field: value})
        assert not form.is_valid(), f"{name}.{field}"
        refused = form.errors.get(field, [])
        assert SINGLE_LINE_MESSAGE in refused or set(refused) & OWN_WORDS, f"{name}.{field}: {refused}"
        checked += 1
    assert checked > 15


def test_multi_line_form_fields_keep_line_breaks_and_refuse_control_characters():
    for name, form_class, field, multi, _ in typed_form_fields():
        if not multi:
            continue
        assert field not in make(name, form_class, {field: "One\r\nTwo\tthree"}).errors
        assert MULTI_LINE_MESSAGE in make(name, form_class, {field: "One\x1b[31m"}).errors[field]


# Through the pages: refused with the reason, nothing changed --------------------------------


@pytest.mark.parametrize("value", BAD)
def test_adding_a_customer_with_a_control_character_in_a_name_adds_nobody(desk, value):
    response = desk.post(reverse("customers:create"), {"first_name": value, "last_name": "Ito"})
    assert response.status_code == 200
    assert SINGLE_LINE_MESSAGE in response.content.decode()
    assert not Customer.objects.exists()
    assert not Activity.objects.exists()


@pytest.mark.parametrize("field", ["first_name", "last_name", "phone"])
@pytest.mark.parametrize("value", BAD)
def test_editing_a_customer_to_a_control_character_changes_nothing(desk, field, value):
    anna = CustomerFactory(first_name="Anna", last_name="Smith", phone="07700 900111")
    data = {"first_name": "Anna", "last_name": "Smith", "phone": "07700 900111", "version": 1}
    response = desk.post(reverse("customers:edit", args=[anna.pk]), {**data, field: value})
    assert response.status_code == 200
    page = response.content.decode()
    assert SINGLE_LINE_MESSAGE in page or "Enter a phone number" in page
    anna.refresh_from_db()
    assert (anna.first_name, anna.last_name, anna.phone, anna.version) == ("Anna", "Smith", "07700 900111", 1)
    assert not Activity.objects.exists()


def test_notes_keep_their_line_breaks(desk):
    anna = CustomerFactory(first_name="Anna", last_name="Smith")
    data = {"first_name": "Anna", "last_name": "Smith", "notes": "Allergic to nuts.\r\nPrefers mornings."}
    response = desk.post(reverse("customers:edit", args=[anna.pk]), {**data, "version": 1})
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.notes == "Allergic to nuts.\r\nPrefers mornings."


@pytest.mark.parametrize("value", BAD)
def test_renaming_a_group_to_a_control_character_changes_nothing(desk, family, linking_on, value):
    group = family["group"]
    url = reverse("groups:rename", args=[family["anna"].pk, group.pk])
    response = desk.post(url, {"name": value, "version": group.version})
    assert response.status_code == 200
    assert SINGLE_LINE_MESSAGE in response.content.decode()
    assert CustomerGroup.objects.get().name == group.name


@pytest.mark.parametrize("value", BAD)
def test_a_service_named_with_a_control_character_is_not_added(client, manager_user, value):
    client.force_login(manager_user)
    with override_switch(BOOKINGS, active=True):
        response = client.post(
            reverse("bookings:service_create"),
            {"name": value, "duration_minutes": "30", "price_text": "10"},
        )
    assert response.status_code == 200
    assert SINGLE_LINE_MESSAGE in response.content.decode()
    assert not Service.objects.exists()


def test_the_admin_refuses_a_control_character_in_a_name_too():
    """The admin's forms are made from the models, whose fields carry the validator."""
    anna = CustomerFactory.build(first_name="Ann\r\nBcc: x@example.com", last_name="Smith")
    with pytest.raises(ValidationError) as refused:
        anna.full_clean()
    assert refused.value.message_dict["first_name"] == [SINGLE_LINE_MESSAGE]
