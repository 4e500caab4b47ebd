"""The operator's view of Zoom connections and events: never a token or secret."""

from __future__ import annotations

from django.contrib import admin

from rendez.integrations.zoom.models import Connection, Event, StaffMapping, ZoomSettings

# The admin's label for a model whose name is plural already ("Zoom settingss" otherwise); here rather than in
# the model's Meta, where a label only the admin shows would be a migration.
ZoomSettings._meta.verbose_name = ZoomSettings._meta.verbose_name_plural = "Zoom settings"


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ("tenant", "staff", "mode", "status", "email", "account_id", "connected_at")
    list_filter = ("mode", "status")
    search_fields = ("tenant__name", "staff__name", "email", "account_id")
    fields = (
        "tenant",
        "staff",
        "mode",
        "status",
        "account_id",
        "zoom_user_id",
        "email",
        "scopes",
        "client_id",
        "access_token_expires_at",
        "broken_reason",
        "broken_at",
        "connected_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # Connections are made by authorizing at Zoom, not typed in.

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting the row would skip what a disconnect does (revoke the grant at Zoom, re-sync the staff
        # concerned): disconnect from the panel or `DELETE /api/v1/integrations/zoom/connection`.
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown to the operator, changed only through the panel and API, whose checks and side effects (re-syncs,
    revokes, template validation) the admin's plain save would skip."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StaffMapping)
class StaffMappingAdmin(ReadOnlyAdmin):
    list_display = ("staff", "email", "zoom_user_id", "connection")


@admin.register(ZoomSettings)
class ZoomSettingsAdmin(ReadOnlyAdmin):
    list_display = ("tenant", "enabled", "random_password", "updated_at")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("event_type", "account_id", "outcome", "detail", "received_at")
    list_filter = ("event_type", "outcome")
    readonly_fields = ("dedup_key", "event_type", "account_id", "outcome", "detail", "received_at")
