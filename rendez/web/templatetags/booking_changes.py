"""A booking's history in the panel: who made a change, in a word or a name."""

from __future__ import annotations

from django import template

from rendez.scheduling.changes import who_made
from rendez.scheduling.models import BookingChange

register = template.Library()


@register.filter
def changed_by(change: BookingChange) -> str:
    """'the customer', a person's name, or 'API' (a tenant's key or a script)."""
    return who_made(change)
