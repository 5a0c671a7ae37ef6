"""The error every service function raises when it refuses a change (reports, ita, …)."""


class RefusedChange(Exception):
    """A refused change. ``message`` is for the user (Thai); ``code`` says which rule refused it."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code
