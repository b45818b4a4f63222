"""Every write that matters in bookings, one module per concern; import the module you need
(`from bookings.services import appointments`), nothing is re-exported here.

- `appointments`: book, cancel, move and mark a visit; the clash and time checks.
- `packages`: sell a package of sessions, pay a visit with a session, email its receipt.
- `intake`: ask for an intake form before a visit, record its answers.
- `reminders`: the reminder emails of the coming day's appointments (`manage.py send_reminders`).
- `catalogue`: what Managers keep: the services offered and the intake forms' definitions.
- `_locks` and `_history`: the helpers those share (locking an appointment with its people,
  a moment as History writes it).

Every function runs in one transaction, locks the customers it concerns by id (the order
every service uses), asks `linking.authority` whether acting on someone's behalf is allowed,
and writes History on everyone it touches. They raise `KinshipError` with words a
receptionist can read.
"""
