"""stream-imbal: online classification of imbalanced, drifting event streams."""

from __future__ import annotations

from stream_imbal.exceptions import (
    ConfigError,
    InvalidEventError,
    InvalidLabelError,
    StreamImbalError,
)

__all__ = [
    "ConfigError",
    "InvalidEventError",
    "InvalidLabelError",
    "OnlineImbalancedClassifier",
    "StreamImbalError",
]
__version__ = "0.1.1"


def __getattr__(name: str):
    # Imported on first use: river takes seconds to import, which `stream-imbal --help` and the
    # Kafka-free tools should not pay.
    if name == "OnlineImbalancedClassifier":
        from stream_imbal.classifier import OnlineImbalancedClassifier

        return OnlineImbalancedClassifier
    raise AttributeError(f"module 'stream_imbal' has no attribute {name!r}")
