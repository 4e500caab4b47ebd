"""The web app's job handlers, found by `JobsConfig.ready()` in every process (docs/jobs.md): importing a
module registers its handlers."""

from rendez.web.panel.staff import invitation_email  # noqa: F401 - registers staff.send_invitation
