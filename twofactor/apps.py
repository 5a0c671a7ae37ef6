from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig


class TwoFactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = _("Two-factor sign-in")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check)


class AuthenticatorAppsConfig(TOTPConfig):
    """django-otp's TOTP devices, titled in Thai in the admin."""

    verbose_name = _("Two-factor sign-in: authenticator apps")


class RecoveryCodesConfig(StaticConfig):
    """django-otp's static devices (the recovery codes), titled in Thai in the admin."""

    verbose_name = _("Two-factor sign-in: recovery codes")
