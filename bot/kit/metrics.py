"""Prometheus metrics, in a registry of the application's own (no global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "bot_updates_total", "Updates handled, by kind", ["kind"], registry=self.registry
        )
        self.duplicates = Counter(
            "bot_updates_duplicate_total",
            "Updates skipped as already handled",
            registry=self.registry,
        )
        self.errors = Counter(
            "bot_handler_errors_total", "Exceptions raised by handlers", registry=self.registry
        )
        self.sends = Counter(
            "outbox_sends_total", "Outbox deliveries, by result", ["result"], registry=self.registry
        )
        self.outbox_depth = Gauge(
            "outbox_pending", "Outbox rows waiting to be sent", registry=self.registry
        )
        self.outbox_oldest = Gauge(
            "outbox_oldest_pending_seconds",
            "Age of the oldest due outbox row",
            registry=self.registry,
        )
        self.outbox_rows = Gauge(
            "outbox_rows",
            "Outbox rows by status (claimed, sending, uncertain, failed, dead, ...)",
            ["status"],
            registry=self.registry,
        )
        self.outbox_oldest_sending = Gauge(
            "outbox_oldest_sending_seconds",
            "How long the oldest claimed or sending outbox row has been so",
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
