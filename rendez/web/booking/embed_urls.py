"""The booking page's steps as a website frames them: `/book/<slug>/embed/…` (rendez/web/booking/embed.py).

Every route of the booking page is here under its own name and in the same application namespace, so the
links its templates (`{% url 'booking:…' %}`) and views (`current_app`) make from a framed step stay framed.
"""

from __future__ import annotations

from rendez.web.booking import embed
from rendez.web.booking import urls as booking

app_name = "booking"

urlpatterns = [embed.framed_route(route) for route in booking.urlpatterns]
