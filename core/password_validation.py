"""Password rules with their numbers in the reader's digits: Thai digits in Thai ("อย่างน้อย ๘ ตัวอักษร")."""
from django.contrib.auth import password_validation
from django.utils import translation

from .thai import to_thai_digits


def _digits(text: str) -> str:
    return to_thai_digits(text) if (translation.get_language() or "").startswith("th") else text


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule (at least ``min_length`` characters); its message and help text in Thai digits."""

    def get_error_message(self):
        return _digits(super().get_error_message())

    def get_help_text(self):
        return _digits(super().get_help_text())
