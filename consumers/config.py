"""The service's configuration: a TOML file, then environment overrides, validated at start.

Every key has a safe default except the topic names. An environment variable
`STREAM_IMBAL__<SECTION>__<KEY>` overrides `[section] key` (e.g.
`STREAM_IMBAL__KAFKA__BOOTSTRAP_SERVERS=broker:9092`); `[kafka.security]` entries, passed
verbatim to kafka-python, are set as `STREAM_IMBAL__KAFKA__SECURITY__<OPTION>`.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import pathlib
import re
import tomllib
import typing
from collections.abc import Mapping
from typing import Any

from consumers.messages import MessageSchema
from stream_imbal.exceptions import ConfigError
from stream_imbal.join import JoinSettings
from stream_imbal.missing import POLICIES
from stream_imbal.presets import ModelSpec

__all__ = ["ENV_PREFIX", "ServiceConfig", "load_config"]

ENV_PREFIX = "STREAM_IMBAL__"
CHECKPOINT_STORES = ("directory", "kafka")
MODEL_SCOPES = ("global", "partition")
ROLES = ("both", "learner", "scorer")


@dataclasses.dataclass(frozen=True)
class KafkaSection:
    bootstrap_servers: str = "localhost:9092"
    group_id: str = "stream-imbal"
    # Static membership: a stable id per instance (e.g. its host name) lets a restarted
    # instance take its partitions back without a rebalance (Kafka 2.3+); "" for none.
    group_instance_id: str = ""
    client_id: str = "stream-imbal"
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 3_000
    max_poll_interval_ms: int = 300_000
    request_timeout_ms: int = 30_000
    bootstrap_timeout_ms: int = 30_000  # at start: how long to try to reach the brokers
    max_poll_records: int = 500
    poll_timeout_ms: int = 1_000
    # How long a fetch may wait for data: some brokers (Tansu) wait this long whenever one of
    # the partitions fetched (e.g. a quiet labels topic) has nothing new.
    fetch_max_wait_ms: int = 100
    linger_ms: int = 50  # predictions are batched this long: fewer sender wake-ups
    security: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class TopicsSection:
    events: str = ""
    predictions: str = ""
    dead_letters: str = ""
    labels: str = ""  # optional: labels that arrive after their event
    # one partition; the instance holding it in the learners' group learns ("" : <events>.model)
    model: str = ""

    @property
    def model_topic(self) -> str:
        return self.model or f"{self.events}.model"


@dataclasses.dataclass(frozen=True)
class LabelsSection(JoinSettings):
    """The join of events and labels, with replay's settings and defaults (`JoinSettings`), and
    how the labels topic is read."""

    # labels ahead of their events wait while the events keep coming; after this long without
    # events they are read anyway
    max_idle_ms: int = 1_000


@dataclasses.dataclass(frozen=True)
class CheckpointSection:
    store: str = "directory"
    directory: str = "checkpoints"
    topic: str = "stream-imbal-checkpoints"
    every_events: int = 10_000
    every_seconds: float = 30.0
    # at most this share of the time goes to checkpoints: after one that took d seconds, the
    # next waits at least d / max_time_share seconds, whatever every_events and every_seconds
    # say (a full pending store makes a checkpoint tens of MB)
    max_time_share: float = 0.05
    key_env: str = "STREAM_IMBAL_CHECKPOINT_KEY"
    max_chunk_bytes: int = 900_000


@dataclasses.dataclass(frozen=True)
class ModelSection(ModelSpec):
    """The model specification (`stream_imbal.presets.ModelSpec`, its keys and their checks):
    a preset and, optionally, parts replaced, seeded `seed`; and its scope: one model learns
    every partition ("global"), or each partition has its own ("partition", seeded
    `seed + partition`).
    """

    seed: int = 0
    scope: str = "global"
    # a model file (`evaluate/replay --save-model`) to start from when there is no checkpoint
    init: str = ""
    # an event missing known features: "impute" (fill them in), "skip" or "error" (both send
    # it to the dead letters: the service does not stop for one event); see stream_imbal.missing
    missing: str = "impute"

    @property
    def spec(self) -> ModelSpec:
        """The specification alone, without the service's keys."""
        return ModelSpec(**{f.name: getattr(self, f.name) for f in dataclasses.fields(ModelSpec)})


