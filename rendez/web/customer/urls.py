from __future__ import annotations

from django.urls import path

from rendez.web.customer import signin, views

app_name = "customer"

urlpatterns = [
    path("manage/<str:token>", views.manage, name="manage"),
    path("manage/<str:token>/video", views.video, name="video"),
    path("manage/<str:token>/reschedule", views.reschedule, name="reschedule"),
    path("manage/<str:token>/cancel", views.cancel, name="cancel"),
    path("my/", signin.choose, name="choose"),
    path("my/<slug:slug>/", signin.home, name="home"),
    path("my/<slug:slug>/sign-in/<str:token>", signin.sign_in, name="sign_in"),
    path("my/<slug:slug>/sign-out", signin.sign_out, name="sign_out"),
]
