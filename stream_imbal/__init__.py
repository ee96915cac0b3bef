"""stream-imbal: online classification of imbalanced, drifting event streams."""

from __future__ import annotations

from stream_imbal.classifier import OnlineImbalancedClassifier
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
__version__ = "0.1.0"
