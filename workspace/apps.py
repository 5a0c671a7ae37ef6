from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "workspace"
    verbose_name = _("Workspace")

    def ready(self):
        from . import signals

        signals.connect()  # what changes the data its dashboard keeps (core/datacache.py)
