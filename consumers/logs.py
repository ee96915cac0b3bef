"""Log set-up: plain lines, or one JSON object per line (`[logging] json = true`).

Structured fields travel in `extra={"fields": {...}}` and show in both formats.
"""

from __future__ import annotations

import datetime
import logging

import orjson

__all__ = ["configure_logging"]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        try:
            return orjson.dumps(line, default=str).decode()
        except TypeError:  # a field keyed by other than str, such as (topic, partition)
            return orjson.dumps(_text_keys(line), default=str).decode()


def _text_keys(value: object) -> object:
    """`value` with every dict key made text: a tuple key's items joined by ":"."""
    if isinstance(value, dict):
        return {_key_text(k): _text_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_text_keys(v) for v in value]
    return value


def _key_text(key: object) -> str:
    return ":".join(map(str, key)) if isinstance(key, tuple) else str(key)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        text = super().format(record)
        return text + "".join(f" {k}={v}" for k, v in fields.items())


def configure_logging(level: str, json: bool, client_level: str = "CRITICAL") -> None:
    """Log at `level`, as JSON lines or plain ones; the Kafka client's loggers at
    `client_level` or above (and never below `level`)."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if json else PlainFormatter("%(asctime)s %(levelname)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    client = logging.getLevelName(client_level.upper())
    logging.getLogger("kafka").setLevel(max(client, root.level))
