"""`{% panel_section template context %}`: draws a section an integration registered (web/panel/sections.py)
with the page's context plus the section's own, so the panel's templates name no integration's template."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def panel_section(context: template.Context, template_name: str, values: Mapping[str, Any]) -> SafeString:
    assert context.template is not None  # a tag is only ever drawn inside a template
    drawn = context.template.engine.get_template(template_name)
    with context.push(**values):
        return drawn.render(context)
