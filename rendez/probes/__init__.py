"""What operators' tools read: `/healthz`, `/readyz` and `/metrics` (docs/observability.md).

Apart from `rendez.observability` because these read the job outbox and the database, while observability
(request ids, metrics, logs) is what every package — the outbox included — calls into: kept apart, neither
depends on the other in a circle.
"""
