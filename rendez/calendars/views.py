"""The OAuth callback every calendar provider sends browsers back to after consent
(`/integrations/{provider}/callback`, mounted by each provider's urls.py with its `provider`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rendez.calendars import connecting


@never_cache
@require_GET
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    """Only a signed-in person finishes a connect: anyone else signs in first and comes back to this same
    URL (the state is not touched until then)."""
    connector = connecting.connector_of(provider)
    if connector is None:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    query = {name: request.GET.get(name, "") for name in ("state", "code", "error")}
    try:
        connected = connector.finish(request.user, query)
    except connecting.NotConnected as exc:
        context = {"ok": False, "title": f"{connector.label} was not connected", "message": exc.message}
        return render(
            request, "integrations/connect_result.html", {**context, "back": exc.back}, status=exc.status
        )
    messages.success(request, f"{connector.label} {connected.connection_email} is connected.")
    return HttpResponseRedirect(connected.back)
