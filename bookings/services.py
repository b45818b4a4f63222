"""Every write to appointments. One function per user action.

Each runs in one transaction, locks the customers it concerns (by id, the order every
service uses), asks `linking.authority` whether a booking on someone's behalf is allowed,
and writes History on the attendee and on whoever booked for them. On PostgreSQL an
exclusion constraint also refuses overlapping bookings of one attendee, for the race a
lock could miss.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from billing.money import MAX_AMOUNT, format_money
from billing.services import AlreadyPosted, post
from bookings import notifications
from bookings.models import (
    Appointment,
    FormRequest,
    IntakeForm,
    Package,
    QuestionKind,
    Redemption,
    Service,
    Status,
)
from core.errors import KinshipError, StaleEdit
from customers.services import lock_customers, record_activity, staff_user
from linking.authority import may_act_for
from linking.models import Permission

MAX_SESSIONS = 200
#: How far ahead an appointment may be booked or moved. Two years holds a year of standing
#: bookings with room to spare; a time further off is a slip of the keyboard (and one near
#: the year 9999 cannot even have its end worked out).
BOOKING_HORIZON = timedelta(days=731)


def _when(moment):
    local = timezone.localtime(moment)
    return f"{date_format(local, 'D j M Y')} at {local:%H:%M}"


def problem_with_time(starts_at):
    """Why an appointment may not start at `starts_at`, or None if it may."""
    now = timezone.now()
    if starts_at <= now:
        return "That time has passed; choose a time from now on."
    if starts_at > now + BOOKING_HORIZON:
        latest = date_format(timezone.localtime(now + BOOKING_HORIZON), "j M Y")
        return f"Appointments may be booked up to two years ahead; choose a time before {latest}."
    return None


def _check_time(starts_at):
    problem = problem_with_time(starts_at)
    if problem:
        raise KinshipError(problem)


def _offered(service_id):
    service = Service.objects.filter(pk=service_id).first()
    if service is None:
        raise KinshipError("Choose a service.")
    if not service.is_active:
        raise KinshipError(f"“{service.name}” is no longer offered; choose another service.")
    return service


def _clash(attendee, starts_at, ends_at, exclude=None):
    clashes = Appointment.objects.filter(
        attendee=attendee, status=Status.BOOKED, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).select_related("service")
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude)
    return clashes.first()


def _clash_message(attendee, clash):
    start, end = timezone.localtime(clash.starts_at), timezone.localtime(clash.ends_at)
    return (
        f"{attendee.full_name} already has {clash.service.name} from {start:%H:%M} to {end:%H:%M} "
        f"on {date_format(start, 'j M')}; choose another time."
    )


def book(*, actor, attendee_id, service_id, starts_at, booked_by_id=None):
    """Book a service for `attendee_id` at `starts_at`, by themselves or, with `booked_by_id`,
    by someone who may book for them."""
    attendee_id = int(attendee_id)
    booked_by_id = int(booked_by_id) if booked_by_id else None
    if booked_by_id == attendee_id:
        booked_by_id = None
    with transaction.atomic():
        ids = [attendee_id] + ([booked_by_id] if booked_by_id else [])
        people = lock_customers(ids, active_for="booking an appointment")
        attendee, booker = people[attendee_id], people.get(booked_by_id)
        service = _offered(service_id)
        _check_time(starts_at)
        if booker is not None and not may_act_for(booker, attendee, Permission.CAN_BOOK):
            raise KinshipError(f"{booker.full_name} may not book appointments for {attendee.full_name}.")
        ends_at = starts_at + timedelta(minutes=service.duration_minutes)
        clash = _clash(attendee, starts_at, ends_at)
        if clash is not None:
            raise KinshipError(_clash_message(attendee, clash))
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    attendee=attendee,
                    booked_by=booker,
                    service=service,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    created_by=staff_user(actor),
                )
        except IntegrityError:  # the exclusion constraint: another desk booked the slot first
            raise KinshipError(
                f"Another desk booked {attendee.full_name} for that time just now; choose another time."
            ) from None
        what = f"{service.name} on {_when(starts_at)}"
        _history_of_change(actor, "booking.booked", appointment, attendee, booker, f"Booked {what}")
        notifications.about_appointment("booking.confirmation", appointment)
    return appointment


def _lock_appointment(appointment_id, version):
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("service")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise KinshipError("That appointment no longer exists.")
    if version is not None and appointment.version != version:
        raise StaleEdit("The appointment changed since you opened it. Reload and try again.")
    return appointment


def _moved_check(appointment, people):
    """The appointment as locked, unless a merge moved it to someone else after its attendee
    was read: then the page that asked is out of date."""
    if appointment.attendee_id not in people:
        raise StaleEdit("The appointment changed meanwhile (its client was merged). Reload and try again.")
    return appointment


def _lock_with_people(appointment_id, version, on_behalf_of):
    """Lock an appointment's attendee, whoever booked it, and the agent acting from their own
    profile (all in id order), then the appointment; refuse an agent who is archived or may
    no longer book for the attendee. Return (appointment, attendee, agent)."""
    first = Appointment.objects.filter(pk=appointment_id).values_list("attendee_id", "booked_by_id").first()
    if first is None:
        raise KinshipError("That appointment no longer exists.")
    people = lock_customers({pk for pk in (*first, on_behalf_of) if pk})
    appointment = _moved_check(_lock_appointment(appointment_id, version), people)
    if appointment.booked_by_id and appointment.booked_by_id not in people:
        raise StaleEdit(
            "The appointment changed meanwhile (whoever booked it was merged). Reload and try again."
        )
    attendee = people[appointment.attendee_id]
    agent = people.get(int(on_behalf_of)) if on_behalf_of else None
    if agent is not None and agent.pk == attendee.pk:
        agent = None
    if agent is not None and agent.is_archived:
        raise KinshipError(f"{agent.full_name} is archived; restore them before they act for anyone.")
    if agent is not None and not may_act_for(agent, attendee, Permission.CAN_BOOK):
        raise KinshipError(f"{agent.full_name} may no longer manage {attendee.full_name}'s appointments.")
    appointment.attendee = attendee
    appointment.booked_by = people.get(appointment.booked_by_id)
    return appointment, attendee, agent


def _lock_for_change(appointment_id, version, on_behalf_of, *, doing):
    """`_lock_with_people`, for an appointment still booked."""
    appointment, attendee, agent = _lock_with_people(appointment_id, version, on_behalf_of)
    if appointment.status != Status.BOOKED:
        raise KinshipError(
            f"That appointment is {appointment.get_status_display().lower()}; it cannot be {doing}."
        )
    return appointment, attendee, agent


def _refuse_archived(attendee, doing):
    if attendee.is_archived:
        raise KinshipError(f"{attendee.full_name} is archived; restore them before {doing}.")


def _history_of_change(actor, kind, appointment, attendee, agent, what):
    """A line on the attendee, on the agent acting from their profile, and on whoever booked
    it while they still may book for the attendee (it shows on their Bookings tab; once the
    link has gone, the attendee's business is no longer theirs to read)."""
    record_activity(
        customers=[attendee],
        actor=actor,
        kind=kind,
        message=f"{what}, by {agent.full_name}." if agent else f"{what}.",
    )
    others = [agent] if agent else []
    booker = appointment.booked_by
    if booker not in (None, agent, attendee) and may_act_for(booker, attendee, Permission.CAN_BOOK):
        others.append(booker)
    for other in others:
        record_activity(
            customers=[other], actor=actor, kind=kind, message=f"{what} for {attendee.full_name}."
        )


def cancel(*, actor, appointment_id, version=None, on_behalf_of=None):
    """Cancel a booked appointment, from the attendee's profile or, with `on_behalf_of`, from
    the profile of someone who may still book for them."""
    with transaction.atomic():
        appointment, attendee, agent = _lock_for_change(
            appointment_id, version, on_behalf_of, doing="cancelled"
        )
        if appointment.ends_at <= timezone.now():
            raise KinshipError("That appointment is over; mark it attended or a no-show instead.")
        appointment.status = Status.CANCELLED
        appointment.version += 1
        appointment.save(update_fields=["status", "version"])
        what = f"{appointment.service.name} on {_when(appointment.starts_at)}"
        _history_of_change(actor, "booking.cancelled", appointment, attendee, agent, f"Cancelled {what}")
        notifications.about_appointment("booking.cancelled", appointment)
    return appointment


def move(*, actor, appointment_id, starts_at, version=None, on_behalf_of=None):
    """Move a booked appointment to another time, from the attendee's profile or from the
    profile of someone who may still book for them; everyone who gets copies is told."""
    with transaction.atomic():
        appointment, attendee, agent = _lock_for_change(appointment_id, version, on_behalf_of, doing="moved")
        _refuse_archived(attendee, "changing their appointments")
        if appointment.has_started:
            raise KinshipError("That appointment has started; it cannot be moved.")
        _check_time(starts_at)
        if starts_at == appointment.starts_at:
            raise KinshipError("That is the time it is booked for already; choose another time.")
        was = appointment.starts_at
        ends_at = starts_at + (appointment.ends_at - appointment.starts_at)
        clash = _clash(attendee, starts_at, ends_at, exclude=appointment.pk)
        if clash is not None:
            raise KinshipError(_clash_message(attendee, clash))
        appointment.starts_at, appointment.ends_at = starts_at, ends_at
        appointment.version += 1
        try:
            with transaction.atomic():
                appointment.save(update_fields=["starts_at", "ends_at", "version"])
        except IntegrityError:
            raise KinshipError(
                f"Another desk booked {attendee.full_name} for that time just now; choose another time."
            ) from None
        what = f"Moved {appointment.service.name} from {_when(was)} to {_when(starts_at)}"
        _history_of_change(actor, "booking.moved", appointment, attendee, agent, what)
        notifications.about_appointment("booking.changed", appointment, was=was)
    return appointment


def mark(*, actor, appointment_id, status, version=None, package_id=None):
    """Mark a booked appointment as attended or a no-show, once it has started; an attended
    one may be paid with a session from `package_id`."""
    if package_id and status != Status.ATTENDED:
        raise KinshipError("Only an attended appointment uses a session from a package.")
    if status not in (Status.ATTENDED, Status.NO_SHOW):
        raise KinshipError("Mark the appointment as attended or a no-show.")
    # A merge may move it to the survivor while this waits for the attendee's lock. The visit
    # still happened, so follow it there: start again (letting go of the tombstone's lock, so
    # the locks are still taken in id order) with the survivor.
    for _ in range(3):
        try:
            with transaction.atomic():
                return _mark(actor, appointment_id, status, version, package_id)
        except _MovedByMerge:
            continue
    raise StaleEdit("The appointment changed meanwhile (its client was merged). Reload and try again.")


class _MovedByMerge(Exception):
    pass


def _mark(actor, appointment_id, status, version, package_id):
    first = Appointment.objects.filter(pk=appointment_id).values_list("attendee_id", flat=True).first()
    if first is None:
        raise KinshipError("That appointment no longer exists.")
    people = lock_customers([first])
    appointment = _lock_appointment(appointment_id, version)
    if appointment.attendee_id != first:
        raise _MovedByMerge
    if appointment.status != Status.BOOKED:
        raise KinshipError(f"That appointment is {appointment.get_status_display().lower()} already.")
    if not appointment.has_started:
        raise KinshipError("That appointment has not started yet.")
    appointment.status = status
    appointment.version += 1
    appointment.save(update_fields=["status", "version"])
    record_activity(
        customers=[people[first]],
        actor=actor,
        kind=f"booking.{status}",
        message=f"{appointment.service.name} on {_when(appointment.starts_at)}: {Status(status).label}.",
    )
    if package_id:
        _redeem(actor, appointment, people[first], package_id)
    return appointment


# Packages: sessions bought in advance, charged to the house account, used by visits.


def buy_package(*, actor, customer_id, service_id, sessions, price, key=None):
    """Sell a package of `sessions` sessions of a service for `price` (minor units), charged
    to the customer's house account in the same transaction."""
    if not isinstance(sessions, int) or not 1 <= sessions <= MAX_SESSIONS:
        raise KinshipError(f"Choose from 1 to {MAX_SESSIONS} sessions.")
    if not isinstance(price, int) or not 0 <= price <= MAX_AMOUNT:
        raise KinshipError(f"Enter a price from nothing to {format_money(MAX_AMOUNT)}.")
    with transaction.atomic():
        owner = lock_customers([customer_id], active_for="selling them a package")[int(customer_id)]
        if key is not None and Package.objects.filter(request_key=key).exists():
            raise AlreadyPosted("That package was sold already; it was not sold twice.")
        service = _offered(service_id)
        what = f"{sessions} × {service.name}"
        charge = None
        if price:
            charge = post(
                actor=actor,
                customer_id=owner.pk,
                kind="charge",
                amount=price,
                memo=f"Package: {what}",
                key=key,
            )
        package = Package.objects.create(
            owner=owner,
            service=service,
            sessions=sessions,
            price=price,
            charge=charge,
            request_key=key,
            bought_by=staff_user(actor),
        )
        record_activity(
            customers=[owner],
            actor=actor,
            kind="package.bought",
            message=f"Bought a package of {what} for {format_money(price)}.",
        )
    return package


def may_use(attendee, package):
    """Whether a visit of `attendee` may be paid from `package`: their own, or the package of
    someone they may use sessions of (Can Use Sessions from Packages, or the group rule)."""
    return package.owner_id == attendee.pk or may_act_for(
        attendee, package.owner, Permission.CAN_USE_PACKAGES
    )


def _redeem(actor, appointment, attendee, package_id):
    """Use one session of the package for the appointment. The package row is locked, so two
    desks using its last session one after the other find it used; the database refuses
    more than bought in any case."""
    package = (
        Package.objects.select_for_update(of=("self",))
        .select_related("owner", "service")
        .filter(pk=package_id)
        .first()
    )
    if package is None:
        raise KinshipError("That package no longer exists.")
    if package.service_id != appointment.service_id:
        raise KinshipError(f"That package is for {package.service.name}, not {appointment.service.name}.")
    if not may_use(attendee, package):
        raise KinshipError(
            f"{attendee.full_name} may not use sessions from {package.owner.full_name}'s packages."
        )
    if package.left <= 0:
        raise KinshipError(
            f"{package.owner.full_name}'s package of {package.service.name} has no sessions left."
        )
    if Redemption.objects.filter(appointment=appointment).exists():
        raise KinshipError("That appointment was paid with a session already.")
    package.used += 1
    package.version += 1
    package.save(update_fields=["used", "version"])
    Redemption.objects.create(
        package=package,
        appointment=appointment,
        created_by=staff_user(actor),
    )
    left = f"{package.left} of {package.sessions} left"
    visit = f"{appointment.service.name} on {_when(appointment.starts_at)}"
    if package.owner_id == attendee.pk:
        record_activity(
            customers=[attendee],
            actor=actor,
            kind="package.redeemed",
            message=f"Used a session for {visit} ({left}).",
        )
    else:
        record_activity(
            customers=[attendee],
            actor=actor,
            kind="package.redeemed",
            message=f"{visit} was paid with a session from {package.owner.full_name}'s package ({left}).",
        )
        record_activity(
            customers=[package.owner],
            actor=actor,
            kind="package.redeemed",
            message=f"A session of this package paid for {attendee.full_name}'s {visit} ({left}).",
        )
    return package


def redeem(*, actor, appointment_id, package_id):
    """Pay an attended appointment that was not paid when marked with a package session."""
    with transaction.atomic():
        first = Appointment.objects.filter(pk=appointment_id).values_list("attendee_id", flat=True).first()
        owner = Package.objects.filter(pk=package_id).values_list("owner_id", flat=True).first()
        if first is None or owner is None:
            raise KinshipError("That appointment or package no longer exists.")
        people = lock_customers({first, owner})
        appointment = _moved_check(_lock_appointment(appointment_id, None), people)
        if appointment.status != Status.ATTENDED:
            raise KinshipError("Only an attended appointment uses a session from a package.")
        return _redeem(actor, appointment, people[appointment.attendee_id], package_id)


def email_receipt(*, actor, package_id, recipients):
    """Email the receipt of a package to the chosen addresses (the owner's and their linked
    clients' are offered first)."""
    if not recipients:
        raise KinshipError("Enter at least one email address.")
    with transaction.atomic():
        package = Package.objects.select_related("owner", "service").filter(pk=package_id).first()
        if package is None:
            raise KinshipError("That package no longer exists.")
        sent = notifications.receipt(package, recipients)
        record_activity(
            customers=[package.owner],
            actor=actor,
            kind="package.receipt",
            message=f"Emailed the receipt for {package.sessions} × {package.service.name} to "
            f"{_listed([row.to_address for row in sent])}.",
        )
    return sent


def _listed(addresses, shown=3):
    """A few addresses, then how many more: a History line has room for a sentence, not a list."""
    more = len(addresses) - shown
    return ", ".join(addresses[:shown]) + (f" and {more} more" if more > 0 else "")


# Intake forms: asked for an appointment, filled in by the client or for them.


def request_form(*, actor, appointment_id, form_id, on_behalf_of=None):
    """Ask the attendee to fill in a form before an appointment, from their profile or, with
    `on_behalf_of`, from that of someone who may still book for them; they and everyone who
    may complete forms for them get the request by email."""
    with transaction.atomic():
        appointment, attendee, agent = _lock_with_people(appointment_id, None, on_behalf_of)
        if appointment.status != Status.BOOKED:
            raise KinshipError(
                f"That appointment is {appointment.get_status_display().lower()}; "
                "forms are asked for booked appointments only."
            )
        if appointment.has_started:
            raise KinshipError("That appointment has begun; forms are asked before an appointment.")
        _refuse_archived(attendee, "asking them for a form")
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
        what = (
            f"Asked to fill in “{form.name}” for {appointment.service.name} on {_when(appointment.starts_at)}"
        )
        record_activity(customers=[attendee], actor=actor, kind="form.requested", message=f"{what}.")
        if agent is not None:
            record_activity(
                customers=[agent],
                actor=actor,
                kind="form.requested",
                message=f"{what}: {attendee.full_name}.",
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
        _refuse_archived(subject_person, "filling in their forms")
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
                customers=[subject_person], actor=actor, kind="form.completed", message=f"Filled in “{name}”."
            )
        else:
            record_activity(
                customers=[subject_person],
                actor=actor,
                kind="form.completed",
                message=f"“{name}” was filled in by {by.full_name}.",
            )
            record_activity(
                customers=[by],
                actor=actor,
                kind="form.completed",
                message=f"Filled in “{name}” for {subject_person.full_name}.",
            )
    return request


def send_reminders(*, now=None, ahead=timedelta(hours=24)):
    """Queue a reminder for every booked appointment starting within `ahead`, once each
    (run it every hour or so: `manage.py send_reminders`). Return how many were queued."""
    now = now or timezone.now()
    due = Appointment.objects.filter(status=Status.BOOKED, starts_at__gt=now, starts_at__lte=now + ahead)
    count = 0
    for appointment_id in due.values_list("pk", flat=True).iterator():
        try:
            with transaction.atomic():
                # Read again under the lock a desk's cancel or move takes: one cancelled or
                # moved away since the list was read gets no reminder.
                appointment = (
                    due.select_for_update(of=("self",))
                    .select_related("attendee", "booked_by", "service")
                    .filter(pk=appointment_id)
                    .first()
                )
                if appointment is None:
                    continue
                count += notifications.about_appointment(
                    "booking.reminder",
                    appointment,
                    once_key=f"reminder:{appointment.pk}:{appointment.version}",
                )
        except IntegrityError:  # another run reminded of it at the same moment
            continue
    return count


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
    check_intake_form(form_id=form_id, name=name, questions=questions)
    fields = {"name": name, "questions": questions, "is_active": bool(is_active)}
    return _save_named(IntakeForm, form_id, fields, version, noun="form")


def check_intake_form(*, form_id=None, name, questions):
    """Refuse a form without a name, with a name another form has, or without well-formed
    questions. The admin's form asks this before saving, as the Managers' page's does."""
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
    if IntakeForm.objects.filter(name__iexact=name.strip()).exclude(pk=form_id).exists():
        raise KinshipError("There is already a form with that name.")


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