@dataclasses.dataclass(frozen=True)
class ScaleSection:
    """Who does what. "both": one instance learns every label and scores every event (others
    stand by). For more throughput: one "learner" (it publishes its model to the model topic
    every `snapshot_every_events` events learnt or `snapshot_every_seconds`) and any number of
    "scorer"s, which share the events partitions out and score with the latest snapshot."""

    role: str = "both"
    snapshot_every_events: int = 1_000
    snapshot_every_seconds: float = 1.0
    # A scorer waits for a fresher snapshot rather than score an event with a model that lacks
    # more than this many events the learner has learnt ...
    max_staleness_examples: int = 1_000
    # ... or while the learner has yet to read more than this many events before it in its
    # partition (on a backlog, the scorers outrun the learner) ...
    max_staleness_events: int = 1_000
    # ... but no longer than this (a learner down or restarting): then it scores with the model
    # in hand (counted in stream_imbal_stale_predictions_total).
    max_wait_seconds: float = 5.0


@dataclasses.dataclass(frozen=True)
class MetricsSection:
    port: int = 9100  # 0: no /metrics endpoint
    host: str = "127.0.0.1"  # the address /metrics binds: "0.0.0.0" for every interface
    window: int = 1_000


@dataclasses.dataclass(frozen=True)
class LoggingSection:
    level: str = "INFO"
    json: bool = False
    # kafka-python's own loggers: it logs every failed retry at ERROR, while the service says
    # once, in its own line, what an outage means; "WARNING" or "DEBUG" shows the client's
    client_level: str = "CRITICAL"


@dataclasses.dataclass(frozen=True)
class ServiceConfig:
    kafka: KafkaSection = KafkaSection()
    topics: TopicsSection = TopicsSection()
    schema: MessageSchema = MessageSchema()
    labels: LabelsSection = LabelsSection()
    checkpoint: CheckpointSection = CheckpointSection()
    model: ModelSection = ModelSection()
    scale: ScaleSection = ScaleSection()
    metrics: MetricsSection = MetricsSection()
    logging: LoggingSection = LoggingSection()

    def __post_init__(self) -> None:
        for name in ("events", "predictions", "dead_letters"):
            if not getattr(self.topics, name):
                raise ConfigError(f"[topics] {name}: a topic name is required")
        if self.model.missing not in POLICIES:
            raise ConfigError(f"[model] missing: {self.model.missing!r} is not one of {POLICIES}")
        if self.model.scope not in MODEL_SCOPES:
            raise ConfigError(f"[model] scope: {self.model.scope!r} is not one of {MODEL_SCOPES}")
        if self.scale.role not in ROLES:
            raise ConfigError(f"[scale] role: {self.scale.role!r} is not one of {ROLES}")
        if self.scale.role != "both" and self.model.scope != "global":
            raise ConfigError(
                f"[scale] role = {self.scale.role!r} needs [model] scope = 'global': per-partition "
                "models are learnt and scored where their partition is read (role 'both')"
            )
        if self.checkpoint.store not in CHECKPOINT_STORES:
            raise ConfigError(
                f"[checkpoint] store: {self.checkpoint.store!r} is not one of {CHECKPOINT_STORES}"
            )
        positive = {
            "[checkpoint] every_events": self.checkpoint.every_events,
            "[checkpoint] every_seconds": self.checkpoint.every_seconds,
            "[checkpoint] max_chunk_bytes": self.checkpoint.max_chunk_bytes,
            "[labels] pending_max": self.labels.pending_max,
            "[labels] pending_ttl_seconds": self.labels.pending_ttl_seconds,
            "[labels] early_max": self.labels.early_max,
            "[labels] max_idle_ms": self.labels.max_idle_ms,
            "[kafka] max_poll_records": self.kafka.max_poll_records,
            "[metrics] window": self.metrics.window,
            "[scale] snapshot_every_events": self.scale.snapshot_every_events,
            "[scale] snapshot_every_seconds": self.scale.snapshot_every_seconds,
            "[scale] max_staleness_events": self.scale.max_staleness_events,
            "[scale] max_staleness_examples": self.scale.max_staleness_examples,
            "[schema] max_message_bytes": self.schema.max_message_bytes,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ConfigError(f"{name} must be positive, got {value}")
        if not 0 < self.checkpoint.max_time_share <= 1:
            raise ConfigError(
                "[checkpoint] max_time_share must be in (0, 1] (0.05: at most 5% of the time "
                f"goes to checkpoints), got {self.checkpoint.max_time_share}"
            )
        for name in ("max_ahead_of_stream_seconds", "max_ahead_of_wall_clock_seconds"):
            if not getattr(self.labels, name) >= 0:
                raise ConfigError(
                    f"[labels] {name} must be >= 0 (0: no limit), got {getattr(self.labels, name)}"
                )
        if not 0 <= self.metrics.port <= 65535:
            raise ConfigError(f"[metrics] port must be 0..65535, got {self.metrics.port}")
        for name in ("level", "client_level"):
            value = getattr(self.logging, name)
            if value.upper() not in LOG_LEVELS:
                raise ConfigError(f"[logging] {name} must be one of {LOG_LEVELS}, got {value!r}")
        if not self.scale.max_wait_seconds >= 0:
            raise ConfigError(
                f"[scale] max_wait_seconds must be >= 0, got {self.scale.max_wait_seconds}"
            )
        if not _is_host(self.metrics.host):
            raise ConfigError(
                "[metrics] host must be an address or host name to bind (127.0.0.1: this "
                f"machine only, 0.0.0.0: every interface), got {self.metrics.host!r}"
            )

    @property
    def topic_names(self) -> list[str]:
        """The input topics: events, and labels if configured (a scorer reads only events)."""
        if self.scale.role == "scorer":
            return [self.topics.events]
        return [t for t in (self.topics.events, self.topics.labels) if t]


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
HOST_NAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9-]{1,63})*$")


