"""The booking forms, one module per concern: validation and widgets only; the rules live in
the services of the same name (`bookings.services.<concern>`).

- `appointments`: BookForm, MoveForm.
- `packages`: BuyPackageForm, ReceiptForm.
- `intake`: CompleteForm (the answers to a requested form).
- `catalogue`: ServiceForm, IntakeFormForm (what Managers keep).
"""
