from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

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


# Django's admin form for setting a user's password appends an English warning that is not translatable
# ("If disabled, the current password for this user will be lost."): the same form, with it translated.
class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        auth_forms.SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


class UserAdmin(auth_admin.UserAdmin):
    change_password_form = AdminPasswordChangeForm


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserAdmin)
