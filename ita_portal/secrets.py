"""Refuse to run in production with a signing key that can be guessed."""

MIN_LENGTH = 50
MIN_UNIQUE = 5
# Keys that tutorials and Django's startproject hand out: never secret, whatever their length.
KNOWN_PREFIXES = ("django-insecure-",)


def weak_secret_key(key: str) -> bool:
    """Django's own rule (check --deploy, security.W009): fewer than 50 characters, fewer than 5
    different ones, or a startproject key."""
    return len(key) < MIN_LENGTH or len(set(key)) < MIN_UNIQUE or key.startswith(KNOWN_PREFIXES)
