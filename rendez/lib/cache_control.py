"""`Cache-Control: no-store` on everything Rendez renders, unless a view says otherwise.

Join links, passcodes, manage tokens and customers' details appear on the booking confirmation page and its
fragments, the `.ics`, the customer pages, the panel and most API answers; a browser's disk cache, a shared
proxy or "back" on a shared computer must keep none of them. Marking only those responses would leave the
next page that shows one uncovered until someone remembers, so the rule is the other way round: every
dynamic response is `no-store`, and a view that wants to be cached sets its own `Cache-Control` (none does
today). The cost is small: the pages that carry nothing private (the service list, free slots) change by the
minute and were never cacheable, and static files keep their long-lived headers because WhiteNoise answers
them before this middleware runs.

Referrer-Policy stays Django's `same-origin` (SECURE_REFERRER_POLICY): a link followed from /manage/<token>
to Zoom, or anywhere else, carries no Referer at all, so the token in the URL goes nowhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" not in response:
            patch_cache_control(response, no_store=True)
        return response
