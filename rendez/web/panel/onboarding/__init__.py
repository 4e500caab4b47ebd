"""The dashboard's onboarding checklist: what a new business still has to set up, read from its data."""
