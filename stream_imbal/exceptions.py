"""Errors raised by stream-imbal on bad input.

Every error is a `ValueError` subclass so callers that already guard against `ValueError` keep
working, and each names what was wrong and where.

"""

from __future__ import annotations

__all__ = ["StreamImbalError", "InvalidEventError", "InvalidLabelError", "ConfigError"]


class StreamImbalError(ValueError):
    """Base class of every error raised by stream-imbal about its input."""


class InvalidEventError(StreamImbalError):
    """A feature dict is empty, or holds a non-numeric, NaN or infinite value."""


class InvalidLabelError(StreamImbalError):
    """A label is missing (None), NaN or unhashable."""


class ConfigError(StreamImbalError):
    """A configuration, scenario file or command-line value is malformed."""
