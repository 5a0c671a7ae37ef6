"""`manage.py check --deploy` warns when production runs without the two-factor requirement."""
from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_required(app_configs, **kwargs):
    if getattr(settings, "TWO_FACTOR_REQUIRED", False):
        return []
    return [Warning(
        "TWO_FACTOR_REQUIRED is off: installation and organisation administrators may sign in with a "
        "password alone.",
        hint="Unset TWO_FACTOR_REQUIRED (it defaults to on outside DEBUG) or set it to true (docs/DEPLOY.md).",
        id="twofactor.W001",
    )]
