"""Fast checks of events and labels, with specific error messages.

A feature value must be a finite number of magnitude at most `MAX_ABS_FEATURE` (1e100). The
limit keeps every learner's arithmetic finite: a square or a product of two accepted values is
at most 1e200 and a sum of squares of a million of them at most 1e206, far below the largest
float (1.8e308), whereas a single 1e160 squared is already infinite and turns a standardised
model's probabilities into NaN (NaN minus infinity) for thousands of events. No real measurement
comes near 1e100; a value beyond it is a unit or parsing error, and is rejected rather than
silently clipped.

The fast path costs one C-level `math.hypot` over the feature values (the Euclidean norm,
computed without intermediate overflow): a non-numeric value raises `TypeError` there, an int
too large for a float `OverflowError`, and a NaN, an infinity or a value beyond the limit make
the norm exceed it. Only then is the event scanned value by value to say exactly what is wrong
(many values just below the limit can also take the slow path, which accepts them).

>>> from stream_imbal.validation import check_features, check_label
>>> check_features({"amount": 12.5, "n_items": 3})
>>> check_features({"amount": float("nan")})
Traceback (most recent call last):
...
stream_imbal.exceptions.InvalidEventError: feature 'amount' is NaN (a missing or empty value)
>>> check_features({"amount": None, "n_items": 3}, missing_ok=True)
>>> check_features({"x": 1e308})
Traceback (most recent call last):
...
stream_imbal.exceptions.InvalidEventError: feature 'x' is 1e+308, beyond the limit |x| <= 1e+100
>>> check_label(None)
Traceback (most recent call last):
...
stream_imbal.exceptions.InvalidLabelError: missing label (None): a label is required to learn

"""

from __future__ import annotations

import datetime
import math
import numbers
from collections.abc import Hashable, Mapping

from stream_imbal.exceptions import InvalidEventError, InvalidLabelError

__all__ = [
    "MAX_ABS_FEATURE",
    "MAX_ID_LENGTH",
    "MAX_INT",
    "MIN_INT",
    "check_features",
    "check_label",
    "event_id",
    "is_missing",
    "record_label",
    "timestamp_seconds",
]

MAX_ABS_FEATURE = 1e100
"""Largest accepted magnitude of a feature value (see the module's docstring)."""
MAX_ID_LENGTH = 1024
"""Longest accepted event id or string label, in characters."""
MIN_INT, MAX_INT = -(2**63), 2**63 - 1
"""The integer ids and labels accepted: those every output format holds exactly (JSON as orjson
writes it, Parquet's and pandas' int64)."""
MAX_EXACT_FLOAT = 2**53
"""Beyond this magnitude a float is not every integer, so a float id or label may already have
lost digits (a JSON number too large for 64 bits is read as a float)."""


def is_missing(value: object) -> bool:
    """Whether a feature value is missing: None, NaN or a blank string (an empty cell). What is
    then done with it is the policy of `stream_imbal.missing.MissingValues`.

    >>> [is_missing(v) for v in (None, float("nan"), " ", 0.0, "x")]
    [True, True, True, False, False]
    """
    return (
        value is None
        or (isinstance(value, float) and value != value)
        or (isinstance(value, str) and not value.strip())
    )


def check_features(x: Mapping, missing_ok: bool = False) -> None:
    """Raise `InvalidEventError` unless `x` is a non-empty dict of finite numbers, each of
    magnitude at most `MAX_ABS_FEATURE`, none of them named with the empty string; with
    `missing_ok`, a value may also be missing (`is_missing`), for the missing-value policy to
    handle."""
    try:
        # NaN compares False; a norm within the limit bounds every value.
        if x and "" not in x and math.hypot(*x.values()) <= MAX_ABS_FEATURE:
            return
    except (TypeError, AttributeError, OverflowError):
        pass
    _explain_bad_features(x, missing_ok)


def _explain_bad_features(x: object, missing_ok: bool) -> None:
    if not isinstance(x, Mapping):
        raise InvalidEventError(
            f"features must be a dict of name -> number, got {type(x).__name__}"
        )
    if not x:
        raise InvalidEventError("empty event: the feature dict has no features")
    if "" in x:
        raise InvalidEventError("a feature has an empty name")
    for name, value in x.items():
        if missing_ok and is_missing(value):
            continue
        if isinstance(value, str) or not isinstance(value, numbers.Real):
            raise InvalidEventError(
                f"feature {name!r} is not numeric: {value!r} ({type(value).__name__})"
            )
        # Compared exactly, before any conversion: float(10**400) overflows.
        if abs(value) <= MAX_ABS_FEATURE:
            continue
        if isinstance(value, numbers.Integral):
            shown = f"an integer of about 10**{math.log10(abs(int(value))):.0f}"
        else:
            try:
                value = float(value)
            except OverflowError:  # e.g. a Fraction beyond the float range
                value = math.inf
            if math.isnan(value):
                raise InvalidEventError(f"feature {name!r} is NaN (a missing or empty value)")
            if math.isinf(value):
                raise InvalidEventError(f"feature {name!r} is infinite ({value})")
            shown = repr(value)
        raise InvalidEventError(
            f"feature {name!r} is {shown}, beyond the limit |x| <= {MAX_ABS_FEATURE:g}"
        )
    # Values within the limit whose norm exceeds it are valid.


