from django.apps import AppConfig


class PublicConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "public"
    verbose_name = "Public site"

    def ready(self):
        from core import pagecache

        from . import caching, signals

        pagecache.register_scopes(caching.scopes_of)  # the addresses the shared cache may answer
        signals.connect()  # what changes them
