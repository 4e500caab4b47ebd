from django.contrib import admin
from django.urls import include, path

from rendez.api.urls import api
from rendez.probes import views as probes
from rendez.web import brand
from rendez.web import views as web

urlpatterns = [
    path("", web.landing, name="landing"),
    path("favicon.ico", web.favicon, name="favicon"),
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path("metrics", probes.metrics, name="metrics"),
    path("operator/", include("rendez.web.operator.urls")),
    path("signup/", include("rendez.web.signup.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("integrations/zoom/", include("rendez.integrations.zoom.urls")),
    path("integrations/google/", include("rendez.integrations.google.urls")),
    path("integrations/microsoft/", include("rendez.integrations.microsoft.urls")),
    path("book/<slug:slug>/embed/", include("rendez.web.booking.embed_urls", namespace="booking_embed")),
    path("book/<slug:slug>/", include("rendez.web.booking.urls")),
    path("brand/<slug:slug>/logo/<str:name>", brand.logo, name="brand_logo"),
    path("brand/colours/<str:colour>.css", brand.colours, name="brand_colours"),
    path("", include("rendez.web.customer.urls")),
    path("", include("rendez.web.panel.urls")),
]
