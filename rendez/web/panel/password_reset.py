"""Asking for a password-reset email, limited per address and per email (rendez/web/link_limits.py)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponse, HttpResponseRedirect

from rendez.lib.client_ip import client_ip
from rendez.web import link_limits


class LimitedPasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, except that over the limit it sends nothing and still answers "sent": the
    same redirect as always, so the answer tells neither whether the email has an account nor whether someone
    else has been asking."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if link_limits.PASSWORD_RESET.allows(form.cleaned_data["email"], client_ip(self.request)):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())
