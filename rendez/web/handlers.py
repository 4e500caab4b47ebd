"""The web app's job handlers, found by `JobsConfig.ready()` in every process (docs/jobs.md): importing a
module registers its handlers."""

from rendez.web.customer import signin_email  # noqa: F401 - registers customer.send_sign_in_link
from rendez.web.panel.staff import invitation_email  # noqa: F401 - registers staff.send_invitation
from rendez.web.signup import verification  # noqa: F401 - registers signup.send_verification
