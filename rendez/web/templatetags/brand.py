"""`{% load brand %}`: a business's look on its public pages (rendez/web/brand.py serves the files)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from rendez.tenants.models import Tenant
from rendez.web import brand

register = template.Library()


@register.simple_tag
def brand_stylesheet(tenant: Tenant) -> str:
    """The stylesheet that sets the brand colour, or nothing."""
    url = brand.colours_url(tenant)
    return format_html('<link rel="stylesheet" href="{}">', url) if url else ""


@register.simple_tag
def brand_logo(tenant: Tenant) -> str:
    """The logo beside the business's name in the page header, or nothing. Decorative: the name follows."""
    url = brand.logo_url(tenant)
    return format_html('<img class="brand-logo" src="{}" alt="">', url) if url else ""
