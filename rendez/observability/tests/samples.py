"""/metrics read back as numbers: {(sample name, labels): value}."""

from __future__ import annotations

METRICS_TOKEN = "metrics-test-token-0123456789"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def value(samples: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 for a series that does not exist (yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)
