"""The JSON messages the service reads and writes, and why a message is refused.

Events: `{"id": ..., "ts": ..., "features": {name: number, ...}, "label": optional}`; a feature
may be missing (absent, null or "": `[model] missing` says what happens then).
Labels: `{"id": ..., "label": ..., "ts": ...}`. Field names come from `MessageSchema`. An id
is a string or an integer; `ts` is epoch seconds (a number) or an ISO-8601 string, and when
absent the Kafka record's timestamp is used; a label is a bool, an integer or a string.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import math
from collections.abc import Hashable
from typing import Any

import orjson

from stream_imbal.exceptions import InvalidEventError, InvalidLabelError
from stream_imbal.online import Event, Label
from stream_imbal.validation import check_features, event_id, record_label, timestamp_seconds

__all__ = [
    "BadMessage",
    "Event",
    "Label",
    "MessageSchema",
    "dead_letter",
    "decode_event",
    "decode_label",
    "short_reason",
    "encode_event",
    "encode_label",
]


class BadMessage(ValueError):
    """A message that cannot be processed; `str(error)` is the reason sent with the dead letter."""


@dataclasses.dataclass(frozen=True)
class MessageSchema:
    id_field: str = "id"
    ts_field: str = "ts"
    features_field: str = "features"
    label_field: str = "label"
    max_message_bytes: int = 1_000_000
    max_features: int = 10_000


def _load(value: bytes | None, schema: MessageSchema) -> dict[str, Any]:
    if value is None:
        raise BadMessage("empty message (null value)")
    if len(value) > schema.max_message_bytes:
        raise BadMessage(
            f"message too large: {len(value)} bytes > max_message_bytes={schema.max_message_bytes}"
        )
    try:
        body = orjson.loads(value)
    except orjson.JSONDecodeError as error:
        raise BadMessage(f"not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise BadMessage(f"expected a JSON object, got {type(body).__name__}")
    return body


def _event_id(body: dict, schema: MessageSchema) -> str | int:
    if schema.id_field not in body:
        raise BadMessage(f"missing field {schema.id_field!r}")
    try:
        return event_id(body[schema.id_field])
    except InvalidEventError as error:
        raise BadMessage(f"field {schema.id_field!r}: {error}") from None


def _timestamp(body: dict, schema: MessageSchema, record_ts: float) -> float:
    ts = body.get(schema.ts_field)
    if ts is None:
        return record_ts
    try:
        return timestamp_seconds(ts)
    except InvalidEventError as error:
        raise BadMessage(f"field {schema.ts_field!r}: {error}") from None


def _label(value: object, schema: MessageSchema) -> Hashable | None:
    try:
        return record_label(value)
    except InvalidLabelError as error:
        raise BadMessage(f"field {schema.label_field!r}: {error}") from None


def _features(body: dict, schema: MessageSchema) -> dict[str, float]:
    features = body.get(schema.features_field)
    if features is None:
        raise BadMessage(f"missing field {schema.features_field!r}")
    if not isinstance(features, dict):
        raise BadMessage(
            f"field {schema.features_field!r} must be an object of name -> number, "
            f"got {type(features).__name__}"
        )
    if not features:
        raise BadMessage(f"field {schema.features_field!r} is empty")
    if len(features) > schema.max_features:
        raise BadMessage(f"{len(features)} features > max_features={schema.max_features}")
    try:
        # the library's one rule; missing values are the policy's (`stream_imbal.missing`)
        check_features(features, missing_ok=True)
    except InvalidEventError as error:
        raise BadMessage(str(error)) from None
    return features


def decode_event(value: bytes | None, schema: MessageSchema, record_ts: float) -> Event:
    """Parse and check an event message; raises `BadMessage` with the reason."""
    body = _load(value, schema)
    return Event(
        event_id=_event_id(body, schema),
        ts=_timestamp(body, schema, record_ts),
        features=_features(body, schema),
        label=_label(body.get(schema.label_field), schema),
    )


def decode_label(value: bytes | None, schema: MessageSchema, record_ts: float) -> Label:
    """Parse and check a label message; raises `BadMessage` with the reason."""
    body = _load(value, schema)
    label = _label(body.get(schema.label_field), schema)
    if label is None:
        raise BadMessage(f"missing field {schema.label_field!r}")
    return Label(
        event_id=_event_id(body, schema),
        label=label,
        ts=_timestamp(body, schema, record_ts),
    )


def encode_event(
    event_id: str | int,
    ts: float,
    features: dict[str, float],
    label: Hashable | None = None,
    schema: MessageSchema = MessageSchema(),
) -> bytes:
    body = {schema.id_field: event_id, schema.ts_field: ts, schema.features_field: features}
    if label is not None:
        body[schema.label_field] = label
    return orjson.dumps(body)


def encode_label(
    event_id: str | int, label: Hashable, ts: float, schema: MessageSchema = MessageSchema()
) -> bytes:
    return orjson.dumps({schema.id_field: event_id, schema.label_field: label, schema.ts_field: ts})


MAX_REASON_CHARS = 2_000  # a reason may quote the offending value: keep the letter small


def short_reason(reason: str) -> str:
    """`reason`, cut to `MAX_REASON_CHARS` characters (saying how long it was)."""
    if len(reason) <= MAX_REASON_CHARS:
        return reason
    return f"{reason[:MAX_REASON_CHARS]}... ({len(reason)} characters)"


def dead_letter(
    value: bytes | None,
    topic: str,
    partition: int,
    offset: int,
    reason: str,
    max_bytes: int | None = None,
) -> bytes:
    """The dead-letter message: the original bytes (base64), where they came from, and why.

    With `max_bytes`, a message that would be larger keeps only a prefix of the original bytes
    (`"truncated": true`; `value_bytes` is always the original size), so that a large invalid
    message still gets a dead letter the producer and the broker accept.

    >>> import orjson
    >>> letter = orjson.loads(dead_letter(b"x" * 5000, "events", 0, 7, "not valid JSON", 1000))
    >>> letter["truncated"], letter["value_bytes"], len(letter["value_base64"]) < 1000
    (True, 5000, True)
    >>> orjson.loads(dead_letter(b"{}", "events", 0, 8, "missing field 'id'"))["truncated"]
    False
    """
    letter = {
        "reason": short_reason(reason),
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "value_base64": None if value is None else "",
        "value_bytes": None if value is None else len(value),
        "truncated": False,
        "failed_at": datetime.datetime.now(datetime.UTC).isoformat(),
    }
    if value is None:
        return orjson.dumps(letter)
    keep = len(value)
    if max_bytes is not None:
        room = max_bytes - len(orjson.dumps({**letter, "truncated": True}))
        if 4 * math.ceil(keep / 3) > room:  # base64: 4 characters per 3 bytes
            keep = max(room, 0) // 4 * 3
            letter["truncated"] = True
    letter["value_base64"] = base64.b64encode(value[:keep]).decode("ascii")
    return orjson.dumps(letter)
