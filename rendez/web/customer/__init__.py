"""The customer panel: the manage page every message links to, and a per-tenant magic-link sign-in that lists
a customer's appointments. Bookings change only through `rendez.scheduling.services`."""
