"""A change of concept at a chosen position of a simulated stream."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Iterator

from stream_imbal.exceptions import ConfigError
from stream_imbal.simulation._checks import is_int
from stream_imbal.simulation.concepts import Margin

__all__ = ["Drift", "KINDS", "MovingBoundary"]

KINDS = ("abrupt", "gradual", "incremental")


@dataclasses.dataclass(frozen=True)
class Drift:
    """The replacement of one concept by the next around a position of the stream.

    - `"abrupt"`: events from `position` on (0-based) come from the new concept.
    - `"gradual"`: each event comes from the new concept with probability
      `1 / (1 + exp(-4 (t - position) / width))`, the sigmoid of river's `ConceptDriftStream`
      (12% at `position - width / 2`, 50% at `position`, 88% at `position + width / 2`): the two
      concepts alternate, the new one more and more often.
    - `"incremental"`: the decision boundary itself moves linearly from the old concept's to the
      new one's over `[position - width / 2, position + width / 2]`. Only between two concepts of
      the same generator with a linear boundary (`INCREMENTAL_GENERATORS`): SEA (the threshold
      on x0 + x1 slides) and Hyperplane (the weight vector turns). The features keep the old
      generator's distribution, which both concepts share.

    Parameters
    ----------
    position
        Event index at which the drift is centred.
    kind
        `"abrupt"`, `"gradual"` or `"incremental"`.
    width
        Number of events of the transition: 0 for an abrupt drift, > 0 otherwise.

    Examples
    --------
    >>> from stream_imbal.simulation import Drift
    >>> drift = Drift(1_000, "gradual", width=200)
    >>> drift.window
    (900.0, 1100.0)
    >>> round(drift.progress(900), 3), drift.progress(1_000), round(drift.progress(1_100), 3)
    (0.119, 0.5, 0.881)
    >>> Drift(1_000, "incremental", width=200).progress(1_050)
    0.75

    """

    position: int
    kind: str = "abrupt"
    width: int = 0

    def __post_init__(self):
        if not is_int(self.position):
            raise ConfigError(f"drift position must be an int, got {self.position!r}")
        if self.kind not in KINDS:
            raise ConfigError(f"drift kind must be one of {KINDS}, got {self.kind!r}")
        if not is_int(self.width) or self.width < 0:
            raise ConfigError(f"drift width must be an int >= 0, got {self.width!r}")
        if (self.kind == "abrupt") != (self.width == 0):
            raise ConfigError(
                f"{self.kind} drift at {self.position}: width must be "
                f"{'0' if self.kind == 'abrupt' else '> 0'}, got {self.width}"
            )

    @property
    def window(self) -> tuple[float, float]:
        """First and last event index of the transition."""
        return self.position - self.width / 2, self.position + self.width / 2

    def progress(self, t: float) -> float:
        """Weight of the new concept at event `t`, from 0 to 1.

        The probability of drawing from the new concept (abrupt, gradual), or how far the
        boundary has moved towards the new concept's (incremental).

        """
        if self.kind == "abrupt":
            return float(t >= self.position)
        u = (t - self.position) / self.width
        if self.kind == "gradual":
            return 0.5 + 0.5 * math.tanh(2.0 * u)  # = 1 / (1 + exp(-4u)), without overflow
        return min(1.0, max(0.0, u + 0.5))


class MovingBoundary:
    """The events of a linear concept, relabelled as its boundary moves towards another's.

    The boundary at `alpha` has the margin `(1 - alpha) * old(x) + alpha * new(x)`, which is
    the boundary with interpolated weights and threshold. Only the events that the moved
    boundary puts on the other side are flipped, so the generator's own label noise is kept.
    Labels follow `alpha` as it is when an event is read: read it without buffering.

    Parameters
    ----------
    events
        `(x, y)` events of the old concept.
    old
        Margin of the old concept's boundary (> 0 for the positive class).
    new
        Margin of the new concept's boundary.

    """

    def __init__(self, events: Iterable[tuple[dict, bool]], old: Margin, new: Margin):
        self.events = events
        self.old = old
        self.new = new
        self.alpha = 0.0

    def __iter__(self) -> Iterator[tuple[dict, bool]]:
        for x, y in self.events:
            old = self.old(x)
            moved = old + self.alpha * (self.new(x) - old)
            yield x, y ^ (old > 0) ^ (moved > 0)
