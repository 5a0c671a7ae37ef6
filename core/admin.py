from django.contrib import admin

from .models import SanctionedRemoval


@admin.register(SanctionedRemoval)
class SanctionedRemovalAdmin(admin.ModelAdmin):
    """The record of what left the audit trail through the sanctioned path: read only."""

    list_display = ["at", "reason", "actor_name"]
    readonly_fields = ["at", "reason", "actor", "actor_name", "removed"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
