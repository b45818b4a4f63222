"""Intake forms: writing them (Managers), asking one of the client before a visit (and who is
emailed), filling it in (the client, a linked client with Complete Intake Forms, or the
group's Owner and Admins for a Dependent), the Forms tab, and who may use each page."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from waffle.testutils import override_switch

from bookings.features import BOOKINGS
from bookings.models import FormRequest, IntakeForm, Status
from bookings.services import appointments, intake
from bookings.services import catalogue as catalogue_services
from core.errors import StaleEdit
from customers import services as customer_services
from mail.models import Email
from tests.bookings.acting_for_others import emails, link, refused, snapshot, unlink
from tests.bookings.helpers import ahead, book, lines, started, when
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"text": "Any allergies?", "kind": "text", "required": True},
    {"text": "Are you pregnant?", "kind": "yes_no", "required": False},
    {"text": "Date of your last treatment", "kind": "date", "required": False},
]
GOOD_ANSWERS = {"0": "Nuts", "1": "No", "2": "2026-01-05"}


@pytest.fixture
def health(db):
    return catalogue_services.save_intake_form(name="Health Questionnaire", questions=QUESTIONS)


@pytest.fixture
def people(actor, types, linking_on):
    """Eli attends; Dora may complete his forms; Gus may book for him and gets copies, but may
    not complete forms; Hal may complete forms only the other way round (Eli for Hal)."""
    eli = CustomerFactory(first_name="Eli", last_name="Brown", email="eli@example.com")
    dora = CustomerFactory(first_name="Dora", last_name="Brown", email="dora@example.com")
    gus = CustomerFactory(first_name="Gus", last_name="Grey", email="gus@example.com")
    hal = CustomerFactory(first_name="Hal", last_name="Hill", email="hal@example.com")
    return {
        "eli": eli,
        "dora": dora,
        "gus": gus,
        "hal": hal,
        "dora_link": link(actor, types, dora, eli, agent_may={"can_complete_forms"}),
        "gus_link": link(actor, types, gus, eli, agent_may={"can_book", "receives_copies"}),
        "hal_link": link(actor, types, hal, eli, principal_may={"can_complete_forms"}),
    }


@pytest.fixture
def visit(actor, catalogue, people):
    return book(actor, people["eli"], catalogue.massage, ahead(3, 14))


def ask(actor, appointment, form):
    return intake.request_form(actor=actor, appointment_id=appointment.pk, form_id=form.pk)


def complete(actor, request, by, answers=None, version=None):
    return intake.complete_form(
        actor=actor,
        request_id=request.pk,
        completed_by_id=by.pk,
        answers=GOOD_ANSWERS if answers is None else answers,
        version=version,
    )


# Writing forms.


def test_a_form_is_saved_with_its_questions(health):
    health.refresh_from_db()
    assert (health.name, health.questions, health.is_active, health.version) == (
        "Health Questionnaire",
        QUESTIONS,
        True,
        1,
    )


@pytest.mark.parametrize("name", ["Health Questionnaire", "health questionnaire", "  HEALTH QUESTIONNAIRE "])
def test_a_form_name_is_unique_whatever_its_case(health, name):
    refused(
        lambda: catalogue_services.save_intake_form(name=name, questions=QUESTIONS),
        "^There is already a form with that name\\.$",
    )


def test_renaming_a_form_to_anothers_name_is_refused_and_to_its_own_is_not(health):
    consent = catalogue_services.save_intake_form(name="Consent", questions=QUESTIONS[:1])
    refused(
        lambda: catalogue_services.save_intake_form(
            form_id=consent.pk, name="HEALTH questionnaire", questions=QUESTIONS
        ),
        "^There is already a form with that name\\.$",
    )
    renamed = catalogue_services.save_intake_form(
        form_id=health.pk, name="health questionnaire", questions=QUESTIONS
    )
    assert (renamed.name, renamed.version) == ("health questionnaire", 2)


@pytest.mark.parametrize(
    "questions",
    [
        [],
        [{"text": "", "kind": "text", "required": True}],
        [{"text": "Height?", "kind": "essay", "required": False}],
        [QUESTIONS[0], {"text": "Weight?", "required": False}],
    ],
    ids=["none", "no words", "unknown kind", "one without a kind"],
)
def test_a_form_asks_at_least_one_question_each_with_a_kind(db, questions):
    refused(
        lambda: catalogue_services.save_intake_form(name="Consent", questions=questions),
        "^Ask at least one question, each with a kind of answer\\.$",
    )


def test_a_blank_name_is_not_called_a_duplicate(db):
    error = refused(lambda: catalogue_services.save_intake_form(name="   ", questions=QUESTIONS), ".")
    assert "already" not in error.message


def test_changing_a_form_never_changes_what_was_asked(actor, health, visit):
    asked = ask(actor, visit, health)
    catalogue_services.save_intake_form(
        form_id=health.pk, name="Health Questionnaire", questions=QUESTIONS[:1]
    )

    asked.refresh_from_db()
    assert asked.questions == QUESTIONS
    assert IntakeForm.objects.get().questions == QUESTIONS[:1]


# Asking for a form.


def test_a_form_is_asked_of_the_attendee_of_a_booked_appointment(actor, health, visit, people):
    asked = ask(actor, visit, health)

    asked.refresh_from_db()
    assert (asked.appointment, asked.form, asked.subject, asked.requested_by) == (
        visit,
        health,
        people["eli"],
        actor,
    )
    assert asked.questions == QUESTIONS and not asked.is_complete
    assert lines(people["eli"], "form") == [
        f"Asked to fill in “Health Questionnaire” for Massage on {when(visit.starts_at)}."
    ]


def test_the_request_is_emailed_to_the_subject_and_whoever_may_complete_forms_for_them(
    actor, health, visit, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(actor, visit, health)

    eli, dora = people["eli"], people["dora"]
    assert emails("form.requested") == [
        (eli, eli, "eli@example.com", Email.Status.SENT),
        (dora, eli, "dora@example.com", Email.Status.SENT),
    ]
    # Not Gus (copies and booking, but not forms), not Hal (forms, but the other way round).
    assert sorted(message.to[0] for message in mailoutbox) == ["dora@example.com", "eli@example.com"]
    copy = next(m for m in mailoutbox if m.to == ["dora@example.com"])
    assert copy.subject == "Please fill in: Health Questionnaire"
    assert "Please fill in “Health Questionnaire” for Eli Brown before Massage" in copy.body
    assert "You are receiving a copy because you are linked to Eli Brown." in copy.body


def test_a_dependents_form_request_goes_to_the_groups_owner_and_admins(
    actor, catalogue, health, family, linking_on, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(actor, book(actor, family["ben"], catalogue.haircut, ahead(2)), health)

    # Ben first, then those who act for him, by name.
    assert [row[0] for row in emails("form.requested")] == [family["ben"], family["cara"], family["anna"]]


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.ATTENDED, Status.NO_SHOW])
def test_a_form_is_asked_for_booked_appointments_only(actor, catalogue, health, people, status):
    appointment = started(people["eli"], catalogue.haircut)
    if status == Status.CANCELLED:
        appointment = book(actor, people["eli"], catalogue.massage, ahead(5))
        appointments.cancel(actor=actor, appointment_id=appointment.pk, version=1)
    else:
        appointments.mark(actor=actor, appointment_id=appointment.pk, status=status, version=1)

    state = Status(status).label.lower()
    refused(
        lambda: ask(actor, appointment, health),
        f"^That appointment is {state}; forms are asked for booked appointments only\\.$",
    )


def test_a_form_is_asked_from_the_profile_of_someone_who_may_book_for_the_attendee(
    actor, health, visit, people
):
    asked = intake.request_form(
        actor=actor, appointment_id=visit.pk, form_id=health.pk, on_behalf_of=people["gus"].pk
    )
    assert asked.subject == people["eli"]


def test_once_unlinked_the_agent_may_no_longer_ask_for_a_form(actor, health, visit, people):
    """Dora may complete Eli's forms but not book for him; Gus's link is gone: from neither
    profile may the desk ask Eli for a form."""
    unlink(actor, people["gus_link"])
    for who in ("dora", "gus"):
        refused(
            lambda who=who: intake.request_form(
                actor=actor, appointment_id=visit.pk, form_id=health.pk, on_behalf_of=people[who].pk
            ),
            f"^{people[who].full_name} may no longer manage Eli Brown's appointments\\.$",
        )


def test_a_form_not_in_use_is_not_asked(actor, health, visit):
    catalogue_services.save_intake_form(
        form_id=health.pk, name=health.name, questions=QUESTIONS, is_active=False
    )
    refused(lambda: ask(actor, visit, health), "^Choose a form that is in use\\.$")


def test_a_form_is_asked_once_per_appointment(actor, health, visit, catalogue, people):
    ask(actor, visit, health)
    refused(
        lambda: ask(actor, visit, health),
        "^“Health Questionnaire” was already asked for this appointment\\.$",
    )
    # Another appointment may ask it again.
    ask(actor, book(actor, people["eli"], catalogue.haircut, ahead(6)), health)
    assert FormRequest.objects.count() == 2


def test_asking_for_an_unknown_appointment_or_form_is_refused(actor, health, visit):
    refused(
        lambda: intake.request_form(actor=actor, appointment_id=999_999, form_id=health.pk),
        "^That appointment no longer exists\\.$",
    )
    refused(
        lambda: intake.request_form(actor=actor, appointment_id=visit.pk, form_id=999_999),
        "^Choose a form that is in use\\.$",
    )


# Filling it in.


def test_the_subject_fills_in_their_own_form(actor, health, visit, people):
    asked = ask(actor, visit, health)

    complete(actor, asked, people["eli"], version=1)

    asked.refresh_from_db()
    assert asked.is_complete and asked.answers == GOOD_ANSWERS
    assert (asked.completed_by, asked.entered_by, asked.version) == (people["eli"], actor, 2)
    assert asked.answered == [
        ("Any allergies?", "Nuts"),
        ("Are you pregnant?", "No"),
        ("Date of your last treatment", "2026-01-05"),
    ]
    assert lines(people["eli"], "form.completed") == ["Filled in “Health Questionnaire”."]


def test_a_linked_client_with_complete_forms_fills_it_in_for_them(actor, health, visit, people):
    asked = ask(actor, visit, health)

    complete(actor, asked, people["dora"], answers={"0": "  None known  "})

    asked.refresh_from_db()
    assert asked.completed_by == people["dora"]
    assert asked.answers == {"0": "None known", "1": "", "2": ""}
    assert lines(people["eli"], "form.completed") == ["“Health Questionnaire” was filled in by Dora Brown."]
    assert lines(people["dora"], "form.completed") == ["Filled in “Health Questionnaire” for Eli Brown."]


@pytest.mark.parametrize("manager", ["anna", "cara"])
def test_a_groups_owner_and_admins_fill_in_a_dependents_form(
    actor, catalogue, health, family, linking_on, manager
):
    asked = ask(actor, book(actor, family["ben"], catalogue.haircut, ahead(2)), health)
    complete(actor, asked, family[manager])
    assert FormRequest.objects.get().completed_by == family[manager]


@pytest.mark.parametrize("who", ["gus", "hal"], ids=["other permissions only", "ticked the other way"])
def test_an_agent_without_complete_forms_is_refused(actor, health, visit, people, who):
    asked = ask(actor, visit, health)
    agent = people[who]
    refused(
        lambda: complete(actor, asked, agent),
        f"^{agent.full_name} may not complete forms for Eli Brown\\.$",
    )


def test_a_dependent_may_not_fill_in_the_owners_form(actor, catalogue, health, family, linking_on):
    asked = ask(actor, book(actor, family["anna"], catalogue.haircut, ahead(2)), health)
    refused(
        lambda: complete(actor, asked, family["ben"]),
        "^Ben Smith may not complete forms for Anna Smith\\.$",
    )


def test_once_unlinked_the_agent_may_no_longer_fill_it_in(actor, health, visit, people):
    asked = ask(actor, visit, health)
    unlink(actor, people["dora_link"])
    refused(
        lambda: complete(actor, asked, people["dora"]),
        "^Dora Brown may not complete forms for Eli Brown\\.$",
    )


def test_a_form_is_filled_in_once(actor, health, visit, people):
    asked = ask(actor, visit, health)
    complete(actor, asked, people["eli"])
    refused(lambda: complete(actor, asked, people["dora"]), "^That form was filled in already\\.$")


def test_a_stale_form_is_refused(actor, health, visit, people):
    asked = ask(actor, visit, health)
    refused(
        lambda: complete(actor, asked, people["eli"], version=7),
        "^The form changed since you opened it\\. Reload and try again\\.$",
        error=StaleEdit,
    )


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"1": "Yes"}, "^Answer “Any allergies\\?”\\.$"),
        ({"0": "   ", "1": "No"}, "^Answer “Any allergies\\?”\\.$"),
        ({"0": "None", "1": "Maybe"}, "^Answer “Are you pregnant\\?” with yes or no\\.$"),
        ({"0": "None", "1": "yes"}, "^Answer “Are you pregnant\\?” with yes or no\\.$"),
    ],
    ids=["required missing", "required blank", "not yes or no", "yes in lower case"],
)
def test_bad_answers_are_refused(actor, health, visit, people, answers, message):
    asked = ask(actor, visit, health)
    refused(lambda: complete(actor, asked, people["eli"], answers=answers), message)


def test_an_unknown_request_is_refused(actor, people):
    refused(
        lambda: intake.complete_form(
            actor=actor, request_id=999_999, completed_by_id=people["eli"].pk, answers={}
        ),
        "^That form request no longer exists\\.$",
    )


def test_no_form_is_asked_for_an_appointment_that_has_begun(actor, catalogue, health, people):
    begun = started(people["eli"], catalogue.massage)
    refused(
        lambda: ask(actor, begun, health),
        "^That appointment has begun; forms are asked before an appointment\\.$",
    )


def test_an_archived_client_is_not_asked_for_forms_nor_are_theirs_filled_in(actor, health, visit, people):
    asked = ask(actor, visit, health)
    customer_services.archive_customer(actor=actor, customer_id=people["eli"].pk)
    consent = catalogue_services.save_intake_form(name="Consent", questions=QUESTIONS[:1])
    refused(
        lambda: ask(actor, visit, consent),
        "^Eli Brown is archived; restore them before asking them for a form\\.$",
    )
    refused(
        lambda: complete(actor, asked, people["dora"]),
        "^Eli Brown is archived; restore them before filling in their forms\\.$",
    )


def test_an_archived_agent_fills_in_nothing(actor, health, visit, people):
    asked = ask(actor, visit, health)
    customer_services.archive_customer(actor=actor, customer_id=people["dora"].pk)
    refused(
        lambda: complete(actor, asked, people["dora"]),
        "^Dora Brown is archived; restore them before they act for anyone\\.$",
    )


def test_asking_from_an_agents_profile_writes_to_both_histories(actor, health, visit, people):
    intake.request_form(
        actor=actor, appointment_id=visit.pk, form_id=health.pk, on_behalf_of=people["gus"].pk
    )
    what = f"Asked to fill in “Health Questionnaire” for Massage on {when(ahead(3, 14))}"
    assert lines(people["eli"], "form.requested") == [f"{what}."]
    assert lines(people["gus"], "form.requested") == [f"{what}: Eli Brown."]


# The Forms tab and the Fill In page.


def text(response):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def forms_tab(customer):
    return reverse("customers:profile_tab", args=[customer.pk, "forms"])


def fill_url(customer, asked):
    return reverse("bookings:fill_form", args=[customer.pk, asked.pk])


def test_the_forms_tab_lists_own_forms_and_those_to_fill_in_for_others(
    desk, actor, catalogue, health, visit, people, bookings_on
):
    consent = catalogue_services.save_intake_form(name="Consent", questions=QUESTIONS[:1])
    waiting = ask(actor, visit, health)
    done = ask(actor, visit, consent)
    complete(actor, done, people["dora"], answers={"0": "Agreed"})

    elis = text(desk.get(forms_tab(people["eli"])))
    assert "Health Questionnaire" in elis and "Waiting" in elis
    assert "Consent" in elis and "by Dora Brown (linked client)" in elis
    assert "may fill in for others" not in elis

    doras = desk.get(forms_tab(people["dora"]))
    words = text(doras)
    assert "No forms have been asked of Dora." in words
    assert "Forms Dora may fill in for others" in words
    # Only the one still waiting, with a way to fill it in from her profile.
    assert "Health Questionnaire Eli Brown Massage" in words and "Consent" not in words
    assert fill_url(people["dora"], waiting) in doras.content.decode()

    # Gus may book for Eli but not complete his forms: nothing to fill in for others.
    assert "may fill in for others" not in text(desk.get(forms_tab(people["gus"])))


def test_the_forms_tab_pages_through_every_form_asked(desk, actor, catalogue, health, people, bookings_on):
    visits = [book(actor, people["eli"], catalogue.massage, ahead(day, 9)) for day in range(1, 23)]
    asked = [ask(actor, visit, health) for visit in visits]

    first = desk.get(forms_tab(people["eli"])).content.decode()
    assert first.count(">Fill In</a>") == 20
    assert f'href="{forms_tab(people["eli"])}?page=2"' in first and ">Newer</a>" not in first

    # The two asked first are on the second page, newest first; nothing is out of reach.
    second = desk.get(forms_tab(people["eli"]) + "?page=2").content.decode()
    assert [fill_url(people["eli"], form) in second for form in asked[:3]] == [True, True, False]
    assert ">Newer</a>" in second and ">Older</a>" not in second
    assert "No forms on this page." in text(desk.get(forms_tab(people["eli"]) + "?page=3"))


def test_the_forms_tab_is_gone_while_bookings_are_off(desk, people):
    with override_switch(BOOKINGS, active=False):
        page = desk.get(reverse("customers:profile", args=[people["eli"].pk])).content.decode()
        assert 'id="tab-forms"' not in page
        assert desk.get(forms_tab(people["eli"])).status_code == 404


@pytest.mark.parametrize("who", ["eli", "dora"])
def test_the_fill_in_page_opens_for_the_subject_and_an_agent_with_complete_forms(
    desk, actor, health, visit, people, bookings_on, who
):
    asked = ask(actor, visit, health)
    response = desk.get(fill_url(people[who], asked))
    assert response.status_code == 200
    assert [label for _, label in response.context["form"].fields["completed_by"].choices] == [
        "Eli Brown (themselves)",
        "Dora Brown (linked client)",
    ]


@pytest.mark.parametrize("who", ["gus", "hal", "stranger"])
def test_the_fill_in_page_answers_404_for_someone_who_may_not_complete_it(
    desk, actor, health, visit, people, bookings_on, who
):
    asked = ask(actor, visit, health)
    customer = people.get(who) or CustomerFactory(first_name="Sid", last_name="Stone")
    before = snapshot()
    assert desk.get(fill_url(customer, asked)).status_code == 404
    # A page opened before a link went keeps what was typed and says why nothing was saved.
    for completed_by in (customer.pk, people["eli"].pk):
        data = {"completed_by": completed_by, "version": 1, "answer_0": "Nuts"}
        response = desk.post(fill_url(customer, asked), data)
        assert response.status_code == 200
        assert f"{customer.full_name} may no longer complete forms for Eli Brown" in text(response)
    assert snapshot() == before


def test_an_agent_unlinked_while_the_page_was_open_saves_nothing(
    desk, actor, health, visit, people, bookings_on
):
    asked = ask(actor, visit, health)
    page = desk.get(fill_url(people["dora"], asked))
    assert page.status_code == 200
    unlink(actor, people["dora_link"])
    before = snapshot()

    data = {"completed_by": people["dora"].pk, "version": 1, "answer_0": "Nuts"}
    response = desk.post(fill_url(people["dora"], asked), data)

    assert response.status_code == 200
    assert "Dora Brown may no longer complete forms for Eli Brown" in text(response)
    assert response.context["form"]["answer_0"].value() == "Nuts"
    assert snapshot() == before


def test_filling_in_from_the_agents_profile_records_the_agent(
    desk, actor, health, visit, people, bookings_on
):
    asked = ask(actor, visit, health)
    data = {"completed_by": people["dora"].pk, "version": 1, "answer_0": "Nuts", "answer_1": "No"}

    response = desk.post(fill_url(people["dora"], asked), data)

    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.completed_by == people["dora"] and asked.answers["0"] == "Nuts"
    assert asked.entered_by.username == "fran"


def test_the_fill_in_page_shows_a_stale_form_with_409(desk, actor, health, visit, people, bookings_on):
    asked = ask(actor, visit, health)
    data = {"completed_by": people["eli"].pk, "version": 1, "answer_0": "Nuts"}
    complete(actor, asked, people["dora"])
    before = snapshot()

    response = desk.post(fill_url(people["eli"], asked), data)

    assert response.status_code == 409
    assert snapshot() == before


# Who may use the Intake Forms pages.


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def form_data(name="Consent", question="Do you agree to the treatment?"):
    return {
        "name": name,
        "is_active": "on",
        "q0_text": question,
        "q0_kind": "yes_no",
        "q0_required": "on",
        **{f"q{row}_kind": "text" for row in range(1, 8)},
    }


def pages(health):
    return [
        ("list", "get", reverse("bookings:forms"), {}),
        ("create", "get", reverse("bookings:form_create"), {}),
        ("create", "post", reverse("bookings:form_create"), form_data()),
        ("edit", "get", reverse("bookings:form_edit", args=[health.pk]), {}),
        (
            "edit",
            "post",
            reverse("bookings:form_edit", args=[health.pk]),
            form_data("Health Questionnaire", "Allergies?"),
        ),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, health, bookings_on):
    before = snapshot()
    for name, method, url, data in pages(health):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response.url.startswith("/login/"), (name, method)
    assert snapshot() == before


def test_the_front_desk_reads_forms_but_may_not_write_them(
    front_desk_user, staff_without_roles, health, bookings_on
):
    before = snapshot()
    desk = logged_in(front_desk_user)
    for name, method, url, data in pages(health):
        status = getattr(desk, method)(url, data).status_code
        assert status == (200 if name == "list" else 403), (name, method, status)
    nobody = logged_in(staff_without_roles)
    for name, method, url, data in pages(health):
        assert getattr(nobody, method)(url, data).status_code == 403, (name, method)
    assert snapshot() == before


def test_a_manager_adds_and_changes_forms(manager_user, health, bookings_on):
    manager = logged_in(manager_user)
    for name, method, url, data in pages(health):
        status = getattr(manager, method)(url, data).status_code
        assert status == (200 if method == "get" else 302), (name, method, status)

    consent = IntakeForm.objects.get(name="Consent")
    assert consent.questions == [
        {"text": "Do you agree to the treatment?", "kind": "yes_no", "required": True}
    ]
    health.refresh_from_db()
    assert health.questions == [{"text": "Allergies?", "kind": "yes_no", "required": True}]
    assert "Consent" in text(manager.get(reverse("bookings:forms")))


def test_a_managers_duplicate_name_and_empty_form_are_shown_as_errors(manager_user, health, bookings_on):
    manager = logged_in(manager_user)
    before = snapshot()
    duplicate = manager.post(reverse("bookings:form_create"), form_data("HEALTH QUESTIONNAIRE"))
    empty = manager.post(reverse("bookings:form_create"), form_data(question=""))

    assert duplicate.status_code == 200 and "There is already a form with that name." in text(duplicate)
    assert empty.status_code == 200 and "Ask at least one question." in text(empty)
    assert snapshot() == before


def test_the_intake_forms_pages_answer_404_while_bookings_are_off(manager_user, front_desk_user, health):
    before = snapshot()
    with override_switch(BOOKINGS, active=False):
        for user in (manager_user, front_desk_user):
            client = logged_in(user)
            for name, method, url, data in pages(health):
                assert getattr(client, method)(url, data).status_code == 404, (user, name, method)
    assert snapshot() == before


def test_requesting_a_form_from_the_bookings_tab(
    desk, health, visit, people, bookings_on, django_capture_on_commit_callbacks
):
    url = reverse("bookings:request_form", args=[people["eli"].pk, visit.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(url, {"form": health.pk})
    assert response.status_code == 302
    assert FormRequest.objects.get().subject == people["eli"]
    again = desk.post(url, {"form": health.pk})
    assert again.status_code == 400 and "was already asked" in text(again)
    assert desk.post(url, {"form": "x"}).status_code == 400
