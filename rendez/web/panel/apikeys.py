"""The tenant's API keys: listed, created (the secret shown once, on the page after), revoked.

Admins only; another tenant's key answers 404. The secret goes from the POST to the next page through the
session and is removed from it as it is shown, so a reload or the back button cannot show it again.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache

from rendez.tenants import operations
from rendez.tenants.models import ApiKey
from rendez.web.panel.access import Panel, panel_view

SESSION_KEY = "apikeys_new_key"


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the key is for, e.g. “Website” or “CRM sync”.")


def _keys(panel: Panel):
    return ApiKey.objects.filter(tenant=panel.tenant).order_by("-created_at", "-pk")


@panel_view(admin_only=True)
def index(request: HttpRequest, panel: Panel) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key, raw_key = operations.issue_api_key(panel.tenant, form.cleaned_data["name"])
        request.session[SESSION_KEY] = {"id": key.pk, "raw": raw_key}
        return redirect("panel:apikeys_created")
    context = {"panel": panel, "keys": _keys(panel), "form": form}
    return render(request, "panel/apikeys/index.html", context, status=400 if form.errors else 200)


@never_cache
@panel_view(admin_only=True)
def created(request: HttpRequest, panel: Panel) -> HttpResponse:
    new = request.session.pop(SESSION_KEY, None)
    key = _keys(panel).filter(pk=new["id"]).first() if new else None
    if key is None:
        messages.error(request, "A key's secret is shown only once, right after it is created.")
        return redirect("panel:apikeys_list")
    response = render(
        request, "panel/apikeys/created.html", {"panel": panel, "key": key, "raw_key": new["raw"]}
    )
    response["Cache-Control"] = "no-store"
    return response


@panel_view(admin_only=True)
def revoke(request: HttpRequest, panel: Panel, key_id: int) -> HttpResponse:
    key = get_object_or_404(_keys(panel), pk=key_id)
    if request.method == "POST":
        return _revoke(request, key)
    return render(request, "panel/apikeys/revoke.html", {"panel": panel, "key": key})


def _revoke(request: HttpRequest, key: ApiKey) -> HttpResponse:
    operations.revoke_api_key(key)
    messages.success(
        request,
        f"The key “{key.name}” ({key.prefix}…) is revoked: requests with it are refused within 5 seconds.",
    )
    return redirect("panel:apikeys_list")


urlpatterns = [
    path("", index, name="apikeys_list"),
    path("created/", created, name="apikeys_created"),
    path("<int:key_id>/revoke/", revoke, name="apikeys_revoke"),
]
