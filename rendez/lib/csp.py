"""Content-Security-Policy for Rendez's pages: scripts only from Rendez itself (htmx included, served from our
static files) or inline ones carrying the response's nonce, no plugins, no framing, no foreign base URL.

Templates mark their inline scripts with `<script nonce="{{ csp_nonce }}">` (the `nonce` context processor
below); django-htmx's `{% htmx_script %}` reads the same name. The policy is
`settings.CONTENT_SECURITY_POLICY` (RENDEZ_CSP), where `{nonce}` stands for each response's own; an empty
policy sends none.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Inline styles stay allowed: the pages use a few style attributes and htmx adds its indicator style at run
# time, and styles cannot run code. No form-action: connecting Zoom posts a form that redirects to Zoom's
# consent page, and browsers apply form-action to that redirect too.
DEFAULT_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "frame-ancestors 'none'"
)
ENFORCING = "Content-Security-Policy"
REPORTING = "Content-Security-Policy-Report-Only"
# Who may frame the booking page's embeddable variant (rendez/web/booking/embed.py; settings
# EMBED_FRAME_ANCESTORS): any site served over https, and a developer's own machine. Every other page keeps
# frame-ancestors 'none'. docs/embed.md says why this is safe for an anonymous booking form and nothing else.
EMBED_FRAME_ANCESTORS = "https: http://localhost:* http://127.0.0.1:*"


class ContentSecurityPolicyMiddleware:
    """Gives each request a fresh nonce and each HTML response the policy (unless a view set its own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_POLICY)
        # JSON, files and redirects run no scripts; only pages need the policy.
        is_page = response.get("Content-Type", "").startswith("text/html")
        if policy and is_page and ENFORCING not in response and REPORTING not in response:
            header = REPORTING if getattr(settings, "CSP_REPORT_ONLY", False) else ENFORCING
            response[header] = policy.replace("{nonce}", nonce)
        return response


def allow_framing(request: HttpRequest, response: HttpResponse, ancestors: str) -> HttpResponse:
    """Lets `ancestors` (CSP sources) frame `response`: the configured policy with its frame-ancestors
    replaced (the middleware then leaves the response alone), and no X-Frame-Options, whose DENY would win in
    browsers that predate frame-ancestors."""
    framing = f"frame-ancestors {ancestors}"
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_POLICY)
    nonce = getattr(request, "csp_nonce", "")
    if not policy:
        response[ENFORCING] = framing
    elif getattr(settings, "CSP_REPORT_ONLY", False):
        response[REPORTING] = with_directive(policy, framing).replace("{nonce}", nonce)
        # Browsers ignore frame-ancestors in a report-only policy; who may frame is enforced all the same.
        response[ENFORCING] = framing
    else:
        response[ENFORCING] = with_directive(policy, framing).replace("{nonce}", nonce)
    response.xframe_options_exempt = True  # type: ignore[attr-defined]
    return response


def with_directive(policy: str, directive: str) -> str:
    """`policy` with `directive` in place of the one of the same name (added when it had none)."""
    name = directive.split()[0].lower()
    kept = [part.strip() for part in policy.split(";") if part.strip()]
    kept = [part for part in kept if part.split()[0].lower() != name]
    return "; ".join([*kept, directive])


def nonce(request: HttpRequest) -> dict[str, str]:
    """Template context processor: `csp_nonce`, this response's nonce for inline scripts."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