def _is_host(host: str) -> bool:
    """Whether `host` is an IP address or a host name."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(HOST_NAME.match(host))
    return True


def _coerce(value: Any, kind: type, where: str) -> Any:
    if kind is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a table, got {type(value).__name__}")
        return value
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        raise ConfigError(f"{where} must be {kind.__name__}, got {type(value).__name__} {value!r}")
    return value


def _from_env_text(text: str, kind: type, where: str) -> Any:
    try:
        if kind is bool:
            if text.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(text)
            return text.lower() in ("1", "true", "yes")
        return kind(text)
    except ValueError:
        raise ConfigError(f"{where} must be {kind.__name__}, got {text!r}") from None


def _section(cls: type, values: Mapping[str, Any], name: str) -> Any:
    hints = typing.get_type_hints(cls)
    unknown = set(values) - set(hints)
    if unknown:
        raise ConfigError(f"[{name}] unknown key(s) {sorted(unknown)}; known keys: {sorted(hints)}")
    return cls(**{k: _coerce(v, hints[k], f"[{name}] {k}") for k, v in values.items()})


def _environment_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    sections = typing.get_type_hints(ServiceConfig)
    overrides: dict[str, dict[str, Any]] = {}
    for variable, text in environ.items():
        if not variable.startswith(ENV_PREFIX):
            continue
        path = variable[len(ENV_PREFIX) :].lower().split("__")
        section = path[0]
        if section not in sections or len(path) < 2:
            raise ConfigError(f"environment variable {variable}: no such setting")
        if section == "kafka" and path[1] == "security" and len(path) == 3:
            overrides.setdefault("kafka", {}).setdefault("security", {})[path[2]] = text
            continue
        hints = typing.get_type_hints(sections[section])
        key = "__".join(path[1:])
        if key not in hints or hints[key] is dict:
            raise ConfigError(f"environment variable {variable}: no setting [{section}] {key}")
        overrides.setdefault(section, {})[key] = _from_env_text(text, hints[key], variable)
    return overrides


def load_config(
    path: str | pathlib.Path | None = None, environ: Mapping[str, str] | None = None
) -> ServiceConfig:
    """Read the TOML file at `path` (if any), apply the environment overrides, validate.

    >>> config = load_config(environ={
    ...     "STREAM_IMBAL__TOPICS__EVENTS": "payments",
    ...     "STREAM_IMBAL__TOPICS__PREDICTIONS": "scores",
    ...     "STREAM_IMBAL__TOPICS__DEAD_LETTERS": "payments-dlq",
    ...     "STREAM_IMBAL__CHECKPOINT__EVERY_EVENTS": "5000",
    ... })
    >>> config.topics.events, config.checkpoint.every_events
    ('payments', 5000)
    >>> load_config(environ={"STREAM_IMBAL__TOPICS__EVENT": "x"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.ConfigError: ...STREAM_IMBAL__TOPICS__EVENT: no setting [topics] event

    """
    raw: dict[str, Any] = {}
    if path is not None:
        path = pathlib.Path(path)
        try:
            raw = tomllib.loads(path.read_text())
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such configuration file") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: not valid TOML: {error}") from None
    sections = typing.get_type_hints(ServiceConfig)
    unknown = set(raw) - set(sections)
    if unknown:
        raise ConfigError(f"unknown section(s) {sorted(unknown)}; known: {sorted(sections)}")
    for name, value in raw.items():
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table, got {type(value).__name__}")
    for name, values in _environment_overrides(os.environ if environ is None else environ).items():
        merged = raw.setdefault(name, {})
        if "security" in values:
            merged["security"] = {**merged.get("security", {}), **values.pop("security")}
        merged.update(values)
    return ServiceConfig(**{n: _section(sections[n], raw.get(n, {}), n) for n in sections})
