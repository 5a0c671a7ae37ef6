from django.contrib import admin

from .models import Division, Membership, Organisation


class DivisionInline(admin.TabularInline):
    model = Division
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "district", "province", "slug"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "district", "province", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DivisionInline, MembershipInline]


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
