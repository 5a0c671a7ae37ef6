from django.contrib import admin

from .models import (
    AssessmentResult, AssessmentYear, Indicator, IndicatorScore, OITItem, OITItemScore, ResultEvent, SubIndicator,
    Tool, ToolScore, ToolWeight,
)


class ToolWeightInline(admin.TabularInline):
    model = ToolWeight
    extra = 0


@admin.register(AssessmentYear)
class AssessmentYearAdmin(admin.ModelAdmin):
    list_display = ["year", "scale"]
    inlines = [ToolWeightInline]


@admin.register(Tool)
class ToolAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]


class SubIndicatorInline(admin.TabularInline):
    model = SubIndicator
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["year", "number", "name", "tool", "uncertain"]
    list_filter = ["year", "tool", "uncertain"]
    search_fields = ["name"]
    inlines = [SubIndicatorInline]


@admin.register(OITItem)
class OITItemAdmin(admin.ModelAdmin):
    list_display = ["year", "code", "title", "sub_indicator", "portal_documents", "uncertain"]
    list_filter = ["year", "uncertain"]
    search_fields = ["code", "title"]


class ToolScoreInline(admin.TabularInline):
    model = ToolScore
    extra = 0


class IndicatorScoreInline(admin.TabularInline):
    model = IndicatorScore
    extra = 0


class OITItemScoreInline(admin.TabularInline):
    model = OITItemScore
    extra = 0
    raw_id_fields = ["item"]


class ResultEventInline(admin.TabularInline):
    """Read only: events are written by ita.services."""

    model = ResultEvent
    extra = 0
    fields = ["at", "action", "actor_name", "version", "comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AssessmentResult)
class AssessmentResultAdmin(admin.ModelAdmin):
    list_display = ["organisation", "year", "total_score", "level_old", "level_new", "confirmed_at"]
    list_filter = ["year"]
    search_fields = ["organisation__name"]
    readonly_fields = ["confirmed_at", "confirmed_by", "confirmed_version", "confirmed_snapshot"]
    inlines = [ToolScoreInline, IndicatorScoreInline, OITItemScoreInline, ResultEventInline]


@admin.register(SubIndicator)
class SubIndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "indicator", "uncertain"]
    list_filter = ["indicator__year"]


@admin.register(ToolWeight)
class ToolWeightAdmin(admin.ModelAdmin):
    list_display = ["year", "tool", "weight"]


@admin.register(ToolScore)
class ToolScoreAdmin(admin.ModelAdmin):
    list_display = ["result", "tool", "score"]
    list_filter = ["tool"]


@admin.register(IndicatorScore)
class IndicatorScoreAdmin(admin.ModelAdmin):
    list_display = ["result", "indicator", "score"]


@admin.register(OITItemScore)
class OITItemScoreAdmin(admin.ModelAdmin):
    list_display = ["result", "item", "score"]
    raw_id_fields = ["item"]


@admin.register(ResultEvent)
class ResultEventAdmin(admin.ModelAdmin):
    """Read only: events are written by ita.services."""

    list_display = ["at", "result", "action", "actor_name"]
    list_filter = ["action"]
    search_fields = ["result__organisation__name", "actor_name"]
    readonly_fields = ["result", "action", "version", "actor", "actor_name", "at", "comment"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
