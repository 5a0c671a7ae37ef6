from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _audit_triggers(sender, using="default", **kwargs):
    """After every migrate: the append-only triggers are in place (SQLite drops a table's triggers when a
    later migration rebuilds the table)."""
    from django.db import connections

    from .audit import AUDITED_TABLES, install_triggers

    connection = connections[using]
    if set(AUDITED_TABLES) <= set(connection.introspection.table_names()):
        install_triggers(connection)


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Common")

    def ready(self):
        from .audit import wrap_flush

        connection_created.connect(wrap_flush, dispatch_uid="core.audit.wrap_flush")
        post_migrate.connect(_audit_triggers, sender=self, dispatch_uid="core.audit.triggers")
        from django_tasks.signals import task_finished

        from .mail_tasks import forget_sent

        task_finished.connect(forget_sent, dispatch_uid="core.mail_tasks.forget_sent")
