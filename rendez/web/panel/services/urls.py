"""Addresses under /panel/services/; url names start with `services_` (the `panel` namespace)."""

from __future__ import annotations

from django.urls import path

from rendez.web.panel.services import questions, views

urlpatterns = [
    path("", views.services_list, name="services_list"),
    path("new/", views.services_create, name="services_create"),
    path("<int:service_id>/", views.services_edit, name="services_edit"),
    path("<int:service_id>/questions/", questions.question_add, name="services_question_add"),
    path(
        "<int:service_id>/questions/<int:question_id>/",
        questions.question_edit,
        name="services_question_edit",
    ),
    path(
        "<int:service_id>/questions/<int:question_id>/move/",
        questions.question_move,
        name="services_question_move",
    ),
    path(
        "<int:service_id>/questions/<int:question_id>/retire/",
        questions.question_retire,
        name="services_question_retire",
    ),
]
