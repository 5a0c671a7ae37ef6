"""Mail servers that fail, for settings.EMAIL_BACKEND ("tests.helpers.mail.BrokenBackend")."""
from django.core.mail.backends.base import BaseEmailBackend


class BrokenBackend(BaseEmailBackend):
    """A mail server that accepts the connection and then fails every message."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server is down")


class UnreachableBackend(BaseEmailBackend):
    """A mail server that cannot even be reached."""

    def open(self):
        raise OSError("no route to host")

    def send_messages(self, email_messages):  # pragma: no cover - never reached
        raise AssertionError("not connected")


class FlakyMailServer(BaseEmailBackend):
    """Refuses the first ``failures`` messages, then delivers them into ``delivered`` (class attributes: the
    test sets them; Django makes a new backend for every connection)."""

    failures = 0
    delivered = []

    def send_messages(self, email_messages):
        if FlakyMailServer.failures:
            FlakyMailServer.failures -= 1
            raise ConnectionRefusedError("the mail server is down")
        FlakyMailServer.delivered += email_messages
        return len(email_messages)
