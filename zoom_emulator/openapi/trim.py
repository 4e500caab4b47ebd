"""Regenerate the trimmed Zoom OpenAPI specs in this folder from the full ones.

    python -m zoom_emulator.openapi.trim /path/to/shared/zoom-openapi

Each trimmed file is an exact copy of the parts of its source that the emulator and Rendez use: the
top-level keys other than `paths`/`components`, the listed operations of the listed paths (with any path-level
keys), and every component those reference, followed transitively through `$ref`s (plus the security
schemes their `security` requirements name). Nothing is patched here; the validator in
`zoom_emulator.openapi` patches its in-memory copy.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Source:
    source: str  # file name in shared/zoom-openapi
    trimmed: str  # file name here
    operations: dict[str, tuple[str, ...]]  # path -> lower-case methods kept


MEETINGS = Source(
    source="ZoomMeetingAPISpec.v2.shr968-Prokalp.json",
    trimmed="ZoomMeetingAPISpec.v2.shr968-Prokalp.trimmed.json",
    operations={
        "/users/{userId}/meetings": ("get", "post"),
        "/meetings/{meetingId}": ("get", "patch", "delete"),
        "/meetings/{meetingId}/registrants": ("get", "post"),
        "/meetings/{meetingId}/registrants/status": ("put",),
        "/meetings/{meetingId}/registrants/{registrantId}": ("get", "delete"),
        "/meetings/{meetingId}/batch_registrants": ("post",),
    },
)
USERS = Source(
    source="Users.v2.developers-zoom-us-snapshot-2026-02-07.json",
    trimmed="Users.v2.developers-zoom-us-snapshot-2026-02-07.trimmed.json",
    operations={
        "/users": ("get",),
        "/users/{userId}": ("get",),
        "/users/{userId}/settings": ("get",),
    },
)
SOURCES = (MEETINGS, USERS)


def trim(spec: dict[str, Any], operations: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """The parts of `spec` that `operations` need, in the source's key order."""
    paths: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        if path not in operations:
            continue
        missing = [method for method in operations[path] if method not in item]
        if missing:
            raise KeyError(f"{path} has no {', '.join(missing)} operation")
        paths[path] = {
            key: value for key, value in item.items() if key not in HTTP_METHODS or key in operations[path]
        }
    unknown = set(operations) - set(paths)
    if unknown:
        raise KeyError(f"paths not in the spec: {sorted(unknown)}")
    trimmed = {key: value for key, value in spec.items() if key not in ("paths", "components")}
    trimmed["paths"] = paths
    wanted = _referenced_components(spec, [paths, {k: v for k, v in spec.items() if k == "security"}])
    components: dict[str, Any] = {}
    for section, entries in spec.get("components", {}).items():
        kept = {name: value for name, value in entries.items() if (section, name) in wanted}
        if kept:
            components[section] = kept
    if components or "components" in spec:
        trimmed["components"] = components
    # Keep the source's top-level key order.
    return {key: trimmed[key] for key in spec if key in trimmed}


def _referenced_components(spec: dict[str, Any], roots: list[Any]) -> set[tuple[str, str]]:
    components = spec.get("components", {})
    wanted: set[tuple[str, str]] = set()
    pending = list(roots)
    while pending:
        node = pending.pop()
        for ref in _refs(node):
            parts = [part.replace("~1", "/").replace("~0", "~") for part in ref[2:].split("/")]
            if not ref.startswith("#/") or len(parts) < 3 or parts[0] != "components":
                raise ValueError(f"unsupported $ref {ref!r}")
            key = (parts[1], parts[2])
            if key not in wanted:
                wanted.add(key)
                pending.append(components[parts[1]][parts[2]])
        for scheme in _security_schemes(node):
            wanted.add(("securitySchemes", scheme))
    return wanted


def _refs(node: Any) -> Iterator[str]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                yield ref
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _security_schemes(node: Any) -> Iterator[str]:
    """Scheme names in `security` requirement lists anywhere under `node`."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            security = item.get("security")
            if isinstance(security, list):
                for requirement in security:
                    if isinstance(requirement, dict):
                        yield from requirement
            stack.extend(value for key, value in item.items() if key != "security")
        elif isinstance(item, list):
            stack.extend(item)


def dump(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=1, ensure_ascii=False) + "\n"


def regenerate(shared_dir: Path, out_dir: Path = HERE) -> list[Path]:
    written = []
    for source in SOURCES:
        raw = (shared_dir / source.source).read_bytes()
        trimmed = trim(json.loads(raw), source.operations)
        target = out_dir / source.trimmed
        target.write_text(dump(trimmed), encoding="utf-8")
        print(f"{target.name}: from {source.source} (sha256 {hashlib.sha256(raw).hexdigest()})")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    regenerate(Path(args[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
