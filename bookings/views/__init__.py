"""The booking pages, one module per concern (urls.py names each view by its module):

- `appointments`: the Day View; book, cancel, move and mark appointments.
- `packages`: sell a package, pay a visit with a session, email a receipt.
- `intake`: ask for an intake form, fill one in.
- `catalogue`: the Managers' pages for the services offered and the intake forms.
- `_profile`: what the actions started from a customer's profile share.
"""
