"""Microsoft 365 calendars of staff members over Microsoft Graph (issue 18 section 3)."""
