"""Every change of a user's two-factor sign-in: atomic, checked, logged (logger ``twofactor``).

- An authenticator app is a TOTP device (django-otp). Setting one up makes an unconfirmed device whose
  secret the user scans; it counts only once a code from the app confirms it, and then replaces the
  user's previous app (a new phone) and comes with a new set of recovery codes.
- Recovery codes are the tokens of one static device: each works once; regenerating them deletes the old.
- Wrong codes are throttled by the devices themselves (django-otp: 1, 2, 4, 8 ... seconds after each
  failure); a throttled device is not even asked, and the caller learns until when.
"""
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.thai import to_arabic_digits

from .policy import state_of

log = logging.getLogger("twofactor")

RECOVERY_CODE_COUNT = 10
APP_NAME = "authenticator"
RECOVERY_NAME = "recovery"
TOTP_CODE = re.compile(r"\d{6}")


class TwoFactorRequired(Exception):
    """Turning two-factor sign-in off is refused: it is required for this user."""


@dataclass(frozen=True)
class Check:
    device: object | None  # the device that accepted the code
    locked_until: datetime | None = None  # throttled: no code is checked before this time

    @property
    def ok(self) -> bool:
        return self.device is not None


def normalise(code) -> str:
    """What the user typed, as the devices store it: no spaces or dashes, Arabic digits, lower case."""
    return re.sub(r"[\s\-]", "", to_arabic_digits(code or "")).lower()


def format_recovery_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}"


def _verify(device, code) -> Check:
    """Ask one device (locked for update); a throttled device answers with the time it opens again."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return Check(None, (info or {}).get("locked_until"))
    if device.verify_token(code):  # counts a failure itself (throttle_increment) when wrong
        return Check(device)
    return Check(None)


def check_code(user, code) -> Check:
    """A code from the user's authenticator app (six digits) or one of their recovery codes."""
    code = normalise(code)
    model = TOTPDevice if TOTP_CODE.fullmatch(code) else StaticDevice
    locked_until = None
    with transaction.atomic():
        for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
            result = _verify(device, code)
            if result.ok:
                return result
            locked_until = locked_until or result.locked_until
    return Check(None, locked_until)


def pending_device(user, renew=False) -> TOTPDevice:
    """The authenticator app being set up (unconfirmed): the same secret on every visit of the setup
    page until it is confirmed, or a new one when asked (``renew``)."""
    with transaction.atomic():
        pending = TOTPDevice.objects.devices_for_user(user, confirmed=False).select_for_update()
        if renew:
            pending.delete()
        device = pending.order_by("-pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)
    return device


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()  # the old codes stop working
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    tokens = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in tokens)
    return [format_recovery_code(t) for t in tokens]


def confirm_device(user, code) -> tuple[Check, list[str]]:
    """Confirm the pending authenticator app with a code from it. On success the app replaces any previous
    one and a new set of recovery codes is made: returns them (shown once, never again)."""
    code = normalise(code)
    with transaction.atomic():
        device = (TOTPDevice.objects.devices_for_user(user, confirmed=False).select_for_update()
                  .order_by("-pk").first())
        if device is None:
            return Check(None), []
        result = _verify(device, code) if TOTP_CODE.fullmatch(code) else Check(None)
        if not result.ok:
            if not TOTP_CODE.fullmatch(code):
                device.throttle_increment()
            return result, []
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
    log.warning("two-factor sign-in set up: user %s (%s)", user.pk, user.get_username())
    return result, codes


def regenerate_recovery_codes(user) -> list[str]:
    """A new set of recovery codes; the old ones no longer work. Only for a user with an app."""
    with transaction.atomic():
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValueError("no authenticator app")
        codes = _new_recovery_codes(user)
    log.warning("recovery codes regenerated: user %s (%s)", user.pk, user.get_username())
    return codes


def turn_off(user, code) -> Check:
    """Remove the authenticator app and the recovery codes, after a current code (app or recovery).
    Refused (TwoFactorRequired) when two-factor sign-in is required for the user."""
    if state_of(user).required:
        raise TwoFactorRequired
    result = check_code(user, code)
    if result.ok:
        with transaction.atomic():
            _remove_devices(user)
        log.warning("two-factor sign-in turned off: user %s (%s)", user.pk, user.get_username())
    return result


def _remove_devices(user):
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def reset(user, actor_description: str) -> None:
    """An installation administrator removes a user's app and codes (lost phone and lost codes); the user
    signs in with the password and, where it is required, sets up a new app at once."""
    with transaction.atomic():
        _remove_devices(user)
    log.warning("two-factor sign-in reset by %s: user %s (%s)", actor_description, user.pk, user.get_username())
