from __future__ import annotations

from django.contrib import admin

from rendez.notifications.models import ChannelConfig, Delivery, Workflow


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "trigger", "offset_minutes", "channel", "is_active"]
    list_filter = ["trigger", "channel", "is_active"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "tenant", "event", "channel", "recipient", "state", "attempts", "note"]
    list_filter = ["state", "channel", "event"]
    readonly_fields = [field.name for field in Delivery._meta.fields]


@admin.register(ChannelConfig)
class ChannelConfigAdmin(admin.ModelAdmin):
    list_display = ["tenant", "channel", "base_url", "is_enabled"]
    exclude = ["secret_encrypted"]
