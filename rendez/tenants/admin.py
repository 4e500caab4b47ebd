from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from rendez.tenants.models import ApiKey, Membership, Plan, Tenant

admin.site.register(Plan)
admin.site.register(Tenant)
admin.site.register(Membership)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """The operator names a tenant and a label; `ApiKey.issue` makes the secret, which is shown once, in the
    message after saving. Only its digest is kept."""

    list_display = ["name", "tenant", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["tenant"]
    actions = ["revoke"]
    add_fields = ["tenant", "name"]
    # What a key is (its tenant, its secret) never changes after issue; only its label does.
    issued_readonly_fields = ["tenant", "prefix", "digest", "created_at", "last_used_at", "revoked_at"]

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> list[Any]:
        return self.add_fields if obj is None else ["name", *self.issued_readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> list[str]:
        return [] if obj is None else self.issued_readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiKey, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        issued, raw_key = ApiKey.issue(obj.tenant, obj.name)
        # The admin goes on with `obj` (its change link, the log entry): make it the issued row.
        obj.pk, obj.prefix, obj.digest, obj.created_at = (
            issued.pk,
            issued.prefix,
            issued.digest,
            issued.created_at,
        )
        obj._state.adding = False
        obj._state.db = issued._state.db
        self.message_user(
            request,
            f"The new API key for {obj.tenant}: {raw_key} - copy it now: it is not stored and will not be "
            "shown again.",
            messages.SUCCESS,
        )

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        active = list(queryset.filter(revoked_at__isnull=True))
        for key in active:
            key.revoke()
        self.message_user(request, f"{len(active)} API key(s) revoked: they no longer authenticate.")
