"""`/signup/` (a business and its owner), `/signup/verify/<token>/` (the owner confirms the email) and the
resend button of the dashboard's banner.

With RENDEZ_SIGNUP_ENABLED off the sign-up page answers 404; links already sent still confirm. Sign-ups are
limited per client address (rendez/web/attempts.py) and counted only when the form is valid: a typo costs
nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from rendez.lib.client_ip import address_group, client_ip
from rendez.web import attempts
from rendez.web.panel.access import Panel, choose_tenant, panel_view
from rendez.web.signup import verification
from rendez.web.signup.forms import SignUpForm, offered_plans
from rendez.web.signup.register import NewBusiness, SignUpRefused, register

# A person signs up a business or two; a script signs up hundreds. An office behind one address still fits.
SIGNUPS_PER_ADDRESS = 5
SIGNUP_WINDOW = timedelta(hours=24)
TOO_MANY = (
    "Too many businesses were signed up from your network today. Please try again tomorrow, or ask the "
    "operator of this site."
)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is closed.")
    form = SignUpForm(request.POST if request.method == "POST" else None, plans=offered_plans())
    if request.method == "POST" and form.is_valid():
        counted = _count_sign_up(request)
        if counted is None:
            return _page(request, form, refusal=TOO_MANY, status=429)
        try:
            signup = register(_business(form.cleaned_data))
        except SignUpRefused as refused:
            attempts.take_back(counted)
            form.add_error(refused.field, refused.message)
        else:
            login(request, signup.owner, backend="django.contrib.auth.backends.ModelBackend")
            choose_tenant(request, signup.tenant_id)
            verification.send_link(signup)
            messages.success(
                request, f"Welcome! We are sending a link to {signup.email}: open it to confirm your email."
            )
            return redirect("panel:dashboard")
    return _page(request, form, status=400 if form.errors else 200)


def _page(request: HttpRequest, form: SignUpForm, *, refusal: str = "", status: int = 200) -> HttpResponse:
    context = {"form": form, "refusal": refusal}
    response = render(request, "signup/sign_up.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(int(SIGNUP_WINDOW.total_seconds()))
    return response


def _count_sign_up(request: HttpRequest) -> str | None:
    """Count one sign-up from the client's address; its counter's key, or None when the limit is reached."""
    key = attempts.key("signup-address", address_group(client_ip(request)))
    counted = attempts.add(key, SIGNUP_WINDOW, below=SIGNUPS_PER_ADDRESS)
    attempts.prune()
    return key if counted is not None else None


def _business(data: dict) -> NewBusiness:
    return NewBusiness(
        name=data["name"],
        slug=data["slug"],
        timezone=data["timezone"],
        plan=data["plan"],
        owner_name=" ".join(data["owner_name"].split()),
        email=data["email"],
        password=data["password"],
    )


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a Confirm button, POST confirms: a link fetched by a mail scanner proves nothing."""
    signup = verification.signup_of(token)
    if signup is None:
        return render(request, "signup/link_invalid.html", status=410)
    if request.method == "POST" or signup.verified_at is not None:
        verification.confirm(signup)
        return render(request, "signup/verified.html", {"signup": signup})
    return render(request, "signup/verify.html", {"signup": signup})


@require_POST
@panel_view(admin_only=True)
def resend(request: HttpRequest, panel: Panel) -> HttpResponse:
    signup = verification.pending_for(panel.tenant)
    if signup is None:
        messages.success(request, "Your email is confirmed already.")
    elif not verification.RESEND.allows(signup.email, client_ip(request)):
        messages.error(
            request, "A link was sent several times just now. Please wait a while before asking again."
        )
    else:
        verification.send_link(signup)
        messages.success(request, f"We are sending a new link to {signup.email}.")
    return redirect("panel:dashboard")
