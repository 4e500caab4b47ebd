"""The public booking page of a tenant: service, staff, slot, details, confirmation."""
