from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OitConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "oit"
    verbose_name = _("OIT register")

    def ready(self):
        from reports.workflow.reminders import register_source

        from .reminders import candidates

        register_source(candidates)
