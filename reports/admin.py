from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Document, Memo, ProgressEntry


class MemoInline(admin.StackedInline):
    model = Memo
    extra = 0


class ProgressEntryInline(admin.StackedInline):
    model = ProgressEntry
    extra = 0
    raw_id_fields = ["measure"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["organisation", "fiscal_year", "kind", "round", "revision", "status"]
    list_filter = ["kind", "status", "fiscal_year"]
    search_fields = ["organisation__name", "title"]
    inlines = [MemoInline, ProgressEntryInline]


@admin.register(ProgressEntry)
class ProgressEntryAdmin(SimpleHistoryAdmin):
    list_display = ["document", "measure", "status"]
    list_filter = ["status"]


@admin.register(Memo)
class MemoAdmin(admin.ModelAdmin):
    list_display = ["subject", "document", "date"]
