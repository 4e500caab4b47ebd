"""What operators see of a running Rendez: structured logs with request ids, Prometheus metrics, health.

Other packages reach it through one- or two-line calls (`metrics.*`, `context.current_request_id()`, the
decorators in `context` and `metrics`); nothing here imports their models except the job table that the
scrape-time gauges and the readiness check read.
"""
