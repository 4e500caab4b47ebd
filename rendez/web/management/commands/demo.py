"""`rendez demo`: seed (or refresh) the demo business and print how to use it."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from rendez.calendars.models import Provider
from rendez.devserver import demo_calendars, demo_zoom
from rendez.scheduling.models import Booking, Staff
from rendez.web.demo import seed_demo


class Command(BaseCommand):
    help = "Create the demo tenant (idempotent) and print its URLs and credentials."

    def handle(self, *args, **options) -> None:
        result = seed_demo()
        base = settings.BASE_URL
        staff_logins = ", ".join(member.user.username for member in result.staff if member.user)
        first = Booking.objects.filter(tenant=result.tenant).order_by("pk").first()
        manage_token = first.manage_token if first else "<token>"
        lines = [
            f"Demo business: {result.tenant.name} (tenant '{result.tenant.slug}'), "
            f"{result.bookings_created} example bookings created this run",
            f"  Home:          {base}/",
            f"  Panel:         {base}/login/  (tenant admin: {result.admin_username} / {result.password}; "
            f"staff: {staff_logins} / {result.password})",
            f"  Booking page:  {base}/book/{result.tenant.slug}/",
            f"  My bookings:   {base}/my/{result.tenant.slug}/  (sign-in link by email, in var/mail/)",
            f"  Manage link:   {base}/manage/{manage_token}  (an example booking's customer page)",
            f"  API docs:      {base}/api/v1/docs",
            f"  Admin:         {base}/admin/  (operator: {result.operator_username} / {result.password})",
            f"  API key:       {result.api_key}",
            f'  Try:           curl -H "Authorization: Bearer {result.api_key}" {base}/api/v1/services',
        ]
        if settings.ZOOM_EMULATOR:
            lines.append(f"  Zoom emulator: {base}/_zoom/")
        if settings.CALENDAR_EMULATORS:
            # The Google emulator has pages (each person's calendar); the Microsoft one answers its APIs only.
            lines.append(f"  Google emulator: {base}/_google/  (Maria's calendar, the appointments in it)")
        lines += self._zoom_lines(result.staff)
        # With a server already up (a second run beside `make run`), its emulators are reachable now.
        demo_calendars.prepare_if_served()
        lines += self._calendar_lines(result.staff)
        self.stdout.write("\n".join(lines))

    def _calendar_lines(self, staff: list[Staff]) -> list[str]:
        lines: list[str] = []
        for member in staff:
            provider = demo_calendars.PROVIDER_OF.get(member.email.lower())
            if provider is None:
                continue
            name = Provider(provider).label
            if (email := demo_calendars.usable_email(member, provider)) is not None:
                state = f"{name} connected as {email}, with a few busy events this week"
            elif settings.CALENDAR_EMULATORS:
                state = f"connects {name} (the emulator's, as {member.email}) once the server is up"
            else:
                state = "no calendar connected (with CALENDAR_EMULATORS=1 it connects the emulator's)"
            label = "  Calendars:" if not lines else ""
            lines.append(f"{label:<17}{member.name}: {state}")
        return lines

    def _zoom_lines(self, staff: list[Staff]) -> list[str]:
        lines: list[str] = []
        for member in staff:
            if (email := demo_zoom.connected_email(member)) is not None:
                state = f"connected to Zoom as {email} (per-staff OAuth)"
            elif settings.ZOOM_EMULATOR:
                state = f"connects to the emulator as {member.email} (per-staff OAuth) once the server is up"
            else:
                state = "not connected to Zoom (with ZOOM_EMULATOR=1 it connects to the emulator)"
            label = "  Zoom staff:" if not lines else ""
            lines.append(f"{label:<17}{member.name}: {state}")
        return lines
