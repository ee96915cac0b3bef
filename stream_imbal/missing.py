"""Missing values: the one policy for an event that lacks some of its features, or carries
features nobody knows, whether it comes from a file, a topic or a Python call.

An event's *known* features are its schema: given (a file's feature columns), or else the names
seen in the first `settle` events. A known feature is *missing* when its key is absent or its
value is None, NaN or a blank string (an empty cell). The policy says what then happens:

- `impute` (the default): the missing value is filled with the feature's running mean over the
  values observed, and a missing indicator `<name>__missing` is set to 1.0. From the first time
  a feature is missing, its indicator is in every event, 0.0 when the value is there, so that a
  standardising linear model sees it vary (a feature always 1.0 when present scales to 0) and a
  tree can split on it; a stream without missing values gets no indicator and is unchanged;
- `skip`: the event is refused (`MissingValueError`) and counted: a row of a file is skipped,
  a message goes to the dead letters;
- `error`: the same refusal stops a run (in the service, which never stops for one message, it
  is a dead letter too).

A feature not in the schema once it has settled is *unknown*: it is dropped from the model's
input and counted, so that a producer sending another data set cannot silently feed the model
features it has never seen. Counts are kept per feature name, for at most `max_named` names
(the rest are added up under `"(other)"`), so that hostile names cannot grow them without bound.

**Why a plain running mean.** The model's standardisation (`ClippedStandardScaler`) centres each
feature on its running mean, without forgetting: a value filled with the same mean scales to 0,
so it adds nothing to a linear model's score and the indicator alone says that it was missing.
A decayed mean would drift away from the scaler's and push the score of every incomplete event
one way.

**Schema change.** An event is *off the schema* when it carries an unknown feature or misses
more than half of the known ones. When the share of such events over the last `window` events
reaches `alarm_share`, `schema_changed` is set for that event and a drift event of kind `schema`
is recorded, once, until the share falls below half of `alarm_share` again.

>>> from stream_imbal.missing import MissingValues
>>> missing = MissingValues(features=["amount", "hour"])
>>> missing.prepare({"amount": 10.0, "hour": 3.0})
{'amount': 10.0, 'hour': 3.0}
>>> missing.prepare({"amount": 30.0, "hour": None})
{'amount': 30.0, 'hour': 3.0, 'hour__missing': 1.0}
>>> missing.prepare({"amount": 5.0, "hour": 1.0, "country": 7.0})  # unknown: dropped
{'amount': 5.0, 'hour': 1.0, 'hour__missing': 0.0}
>>> missing.missing_counts, missing.unknown_counts
({'hour': 1}, {'country': 1})
>>> MissingValues("skip", features=["amount"]).prepare({"amount": float("nan")})
Traceback (most recent call last):
...
stream_imbal.missing.MissingValueError: feature 'amount' is missing (missing values: 'skip'; \
'impute' fills them in)

"""

from __future__ import annotations

import collections
import copy
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from stream_imbal.exceptions import ConfigError, InvalidEventError

if TYPE_CHECKING:
    from stream_imbal.drift.events import DriftEvent

__all__ = [
    "INDICATOR_SUFFIX",
    "OTHER",
    "POLICIES",
    "MissingValueError",
    "MissingValues",
    "describe_counts",
]

POLICIES = ("impute", "skip", "error")
INDICATOR_SUFFIX = "__missing"
BATCH = 256  # complete events whose values are added to the sums at once
OTHER = "(other)"
"""The name under which features beyond the `max_named` first are counted."""


class MissingValueError(InvalidEventError):
    """An event refused by the `skip` or `error` policy; `missing` names its missing features
    as they are counted (`MissingValues.last_missing`)."""

    def __init__(self, message: str, missing: tuple[str, ...]) -> None:
        super().__init__(message)
        self.missing = missing


