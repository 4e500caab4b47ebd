"""The invitation link's page: the invited person chooses a password, is signed in, and lands on their own
calendar. Like Django's password reset, the token is moved from the address into the session at once, so it
is not sent onwards in a Referer nor left in the browser's history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from rendez.web.panel.access import choose_tenant
from rendez.web.panel.staff.invitations import invited_member, tokens

SESSION_TOKEN = "_staff_invitation_token"
SET_PASSWORD = "set-password"


@sensitive_post_parameters()
@never_cache
def join(request: HttpRequest, staff_id: int, uidb64: str, token: str) -> HttpResponse:
    user = _user(uidb64)
    member = invited_member(staff_id, user)
    if token != SET_PASSWORD:
        if member is None or not tokens.check_token(user, token):
            return _invalid(request)
        request.session[SESSION_TOKEN] = token
        return redirect(reverse("panel:staff_join", args=[staff_id, uidb64, SET_PASSWORD]))
    if member is None or user is None or not tokens.check_token(user, request.session.get(SESSION_TOKEN)):
        return _invalid(request)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        del request.session[SESSION_TOKEN]
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        choose_tenant(request, member.tenant_id)
        messages.success(request, f"Welcome to {member.tenant.name}. This is your calendar.")
        return redirect("panel:calendar_week")
    context = {"form": form, "member": member, "account": user}
    return render(request, "panel/staff/join.html", context, status=400 if form.errors else 200)


def _user(uidb64: str) -> User | None:
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        return User.objects.filter(pk=int(pk), is_active=True).first()
    except (TypeError, ValueError, OverflowError):
        return None


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "panel/staff/join_invalid.html", status=404)
