"""What logs and metrics call a request: the URL pattern that served it, never its path.

Paths carry secrets (a booking's manage token, an OAuth `code` in a query) and endless variety (scanners);
the pattern `manage/<str:token>/` carries neither.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

# Requests no pattern matched (a scanner probing paths): one label, not one per path.
UNMATCHED = "<unmatched>"
# Files WhiteNoise answers before any URL pattern is tried.
STATIC = "<static>"


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.route or match.view_name or UNMATCHED
    if request.path.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
        return STATIC
    return UNMATCHED