class MissingValues:
    """Check, count and fill in an event's missing features (see the module).

    Parameters
    ----------
    policy
        `"impute"`, `"skip"` or `"error"`.
    features
        The known features; empty: the names seen in the first `settle` events.
    settle
        Events whose feature names make the schema when `features` is not given.
    window
        Events over which the share of events off the schema is watched.
    alarm_share
        Share of events off the schema, over `window`, that reports a schema change.
    max_named
        Distinct feature names counted by name (also the most names learnt into the schema is
        `100 * max_named`); further names are counted under `"(other)"`.

    Attributes
    ----------
    missing_counts, unknown_counts
        Missing values and unknown features seen, per feature name.
    skipped
        Events refused by the `skip` or `error` policy.
    schema_changed
        Whether the last event prepared reported a schema change.
    drift_events
        The schema changes reported, as `DriftEvent`s of kind `schema`.
    last_missing, last_unknown
        The (counted) names of the last event's missing and unknown features.

    """

    def __init__(
        self,
        policy: str = "impute",
        features: Iterable[str] = (),
        settle: int = 100,
        window: int = 200,
        alarm_share: float = 0.5,
        max_named: int = 100,
    ) -> None:
        if policy not in POLICIES:
            raise ConfigError(f"missing-value policy must be one of {POLICIES}, got {policy!r}")
        if not 0 < alarm_share <= 1:
            raise ConfigError(f"alarm_share must be in (0, 1], got {alarm_share}")
        self.policy = policy
        self.features = tuple(features)
        self.settle = settle
        self.window = window
        self.alarm_share = alarm_share
        self.max_named = max_named
        # known feature -> its position in the sums and counts of its observed values
        self._known: dict[str, int] = {name: i for i, name in enumerate(self.features)}
        self._seen = 0  # events prepared
        self._order = tuple(self._known)  # the names in order: an event in it is read fast
        self._sums = [0.0] * len(self._known)  # of the values observed
        self._counts = [0] * len(self._known)
        self._batch: list[list] = []  # values of complete events, not in the sums yet
        self._indicated: dict[str, str] = {}  # feature -> its indicator, once it was missing
        self._present: dict[str, float] = {}  # every indicator at 0.0
        self._recent: collections.deque[bool] = collections.deque()  # off the schema?
        self._off = 0  # events off the schema in `_recent`
        self._alarmed = False
        self.missing_counts: dict[str, int] = {}
        self.unknown_counts: dict[str, int] = {}
        self.skipped = 0
        self.schema_changed = False
        self.drift_events: list[DriftEvent] = []
        self.last_missing: tuple[str, ...] = ()
        self.last_unknown: tuple[str, ...] = ()

    @classmethod
    def resumed(cls, previous: MissingValues | None, policy: str) -> MissingValues:
        """A new `policy`, or one that goes on from `previous` (a model file's): its schema and
        feature means kept, under `policy`, its counts started again for a new run."""
        if previous is None:
            return cls(policy)
        resumed = copy.deepcopy(previous)
        fresh = cls(policy)
        resumed.policy = policy
        for counted in ("missing_counts", "unknown_counts", "skipped", "drift_events"):
            setattr(resumed, counted, getattr(fresh, counted))
        return resumed

    @property
    def settled(self) -> bool:
        """Whether the schema is fixed: given, or learnt from `settle` events."""
        return bool(self.features) or self._seen >= self.settle

    @property
    def known(self) -> list[str]:
        """The known features (the schema so far)."""
        return list(self._known)

    def prepare(self, x: Mapping, index: int = 0) -> dict:
        """The model's input for the event `x` (checked by `check_features(x, missing_ok=True)`),
        by the policy; `MissingValueError` when the policy refuses it. `index` is the number of
        labelled events learnt so far, that of a schema change reported now."""
        if not self.settled:
            self._learn_names(x)
        self._seen += 1
        in_order = tuple(x) == self._order
        values = list(x.values()) if in_order else list(map(x.get, self._known))
        try:  # one C-level pass: None or a blank string raise, a NaN makes the sum NaN
            total = sum(values)
            complete = total == total and len(x) == len(values)
        except TypeError:
            complete = False
        if not complete:
            return self._incomplete(x, values, index)
        # every known feature there, and nothing else: the common case, kept cheap
        self._batch.append(values)
        if len(self._batch) == BATCH:
            self._flush()
        self.last_missing = self.last_unknown = ()
        self._watch(False, index)
        if not self._indicated:
            return x if isinstance(x, dict) else dict(x)
        return {**x, **self._present}

    def _incomplete(self, x: Mapping, values: list, index: int) -> dict:
        """`prepare` for an event with missing or unknown features."""
        self._flush()
        known, sums, counts = self._known, self._sums, self._counts
        missing = []
        for i, (name, value) in enumerate(zip(known, values, strict=True)):
            # `check_features(x, missing_ok=True)` left no other string than a blank one
            if value is None or value != value or value.__class__ is str:
                missing.append(name)
            else:
                sums[i] += value
                counts[i] += 1
        unknown = [name for name in x if name not in known]
        self.last_missing = self._count(self.missing_counts, missing)
        self.last_unknown = self._count(self.unknown_counts, unknown)
        self._watch(bool(unknown) or 2 * len(missing) > len(known), index)
        if missing and self.policy != "impute":
            self.skipped += 1
            raise MissingValueError(
                f"feature {missing[0]!r} is missing (missing values: {self.policy!r}; 'impute' "
                "fills them in)",
                self.last_missing,
            )
        out = {name: x[name] for name in known if name in x and name not in missing}
        for name in missing:
            i = known[name]
            out[name] = sums[i] / counts[i] if counts[i] else 0.0
            if name not in self._indicated:
                self._indicated[name] = indicator = name + INDICATOR_SUFFIX
                self._present[indicator] = 0.0
        for name, indicator in self._indicated.items():
            out[indicator] = 1.0 if name in missing else 0.0
        return out

    def _flush(self) -> None:
        """Add the values of the complete events held in `_batch` to the sums, in one pass."""
        batch = self._batch
        if not batch:
            return
        column_sums = np.array(batch, dtype=float).sum(axis=0).tolist()
        self._sums = [a + b for a, b in zip(self._sums, column_sums, strict=True)]
        self._counts = [n + len(batch) for n in self._counts]
        batch.clear()

    def _learn_names(self, x: Mapping) -> None:
        """Add the names of `x` to the schema being learnt (at most `100 * max_named`)."""
        known = self._known
        new = [name for name in x if name not in known][: 100 * self.max_named - len(known)]
        if not new:
            return
        self._flush()  # its rows have the features known so far
        for name in new:
            known[name] = len(known)
            self._sums.append(0.0)
            self._counts.append(0)
        self._order = tuple(known)

    def summary(self) -> dict:
        """The counts, for a run's summary: `missing_values` and `unknown_features` per
        feature, `skipped_missing` events and `schema_changes`."""
        return {
            "missing_values": dict(self.missing_counts),
            "unknown_features": dict(self.unknown_counts),
            "skipped_missing": self.skipped,
            "schema_changes": len(self.drift_events),
        }

    def _count(self, counts: dict[str, int], names: list[str]) -> tuple[str, ...]:
        """Count `names`, those beyond the `max_named` first under `OTHER`; the names counted."""
        counted = []
        for name in names:
            if name not in counts and len(counts) >= self.max_named:
                name = OTHER
            counts[name] = counts.get(name, 0) + 1
            counted.append(name)
        return tuple(counted)

    def _watch(self, off: bool, index: int) -> None:
        """Track the share of events off the schema; set `schema_changed` when it jumps."""
        self.schema_changed = False
        if not self.settled:
            return
        recent = self._recent
        recent.append(off)
        self._off += off
        if len(recent) > self.window:
            self._off -= recent.popleft()
        share = self._off / self.window
        if not self._alarmed and len(recent) == self.window and share >= self.alarm_share:
            self._alarmed = self.schema_changed = True
            self.drift_events.append(_schema_event(index, f"MissingValues(window={self.window})"))
        elif self._alarmed and share < self.alarm_share / 2:
            self._alarmed = False


def describe_counts(counts: dict[str, int], shown: int = 5) -> str:
    """Counts per feature in one line: the total, and the `shown` largest by name.

    >>> describe_counts({"a": 3, "b": 9, "c": 1}, shown=2)
    '13 in 3 features (b: 9, a: 3, ...)'
    """
    if not counts:
        return "none"
    top = sorted(counts.items(), key=lambda item: -item[1])[:shown]
    names = ", ".join(f"{name}: {n:,}" for name, n in top)
    more = ", ..." if len(counts) > shown else ""
    return f"{sum(counts.values()):,} in {len(counts)} features ({names}{more})"


def _schema_event(index: int, detector: str) -> DriftEvent:
    # imported here: `stream_imbal.drift` loads river, which a command checking its input
    # before it builds a model must not pay for
    from stream_imbal.drift.events import SCHEMA, DriftEvent

    return DriftEvent(index, SCHEMA, detector)
