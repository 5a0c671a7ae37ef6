from django.contrib import admin

from core.audit import sanctioned_removal

from .models import Division, Invitation, Membership, Organisation


class DivisionInline(admin.TabularInline):
    model = Division
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "district", "province", "slug"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "code", "district", "province", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DivisionInline, MembershipInline]
    # Models whose rows go only with their whole organisation (the sanctioned path), never on their own;
    # the apps above add theirs (reports/admin.py: documents and workflow events).
    removed_with_organisation: list = []

    def get_deleted_objects(self, objs, request):
        """The rows of ``removed_with_organisation`` go with the organisation, though none may be deleted
        on its own."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        sanctioned = {str(m._meta.verbose_name) for m in self.removed_with_organisation}
        return deleted, model_count, {p for p in perms_needed if str(p) not in sanctioned}, protected

    def delete_model(self, request, obj):
        """Removing a whole organisation is the sanctioned way its audit trail goes (recorded)."""
        with sanctioned_removal(f"organisation removed in the admin: {obj.name} ({obj.slug})",
                                actor=request.user) as record:
            record.removed = obj.delete()[1]

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "order"]
    list_filter = ["organisation"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "position", "is_active"]
    list_filter = ["role", "is_active", "organisation"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read only: invitations are sent, resent, revoked and accepted through orgs/invitations.py (the
    members page and the installation pages); the link's token is never stored, only its hash (not shown)."""

    list_display = ["email", "organisation", "role", "status", "sent_count", "expires_at", "invited_by"]
    list_filter = ["status", "role"]
    search_fields = ["email", "organisation__name"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
