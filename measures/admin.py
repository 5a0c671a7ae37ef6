from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Measure, MeasureStep


class MeasureStepInline(admin.TabularInline):
    model = MeasureStep
    extra = 0
    fields = ["order", "parent", "label", "text", "due_date"]


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["title", "organisation", "fiscal_year", "order", "group_heading"]
    list_filter = ["fiscal_year", "organisation"]
    search_fields = ["title", "weakness", "guideline"]
    filter_horizontal = ["divisions", "tools", "indicators", "oit_items"]
    inlines = [MeasureStepInline]


@admin.register(MeasureStep)
class MeasureStepAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "order", "label", "text"]
    search_fields = ["text"]
