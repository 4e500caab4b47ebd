from django.contrib import admin

from rendez.tenants.models import ApiKey, Membership, Plan, Tenant

admin.site.register(Plan)
admin.site.register(Tenant)
admin.site.register(Membership)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
