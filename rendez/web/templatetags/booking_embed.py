"""`{% embed_form_token %}`: in a website's frame, the details form's signed token (booking/embed.py), which
stands in for the CSRF cookie a frame on another site is not sent; on the page itself, nothing."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from rendez.web.booking import embed

register = template.Library()


@register.simple_tag(takes_context=True)
def embed_form_token(context: template.Context) -> str:
    request = context.get("request")
    if not getattr(request, "embedded", False):
        return ""
    token = embed.form_token(context["tenant"], context["service"])
    return format_html('<input type="hidden" name="{}" value="{}">', embed.FORM_TOKEN_FIELD, token)
