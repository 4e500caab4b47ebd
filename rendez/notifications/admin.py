from __future__ import annotations

from django import forms
from django.contrib import admin

from rendez.notifications.models import ChannelConfig, Delivery, Workflow
from rendez.notifications.validation import tenant_url_problem

# "Channel configs" reads as code; the admin says what they are (here, not in Meta: no migration for a label).
ChannelConfig._meta.verbose_name = "channel account"
ChannelConfig._meta.verbose_name_plural = "channel accounts"


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "trigger", "offset_minutes", "channel", "is_active"]
    list_filter = ["trigger", "channel", "is_active"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "tenant", "event", "channel", "recipient", "state", "attempts", "note"]
    list_filter = ["state", "channel", "event"]
    readonly_fields = [field.name for field in Delivery._meta.fields]


class ChannelConfigForm(forms.ModelForm):
    base_url = forms.URLField(required=False, max_length=200, assume_scheme="https")

    class Meta:
        model = ChannelConfig
        fields = ["tenant", "channel", "base_url", "account_sid", "sender", "is_enabled"]

    def clean_base_url(self) -> str:
        """A tenant's vendor base URL is called with the tenant's data: refused when saved for the reasons
        sending would refuse it."""
        base_url: str = self.cleaned_data["base_url"]
        if base_url and (problem := tenant_url_problem(base_url)):
            raise forms.ValidationError(problem)
        return base_url


@admin.register(ChannelConfig)
class ChannelConfigAdmin(admin.ModelAdmin):
    form = ChannelConfigForm
    list_display = ["tenant", "channel", "base_url", "is_enabled"]
    exclude = ["secret_encrypted"]
