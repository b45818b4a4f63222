"""What Managers keep: the services the business offers and the intake forms' definitions
(their own pages and the Django admin save through here). Appointments and packages ask
`offered_service` for a service still offered."""

from django.db import IntegrityError, transaction

from bookings.models import IntakeForm, QuestionKind, Service
from core.errors import KinshipError, StaleEdit


def offered_service(service_id):
    service = Service.objects.filter(pk=service_id).first()
    if service is None:
        raise KinshipError("Choose a service.")
    if not service.is_active:
        raise KinshipError(f"“{service.name}” is no longer offered; choose another service.")
    return service


def save_service(*, service_id=None, name, duration_minutes, price, is_active=True, version=None):
    """Add or change a service (retire it with `is_active=False`). Appointments already booked
    keep their times; the new duration and price apply to bookings from now on."""
    fields = {
        "name": name,
        "duration_minutes": duration_minutes,
        "price": price,
        "is_active": bool(is_active),
    }
    return _save_named(Service, service_id, fields, version, noun="service")


def save_intake_form(*, form_id=None, name, questions, is_active=True, version=None):
    """Add or change an intake form. Requests already made keep the questions they asked."""
    name = (name or "").strip()
    check_intake_form(name=name, questions=questions)
    fields = {"name": name, "questions": questions, "is_active": bool(is_active)}
    return _save_named(IntakeForm, form_id, fields, version, noun="form")


def check_intake_form(*, name, questions):
    """Refuse a form without a name or without well-formed questions. The admin's form asks
    this before saving, as the Managers' page's does. A name another form has is refused
    by the database's unique constraint when saving (`_save_named`), the one check that
    two desks saving at once cannot both pass."""
    kinds = set(QuestionKind.values)
    if not (name or "").strip():
        raise KinshipError("Give the form a name.")
    # The admin types the questions as raw JSON, so anything may arrive here.
    if (
        not isinstance(questions, list)
        or not questions
        or any(not isinstance(q, dict) or not q.get("text") or q.get("kind") not in kinds for q in questions)
    ):
        raise KinshipError("Ask at least one question, each with a kind of answer.")


def _save_named(model, pk, fields, version, *, noun):
    """Create a row of `model` (whose name is unique), or change row `pk` under its lock,
    refusing a page opened before someone else's save (`version`)."""
    try:
        with transaction.atomic():
            if pk is None:
                return model.objects.create(**fields)
            row = model.objects.select_for_update().filter(pk=pk).first()
            if row is None:
                raise KinshipError(f"That {noun} no longer exists.")
            if version is not None and row.version != version:
                raise StaleEdit(
                    f"Someone else changed this {noun} since you opened it. Reload and try again."
                )
            for field, value in fields.items():
                setattr(row, field, value)
            row.version += 1
            row.save()
            return row
    except IntegrityError:  # the same name saved at another desk a moment ago
        raise KinshipError(f"There is already a {noun} with that name.") from None
