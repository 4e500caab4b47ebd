"""Addresses under /panel/messages/; url names start with `messages_` (the `panel` namespace)."""

from __future__ import annotations

from django.urls import path

from rendez.web.panel.messages import views

urlpatterns = [
    path("", views.messages_workflows, name="messages_workflows"),
    path("workflows/new/", views.messages_workflow_create, name="messages_workflow_create"),
    path("workflows/<int:workflow_id>/", views.messages_workflow_edit, name="messages_workflow_edit"),
    path(
        "workflows/<int:workflow_id>/active/",
        views.messages_workflow_active,
        name="messages_workflow_active",
    ),
    path("deliveries/", views.messages_deliveries, name="messages_deliveries"),
    path("dead-jobs/", views.messages_dead_jobs, name="messages_dead_jobs"),
    path("dead-jobs/<int:job_id>/rerun/", views.messages_rerun, name="messages_rerun"),
]
