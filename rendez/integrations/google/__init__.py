"""Google Calendar for staff: busy times synced into `rendez.calendars`, appointments written as events."""
