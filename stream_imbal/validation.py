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

import math
import numbers
from collections.abc import Hashable, Mapping

from stream_imbal.exceptions import InvalidEventError, InvalidLabelError

__all__ = ["MAX_ABS_FEATURE", "check_features", "check_label"]

MAX_ABS_FEATURE = 1e100
"""Largest accepted magnitude of a feature value (see the module's docstring)."""


def check_features(x: Mapping) -> None:
    """Raise `InvalidEventError` unless `x` is a non-empty dict of finite numbers, each of
    magnitude at most `MAX_ABS_FEATURE`."""
    try:
        # NaN compares False; a norm within the limit bounds every value.
        if x and math.hypot(*x.values()) <= MAX_ABS_FEATURE:
            return
    except (TypeError, AttributeError, OverflowError):
        pass
    _explain_bad_features(x)


def _explain_bad_features(x: object) -> None:
    if not isinstance(x, Mapping):
        raise InvalidEventError(
            f"features must be a dict of name -> number, got {type(x).__name__}"
        )
    if not x:
        raise InvalidEventError("empty event: the feature dict has no features")
    for name, value in x.items():
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