def check_label(y: object) -> None:
    """Raise `InvalidLabelError` unless `y` is a usable class label."""
    if y is None:
        raise InvalidLabelError("missing label (None): a label is required to learn")
    if isinstance(y, float) and math.isnan(y):
        raise InvalidLabelError("label is NaN")
    if not isinstance(y, Hashable):
        raise InvalidLabelError(f"label must be hashable (bool, int, str), got {type(y).__name__}")


def event_id(value: object) -> str | int:
    """An event id as every entry point accepts it, or `InvalidEventError`.

    A non-empty string (at most `MAX_ID_LENGTH` characters, valid Unicode) or an integer that
    every output format holds exactly (`MIN_INT` to `MAX_INT`, 64 bits); an integral float is
    that integer (an integer column with gaps reads as floats) up to 2**53, beyond which it may
    have lost digits. Missing (None, NaN, empty or blank), bool, other types, lone surrogates
    and larger integers are refused: send such an id as a string.

    >>> event_id("tx-1"), event_id(42), event_id(42.0)
    ('tx-1', 42, 42)
    >>> event_id(" ")
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.InvalidEventError: missing id
    >>> event_id(2**70)
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.InvalidEventError: id is an integer beyond 64 bits \
(1180591620717411303424), which JSON and Parquet outputs cannot hold exactly: send it as a string
    """
    if isinstance(value, str):
        if not value.strip():
            raise InvalidEventError("missing id")
        return _checked_text(value, "id", InvalidEventError)
    if isinstance(value, float) and math.isnan(value):
        raise InvalidEventError("missing id")
    if value is None:
        raise InvalidEventError("missing id")
    number = _exact_integer(value, "id", InvalidEventError)
    if number is None:
        raise InvalidEventError(f"id must be a string or an integer, got {_shown(value)}")
    return number


def record_label(value: object) -> Hashable | None:
    """A label as every entry point accepts it, None when missing, or `InvalidLabelError`.

    A bool, an integer (64 bits, as ids) or a non-empty string (at most `MAX_ID_LENGTH`
    characters, valid Unicode); an integral float is that integer (so `1.0` is the class `1`, as
    an integer column with gaps reads as floats). None, NaN and "" are missing; any other value
    is refused.

    >>> record_label(True), record_label(1.0), record_label("fraud"), record_label(float("nan"))
    (True, 1, 'fraud', None)
    >>> record_label(0.5)
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.InvalidLabelError: label must be a bool, an integer or a string, got 0.5
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _checked_text(value, "label", InvalidLabelError) if value else None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    number = _exact_integer(value, "label", InvalidLabelError)
    if number is None:
        raise InvalidLabelError(
            f"label must be a bool, an integer or a string, got {_shown(value)}"
        )
    return number


def _checked_text(value: str, what: str, error: type[Exception]) -> str:
    """`value` if at most `MAX_ID_LENGTH` characters of valid Unicode, else `error`."""
    if len(value) > MAX_ID_LENGTH:
        raise error(f"{what} of {len(value):,} characters > {MAX_ID_LENGTH:,}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise error(f"{what} is not valid Unicode: {_shown(value)}") from None
    return value


def _exact_integer(value: object, what: str, error: type[Exception]) -> int | None:
    """`value` as an int if it is an integer or an integral float every output holds exactly;
    `error` if it is one beyond that; None if it is no integer (nor bool)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if MIN_INT <= value <= MAX_INT:
            return value
        raise error(
            f"{what} is an integer beyond 64 bits ({_shown(value)}), which JSON and Parquet "
            "outputs cannot hold exactly: send it as a string"
        )
    if isinstance(value, float) and value.is_integer():
        if abs(value) <= MAX_EXACT_FLOAT:
            return int(value)
        raise error(
            f"{what} {value!r} is a float beyond 2**53, which may have lost digits (a JSON "
            "number beyond 64 bits is read as one): send it as a string"
        )
    return None


def _shown(value: object, limit: int = 80) -> str:
    """`repr(value)`, cut to `limit` characters (an integer of 10**6 digits is not printed)."""
    if isinstance(value, int) and value.bit_length() > 256:
        return f"an integer of about 10**{math.log10(abs(value)):.0f}"
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def timestamp_seconds(value: object) -> float:
    """An event or label time as epoch seconds, as every entry point reads it, or
    `InvalidEventError`.

    A finite number, or a string of one (as CSV cells are), is epoch seconds; another string is
    an ISO-8601 date-time (`2024-01-01T00:00:00Z`, `2024-01-01 01:00:00+01:00`), and a
    `datetime` is itself; without a time zone it is UTC.

    >>> timestamp_seconds(60), timestamp_seconds("60.5"), timestamp_seconds("1970-01-01T00:02:00Z")
    (60.0, 60.5, 120.0)
    >>> timestamp_seconds("1970-01-01 01:00+01:00"), timestamp_seconds("1970-01-01T00:00:30")
    (0.0, 30.0)
    >>> timestamp_seconds("yesterday")
    Traceback (most recent call last):
    ...
    stream_imbal.exceptions.InvalidEventError: not an ISO-8601 time: 'yesterday'
    """
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            seconds = float(value)
        except ValueError:
            seconds = math.nan
        if math.isfinite(seconds):
            return seconds
        try:
            moment = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidEventError(f"not an ISO-8601 time: {_shown(value)}") from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except OverflowError:  # an int beyond the float range
            seconds = math.inf
        if not math.isfinite(seconds):
            raise InvalidEventError(f"not a finite time in epoch seconds: {_shown(value)}")
        return seconds
    else:
        raise InvalidEventError(f"not epoch seconds nor an ISO-8601 time: {_shown(value)}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()
