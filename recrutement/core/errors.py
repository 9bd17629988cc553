"""The one exception services raise when a rule refuses an action."""


class ServiceError(Exception):
    """A refusal the user must read: `message` is French, `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
