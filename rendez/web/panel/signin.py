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

from rendez.web.panel import throttle
from rendez.web.panel.access import choose_tenant, memberships_of
from rendez.web.panel.forms import SignInForm, TenantChoiceForm

LOCKED_MESSAGE = (
    "Too many failed sign-in attempts. For your security, signing in is paused for 15 minutes; "
    "you can reset your password meanwhile."
)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect("panel:home")
    form = SignInForm(request, request.POST or None)
    locked = False
    if request.method == "POST":
        identifier = request.POST.get("identifier", "")
        ip = throttle.client_ip(request)
        locked = throttle.is_locked(identifier, ip)
        if not locked and form.is_valid():
            throttle.record_success(identifier)
            login(request, form.user)
            return _after_sign_in(request)
        if not locked:
            throttle.record_failure(identifier, ip)
    status = 429 if locked else 200
    context = {"form": form, "locked_message": LOCKED_MESSAGE if locked else "", "next": _next(request)}
    return render(request, "panel/sign_in.html", context, status=status)


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
