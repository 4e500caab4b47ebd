"""Addresses under /signup/."""

from __future__ import annotations

from django.urls import path

from rendez.web.signup import views

app_name = "signup"

urlpatterns = [
    path("", views.sign_up, name="sign_up"),
    path("verify/resend/", views.resend, name="resend"),
    path("verify/<str:token>/", views.verify, name="verify"),
]
