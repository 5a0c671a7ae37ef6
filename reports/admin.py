"""Admin for support staff. Workflow fields are read-only here: status changes only through
reports/workflow/transitions.py, and a document that has left the draft status is neither edited nor deleted."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from orgs.admin import OrganisationAdmin

from .models import Document, Evidence, Memo, ProgressEntry, SentReminder, WorkflowEvent

# Documents and their workflow events go with their whole organisation (orgs/admin.py), never on their own.
OrganisationAdmin.removed_with_organisation += [Document, WorkflowEvent]

WORKFLOW_FIELDS = [
    "status", "submitted_by", "submitted_at", "approved_by", "approved_at", "published_by", "published_at",
    "withdrawn_at", "withdrawn_reason",
]


class MemoInline(admin.StackedInline):
    model = Memo
    extra = 0


class ProgressEntryInline(admin.StackedInline):
    model = ProgressEntry
    extra = 0
    raw_id_fields = ["measure"]


class WorkflowEventInline(admin.TabularInline):
    model = WorkflowEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "actor_name", "comment", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["organisation", "fiscal_year", "kind", "round", "revision", "status"]
    list_filter = ["kind", "status", "fiscal_year"]
    search_fields = ["organisation__name", "title"]
    readonly_fields = WORKFLOW_FIELDS
    inlines = [MemoInline, ProgressEntryInline, WorkflowEventInline]

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A document's workflow events are append-only (core/audit.py): documents go with their whole
        # organisation, or as a never-submitted draft through the app's own delete (both recorded).
        return False


@admin.register(ProgressEntry)
class ProgressEntryAdmin(SimpleHistoryAdmin):
    list_display = ["document", "measure", "status"]
    list_filter = ["status"]


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["entry", "kind", "title", "original_name", "url"]
    list_filter = ["kind"]


@admin.register(Memo)
class MemoAdmin(admin.ModelAdmin):
    list_display = ["subject", "document", "date"]


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(admin.ModelAdmin):
    list_display = ["document", "action", "from_status", "to_status", "actor_name", "at"]
    list_filter = ["action"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # append-only (core/audit.py)


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "sent_at"]
    search_fields = ["key"]
