"""The service's Prometheus metrics, in a registry of its own (so tests can run several)."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

__all__ = ["MessageCounts", "ServiceMetrics"]

LATENCY_BUCKETS = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)


class MessageCounts(Collector):
    """What every message moves (events, predictions, those made while the model warms up,
    alerts, labels joined, events learnt, pending events evicted by reason, the processing
    time), kept as plain numbers on the loop's
    path and read when Prometheus collects. A prometheus_client counter takes a lock at each
    increment (about 0.4 us; 1 us a histogram's observation, 2 us a labelled child's lookup):
    they were about 5% of the in-process work of a message. Only the loop's thread writes
    them; a scrape may see a message's counts half updated."""

    def __init__(self) -> None:
        self.events = self.predictions = self.warming_up = self.alerts = 0
        self.labels_joined = self.learned = 0
        self.evicted = dict.fromkeys(("full", "expired"), 0)  # by reason
        self._latency_counts = [0] * (len(LATENCY_BUCKETS) + 1)  # the last: beyond them all
        self._latency_sum = 0.0

    def observe_latency(self, seconds: float) -> None:
        """Count one message's processing time in its bucket (`le`: at most the bound)."""
        self._latency_counts[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self._latency_sum += seconds

    def collect(self) -> Iterator[Metric]:
        counters = (
            ("stream_imbal_events", "Event messages consumed", self.events),
            ("stream_imbal_predictions", "Prediction messages produced", self.predictions),
            (
                "stream_imbal_predictions_warming_up",
                "Predictions made while the model warms up (status warming_up: it has not yet "
                "learnt [model] warm_up labels of each class, and decides nothing)",
                self.warming_up,
            ),
            (
                "stream_imbal_alerts",
                "Predictions that flag their event as the minority class (the alert rate is "
                "rate(stream_imbal_alerts_total) / rate(stream_imbal_predictions_total))",
                self.alerts,
            ),
            ("stream_imbal_labels_joined", "Late labels joined to their event", self.labels_joined),
            ("stream_imbal_learned_events", "Labelled events learned", self.learned),
        )
        for name, documentation, value in counters:
            yield CounterMetricFamily(name, documentation, value=value)
        evicted = CounterMetricFamily(
            "stream_imbal_pending_evictions",
            "Events evicted from the pending-label store before their label came",
            labels=["reason"],
        )
        for reason, value in self.evicted.items():
            evicted.add_metric([reason], value)
        yield evicted
        cumulative = list(itertools.accumulate(self._latency_counts))
        bounds = [floatToGoString(bound) for bound in LATENCY_BUCKETS] + ["+Inf"]
        yield HistogramMetricFamily(
            "stream_imbal_processing_seconds",
            "Time to validate, score, produce and learn one message",
            buckets=list(zip(bounds, cumulative, strict=True)),
            sum_value=self._latency_sum,
        )


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        model = ["model"]  # "global", or "p<partition>" for per-partition models
        self.messages = MessageCounts()
        registry.register(self.messages)
        self.invalid = Counter(
            "stream_imbal_invalid_messages",
            "Messages sent to the dead-letter topic",
            ["topic"],
            registry=registry,
        )
        self.labels_unmatched = Counter(
            "stream_imbal_labels_unmatched",
            "Labels whose event never came, or had expired, before the label was given up",
            registry=registry,
        )
        self.pending = Gauge(
            "stream_imbal_pending_events",
            "Events waiting for a label",
            model,
            registry=registry,
        )
        self.missing = Counter(
            "stream_imbal_missing_values",
            "Missing values of known features, per feature (at most 100 names, the rest "
            "under '(other)')",
            ["feature"],
            registry=registry,
        )
        self.unknown = Counter(
            "stream_imbal_unknown_features",
            "Features not in the schema learnt from the first events, dropped from the input",
            registry=registry,
        )
        self.drift = Counter(
            "stream_imbal_drift_events", "Drift detections", ["kind"], registry=registry
        )
        self.prior = Gauge(
            "stream_imbal_minority_prior", "Estimated minority share", model, registry=registry
        )
        self.threshold = Gauge(
            "stream_imbal_threshold", "Decision threshold", model, registry=registry
        )
        self.gmean = Gauge(
            "stream_imbal_windowed_gmean",
            "G-mean over the recent labels",
            model,
            registry=registry,
        )
        self.minority_recall = Gauge(
            "stream_imbal_windowed_minority_recall",
            "Minority recall over the recent labels",
            model,
            registry=registry,
        )
        self.alert_rate = Gauge(
            "stream_imbal_windowed_alert_rate",
            "Share of the recent labelled events flagged as the minority class",
            model,
            registry=registry,
        )
        self.false_positive_rate = Gauge(
            "stream_imbal_windowed_false_positive_rate",
            "Share of the recent labelled majority events flagged as the minority class",
            model,
            registry=registry,
        )
        self.lag = Gauge(
            "stream_imbal_consumer_lag",
            "Messages behind the high watermark",
            ["topic", "partition"],
            registry=registry,
        )
        self.checkpoints = Counter(
            "stream_imbal_checkpoints", "Partition snapshots saved", registry=registry
        )
        self.broker_errors = Counter(
            "stream_imbal_broker_errors", "Kafka calls that failed (outages)", registry=registry
        )
        self.rewinds = Counter(
            "stream_imbal_rewinds",
            "Returns to the last checkpoint after an output was lost in an outage",
            registry=registry,
        )
        self.undeliverable = Counter(
            "stream_imbal_undeliverable_records",
            "Outputs refused for their own sake (too large, invalid) and given up, not retried",
            ["topic"],
            registry=registry,
        )
        self.timestamps_ahead = Counter(
            "stream_imbal_timestamps_too_far_ahead",
            "Messages sent to the dead-letter topic because their timestamp was too far ahead",
            ["topic"],
            registry=registry,
        )
        self.failures = Counter(
            "stream_imbal_message_failures",
            "Messages dead-lettered because handling them raised an unexpected error",
            ["stage", "error"],
            registry=registry,
        )
        self.rollbacks = Counter(
            "stream_imbal_rollbacks",
            "Partitions restored from their last snapshot after a message failed mid-way",
            registry=registry,
        )
        self.model_version = Gauge(
            "stream_imbal_model_version",
            "Events learnt by the model that scores (a scorer: of its latest snapshot)",
            registry=registry,
        )
        self.snapshots = Counter(
            "stream_imbal_model_snapshots",
            "Model snapshots published (a learner) or loaded (a scorer)",
            registry=registry,
        )
        self.snapshots_refused = Counter(
            "stream_imbal_model_snapshots_refused",
            "Model snapshots a scorer refused (not signed with its key, written by another "
            "stream-imbal version, or unreadable): it goes on with the model it has",
            registry=registry,
        )
        self.staleness_waits = Counter(
            "stream_imbal_staleness_waits",
            "Times a scorer waited for a fresher snapshot (its model too far behind an event)",
            registry=registry,
        )
        self.stale_predictions = Counter(
            "stream_imbal_stale_predictions",
            "Events scored by a model further behind than [scale] max_staleness_events, after "
            "waiting [scale] max_wait_seconds for a fresher one",
            registry=registry,
        )
        self.broker_up = Gauge(
            "stream_imbal_broker_up",
            "1 once the broker acknowledged our outputs or offsets, 0 after a failed Kafka call "
            "(a record refused for its content leaves it as it is)",
            registry=registry,
        )

    def count_missing(self, missing: tuple[str, ...], unknown: tuple[str, ...]) -> None:
        """Count an event's missing and unknown features (names bounded by the policy)."""
        for name in missing:
            self.missing.labels(name).inc()
        if unknown:
            self.unknown.inc(len(unknown))

    def serve(self, port: int, host: str = "127.0.0.1") -> None:
        """Expose /metrics on `host`:`port`."""
        start_http_server(port, addr=host, registry=self.registry)
