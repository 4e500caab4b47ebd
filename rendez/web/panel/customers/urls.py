"""Addresses under /panel/customers/; url names start with `customers_` (the `panel` namespace)."""

from __future__ import annotations

from django.urls import path

from rendez.web.panel.customers import views

urlpatterns = [
    path("", views.customers_list, name="customers_list"),
    path("book/", views.customers_book, name="customers_book"),
    path("book/slots/", views.customers_slots, name="customers_slots"),
    path("<int:customer_id>/", views.customers_detail, name="customers_detail"),
    path("<int:customer_id>/edit/", views.customers_edit, name="customers_edit"),
]
