from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Documents and reports")

    def ready(self):
        from .entries import measure_entries, measure_import

        # measures asks through these hooks and never imports reports (the layers: docs/ARCHITECTURE.md)
        measure_entries.register()  # progress entries keep their measures (measures.services)
        measure_import.register()  # an import with a round fills that round's report (measures.importing)
