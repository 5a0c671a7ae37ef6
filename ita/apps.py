from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItaConfig(AppConfig):
    name = "ita"
    verbose_name = _("ITA catalogue and results")
