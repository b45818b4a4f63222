"""Intake forms: asked for an appointment, filled in by the client or for them.

A request keeps the questions the form asked that day; the answers are checked against
them, given by the person the form is about or by someone who may complete forms for them.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bookings import notifications
from bookings.models import FormRequest, IntakeForm, QuestionKind, Status
from bookings.services._locks import lock_with_people, refuse_archived
from core.errors import KinshipError, StaleEdit
from customers.services import lock_customers, record_activity, staff_user
from linking.authority import may_act_for
from linking.models import Permission


def request_form(*, actor, appointment_id, form_id, on_behalf_of=None):
    """Ask the attendee to fill in a form before an appointment, from their profile or, with
    `on_behalf_of`, from that of someone who may still book for them; they and everyone who
    may complete forms for them get the request by email."""
    with transaction.atomic():
        appointment, attendee, agent = lock_with_people(appointment_id, None, on_behalf_of)
        if appointment.status != Status.BOOKED:
            raise KinshipError(
                f"That appointment is {appointment.get_status_display().lower()}; "
                "forms are asked for booked appointments only."
            )
        if appointment.has_started:
            raise KinshipError("That appointment has begun; forms are asked before an appointment.")
        refuse_archived(attendee, "asking them for a form")
        form = IntakeForm.objects.filter(pk=form_id, is_active=True).first()
        if form is None:
            raise KinshipError("Choose a form that is in use.")
        if FormRequest.objects.filter(appointment=appointment, form=form).exists():
            raise KinshipError(f"“{form.name}” was already asked for this appointment.")
        request = FormRequest.objects.create(
            appointment=appointment,
            form=form,
            subject=attendee,
            questions=form.questions,
            requested_by=staff_user(actor),
        )
        asked = {"form": form.name, "service": appointment.service.name, "starts_at": appointment.starts_at}
        record_activity(customers=[attendee], actor=actor, action="form.requested", data=asked)
        if agent is not None:
            record_activity(
                customers=[agent],
                actor=actor,
                action="form.requested",
                data={**asked, "attendee": attendee.full_name},
            )
        notifications.form_requested(request)
    return request


ANSWER_PARSERS = {
    QuestionKind.NUMBER: (Decimal, "a number"),
    QuestionKind.DATE: (date.fromisoformat, "a date"),
}


def _checked_answers(questions, answers):
    """The answers keyed by question number, every required one given."""
    kept = {}
    for number, question in enumerate(questions):
        answer = str(answers.get(str(number), "") or "").strip()
        if question.get("required") and not answer:
            raise KinshipError(f"Answer “{question['text']}”.")
        if question["kind"] == QuestionKind.YES_NO and answer not in ("", "Yes", "No"):
            raise KinshipError(f"Answer “{question['text']}” with yes or no.")
        if answer and question["kind"] in ANSWER_PARSERS:
            parse, words = ANSWER_PARSERS[question["kind"]]
            try:
                parse(answer)
            except (ValueError, ArithmeticError):
                raise KinshipError(f"Answer “{question['text']}” with {words}.") from None
        kept[str(number)] = answer[:2000]
    return kept


def complete_form(*, actor, request_id, completed_by_id, answers, version=None):
    """Record the answers to a requested form, given by the person it is about or by someone
    who may complete forms for them (a linked client with Complete Intake Forms, or the
    group rule)."""
    with transaction.atomic():
        subject_id = FormRequest.objects.filter(pk=request_id).values_list("subject_id", flat=True).first()
        if subject_id is None:
            raise KinshipError("That form request no longer exists.")
        people = lock_customers({subject_id, int(completed_by_id)})
        request = (
            FormRequest.objects.select_for_update(of=("self",)).select_related("form").get(pk=request_id)
        )
        if request.subject_id not in people:
            raise StaleEdit("The form changed meanwhile (its client was merged). Reload and try again.")
        if version is not None and request.version != version:
            raise StaleEdit("The form changed since you opened it. Reload and try again.")
        if request.is_complete:
            raise KinshipError("That form was filled in already.")
        subject_person, by = people[request.subject_id], people[int(completed_by_id)]
        refuse_archived(subject_person, "filling in their forms")
        if by.pk != subject_person.pk and by.is_archived:
            raise KinshipError(f"{by.full_name} is archived; restore them before they act for anyone.")
        if by.pk != subject_person.pk and not may_act_for(by, subject_person, Permission.CAN_COMPLETE_FORMS):
            raise KinshipError(f"{by.full_name} may not complete forms for {subject_person.full_name}.")
        request.answers = _checked_answers(request.questions, answers)
        request.completed_at = timezone.now()
        request.completed_by = by
        request.entered_by = staff_user(actor)
        request.version += 1
        request.save(update_fields=["answers", "completed_at", "completed_by", "entered_by", "version"])
        name = request.form.name
        if by.pk == subject_person.pk:
            record_activity(
                customers=[subject_person], actor=actor, action="form.completed", data={"form": name}
            )
        else:
            record_activity(
                customers=[subject_person],
                actor=actor,
                action="form.completed",
                data={"form": name, "by": by.full_name},
            )
            record_activity(
                customers=[by],
                actor=actor,
                action="form.completed",
                data={"form": name, "subject": subject_person.full_name},
            )
    return request
