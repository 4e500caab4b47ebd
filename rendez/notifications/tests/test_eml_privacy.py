"""Emails an install without SMTP writes under var/mail/ are readable by their owner only, like everything
else under var/."""

from __future__ import annotations

import stat

from rendez.notifications.tests.fixtures import book, run_jobs, workflow


def test_eml_files_and_their_directory_are_the_owners_alone(settings, tmp_path, tenant, service):
    mail = tmp_path / "mail"
    mail.mkdir(mode=0o755)
    mail.chmod(0o755)
    settings.EMAIL_BACKEND = "rendez.notifications.mail.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(mail)
    workflow(tenant)
    book(service)
    run_jobs()

    [written] = mail.glob("*.eml")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE(mail.stat().st_mode) == 0o700
