"""The panel imports no integration: each one adds its parts through `web/panel/sections.py` (issue 18,
section 1). Its tests may import them (they exercise the integrations through the panel); its code and its
templates may not name them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import rendez

PANEL = Path(rendez.__file__).parent / "web" / "panel"
PANEL_TEMPLATES = Path(rendez.__file__).parent / "web" / "templates" / "panel"
# A template an integration owns lives under its own name (zoom/..., google/...): never the panel's.
INTEGRATION_TEMPLATE = re.compile(r"""\{%\s*(include|extends)\s+["'](zoom|google|microsoft)/""")


def imported_modules(source: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def panel_code() -> list[Path]:
    return [path for path in PANEL.rglob("*.py") if "tests" not in path.relative_to(PANEL).parts]


def test_the_panels_code_imports_no_integration():
    offenders = {
        str(path.relative_to(PANEL)): sorted(
            name for name in imported_modules(path) if "integrations" in name
        )
        for path in panel_code()
    }
    assert {path: names for path, names in offenders.items() if names} == {}
    assert len(panel_code()) > 30  # the walk found the panel


def test_the_panels_templates_draw_no_integrations_template():
    templates = list(PANEL_TEMPLATES.rglob("*.html"))
    assert len(templates) > 30
    assert [str(path) for path in templates if INTEGRATION_TEMPLATE.search(path.read_text())] == []


def test_the_check_catches_an_import(tmp_path):
    """The boundary test would see a violation (guards against a walk that sees nothing)."""
    offender = tmp_path / "views.py"
    offender.write_text(
        "from rendez.integrations.zoom import hosts\nimport rendez.integrations.zoom.models\n"
    )
    assert {"rendez.integrations.zoom", "rendez.integrations.zoom.models"} <= imported_modules(offender)
