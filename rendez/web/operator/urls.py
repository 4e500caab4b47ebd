"""Addresses under /operator/."""

from __future__ import annotations

from django.urls import path

from rendez.web.operator import views

app_name = "operator"
urlpatterns = [
    path("", views.home, name="home"),
    path("tenants/", views.tenants, name="tenants"),
    path("tenants/<int:tenant_id>/plan/", views.tenant_plan, name="tenant_plan"),
    path("tenants/<int:tenant_id>/active/", views.tenant_active, name="tenant_active"),
    path("plans/", views.plans, name="plans"),
    path("plans/<int:plan_id>/", views.plan, name="plan"),
    path("zoom/", views.zoom, name="zoom"),
]
