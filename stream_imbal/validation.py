"""Fast checks of events and labels, with specific error messages.

The fast path costs one C-level `sum` over the feature values: any non-numeric value raises
`TypeError` there and any NaN or infinity makes the sum non-finite. Only then is the event scanned
value by value to say exactly what is wrong.

>>> from stream_imbal.validation import check_features, check_label
>>> check_features({"amount": 12.5, "n_items": 3})
>>> check_features({"amount": float("nan")})
Traceback (most recent call last):
...
stream_imbal.exceptions.InvalidEventError: feature 'amount' is NaN
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

__all__ = ["check_features", "check_label"]


def check_features(x: Mapping) -> None:
    """Raise `InvalidEventError` unless `x` is a non-empty dict of finite numbers."""
    try:
        if x and math.isfinite(sum(x.values())):
            return
    except (TypeError, AttributeError):
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
        if math.isnan(value):
            raise InvalidEventError(f"feature {name!r} is NaN")
        if math.isinf(value):
            raise InvalidEventError(f"feature {name!r} is infinite ({value})")
    # Finite values whose sum overflowed to infinity are valid.


def check_label(y: object) -> None:
    """Raise `InvalidLabelError` unless `y` is a usable class label."""
    if y is None:
        raise InvalidLabelError("missing label (None): a label is required to learn")
    if isinstance(y, float) and math.isnan(y):
        raise InvalidLabelError("label is NaN")
    if not isinstance(y, Hashable):
        raise InvalidLabelError(f"label must be hashable (bool, int, str), got {type(y).__name__}")
