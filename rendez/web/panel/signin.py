"""Signing in and out, and choosing the business to work in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from rendez.lib.client_ip import client_ip
from rendez.web.panel import throttle
from rendez.web.panel.access import choose_tenant, memberships_of
from rendez.web.panel.forms import SignInForm, TenantChoiceForm


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect("panel:home")
    form = SignInForm(request, request.POST or None)
    refusal = None
    if request.method == "POST":
        identifier, password = request.POST.get("identifier", "").strip(), request.POST.get("password", "")
        # Only a password check is counted: a form missing either field never reaches one.
        attempt = throttle.admit(identifier, client_ip(request)) if identifier and password else None
        if isinstance(attempt, throttle.Refusal):
            refusal = attempt
        elif form.is_valid():
            if attempt is not None:
                attempt.succeeded()
            login(request, form.user)
            return _after_sign_in(request)
        elif attempt is not None:
            attempt.failed()
    context = {"form": form, "locked_message": refusal.message if refusal else "", "next": _next(request)}
    if refusal is None:
        return render(request, "panel/sign_in.html", context)
    response = render(request, "panel/sign_in.html", context, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    return response


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if safe else ""


def _after_sign_in(request: HttpRequest) -> HttpResponse:
    memberships = list(memberships_of(request.user))
    if len(memberships) == 1:
        choose_tenant(request, memberships[0].tenant_id)
    elif not memberships and request.user.is_superuser:
        # The platform operator belongs to no business: their pages are the operator's.
        return redirect(_next(request) or "operator:tenants")
    elif not memberships:
        messages.error(request, "Your account does not belong to any business yet.")
    return redirect(_next(request) or "panel:home")


@login_required
def switch(request: HttpRequest) -> HttpResponse:
    memberships = list(memberships_of(request.user))
    if len(memberships) == 1 and request.method == "GET":
        choose_tenant(request, memberships[0].tenant_id)
        return redirect("panel:home")
    form = TenantChoiceForm(memberships, request.POST or None)
    if request.method == "POST" and form.is_valid() and choose_tenant(request, form.cleaned_data["tenant"]):
        return redirect("panel:home")
    return render(request, "panel/switch.html", {"form": form, "memberships": memberships})
