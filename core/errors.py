"""The one error type every service raises when a user action cannot be done.

Views catch it and show its message as a form error; it never becomes a 500.
"""


class KinshipError(Exception):
    """An action was refused; `message` says why in words a receptionist reads."""

    #: The HTTP status a view answers with when it cannot show the message in a form.
    status = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class StaleEdit(KinshipError):
    """Someone else changed the record after this form was loaded."""

    status = 409
