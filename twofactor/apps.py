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

    def ready(self):
        super().ready()
        _name_in_thai("otp_totp", "TOTPDevice", _("authenticator app"), _("authenticator apps"))


class RecoveryCodesConfig(StaticConfig):
    """django-otp's static devices (the recovery codes), titled in Thai in the admin."""

    verbose_name = _("Two-factor sign-in: recovery codes")

    def ready(self):
        super().ready()
        _name_in_thai("otp_static", "StaticDevice", _("set of recovery codes"), _("sets of recovery codes"))


def _name_in_thai(app_label, model_name, singular, plural):
    """Translatable names for django-otp's device models in the admin ("TOTP device", "static device").
    Only the names the admin shows: the model's original options, which migrations compare, stay as they are."""
    from django.apps import apps

    meta = apps.get_model(app_label, model_name)._meta
    meta.verbose_name, meta.verbose_name_plural = singular, plural
