"""The panel's addresses: sign-in at the top level (`/login/`), everything else under `/panel/`."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from rendez.web.panel import series, signin, views
from rendez.web.panel.password_reset import LimitedPasswordResetView

app_name = "panel"

password_reset = [
    path(
        "login/reset/",
        LimitedPasswordResetView.as_view(
            template_name="panel/password_reset.html",
            email_template_name="panel/password_reset_email.txt",
            subject_template_name="panel/password_reset_subject.txt",
            success_url=reverse_lazy("panel:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "login/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="panel/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "login/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="panel/password_reset_confirm.html",
            success_url=reverse_lazy("panel:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "login/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="panel/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("login/", signin.sign_in, name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="panel:login"), name="logout"),
    *password_reset,
    path("panel/", views.home, name="home"),
    path("panel/switch/", signin.switch, name="switch"),
    path("panel/dashboard/", views.dashboard, name="dashboard"),
    path("panel/services/", include("rendez.web.panel.services.urls")),
    path("panel/staff/", include("rendez.web.panel.staff.urls")),
    path("panel/calendar/", include("rendez.web.panel.calendar.urls")),
    path("panel/customers/", include("rendez.web.panel.customers.urls")),
    path("panel/settings/", include("rendez.web.panel.settings.urls")),
    path("panel/api-keys/", include("rendez.web.panel.apikeys")),
    path("panel/messages/", include("rendez.web.panel.messages.urls")),
    path("panel/onboarding/", include("rendez.web.panel.onboarding.urls")),
    path("panel/appointments/", views.appointments, name="appointments"),
    path("panel/series/new/", series.book, name="series_new"),
    path(
        "panel/appointments/<int:appointment_id>/bookings/<int:booking_id>/move-following/",
        series.move_following,
        name="series_move_following",
    ),
    path("panel/appointments/<int:appointment_id>/", views.appointment, name="appointment"),
    path("panel/appointments/<int:appointment_id>/start-meeting/", views.start_meeting, name="start_meeting"),
    path("panel/appointments/<int:appointment_id>/retry/", views.retry_meeting, name="retry_meeting"),
    path("panel/appointments/<int:appointment_id>/reschedule/", views.reschedule, name="reschedule"),
    path(
        "panel/appointments/<int:appointment_id>/bookings/<int:booking_id>/cancel/",
        views.cancel,
        name="cancel",
    ),
    path(
        "panel/appointments/<int:appointment_id>/bookings/<int:booking_id>/status/",
        views.set_status,
        name="set_status",
    ),
]
