"""The minority share of a simulated stream as a function of time."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

from stream_imbal.exceptions import ConfigError
from stream_imbal.simulation._checks import is_int, is_number

__all__ = ["PriorSchedule", "SHAPES"]

SHAPES = ("step", "ramp")


class PriorSchedule:
    """Piecewise constant and piecewise linear minority share.

    The schedule is a list of breakpoints `(position, share, shape)`, the first at position 0.
    A `"step"` breakpoint holds its share until the next breakpoint; a `"ramp"` breakpoint moves
    the share linearly from its own value to the next breakpoint's. The last breakpoint holds its
    share for ever, so it cannot be a ramp.

    Parameters
    ----------
    breakpoints
        `(position, share)` or `(position, share, shape)` tuples, positions strictly increasing
        from 0, shares in (0, 1), shape `"step"` (the default) or `"ramp"`.

    Examples
    --------
    >>> from stream_imbal.simulation import PriorSchedule
    >>> schedule = PriorSchedule([(0, 0.05), (100, 0.01), (200, 0.01, "ramp"), (300, 0.03)])
    >>> schedule(99), schedule(100), round(schedule(250), 4), schedule(10_000)
    (0.05, 0.01, 0.02, 0.03)
    >>> schedule.change_points()
    [100, 200]

    """

    def __init__(self, breakpoints: Sequence[tuple]):
        self.breakpoints = [_breakpoint(i, point) for i, point in enumerate(breakpoints)]
        if not self.breakpoints or self.breakpoints[0][0] != 0:
            raise ConfigError("a minority schedule needs a first breakpoint at position 0")
        for (before, _, _), (after, _, _) in itertools.pairwise(self.breakpoints):
            if after <= before:
                raise ConfigError(
                    f"minority breakpoint positions must increase strictly, got {before} "
                    f"then {after}"
                )
        if self.breakpoints[-1][2] == "ramp":
            raise ConfigError(
                f"the last minority breakpoint (position {self.breakpoints[-1][0]}) cannot be "
                "a ramp: there is no later breakpoint to ramp to"
            )
        self._positions = [position for position, _, _ in self.breakpoints]

    @classmethod
    def constant(cls, share: float) -> PriorSchedule:
        """The same minority share for ever."""
        return cls([(0, share)])

    def __call__(self, t: float) -> float:
        """Minority share at event index `t` (0-based)."""
        k = bisect.bisect_right(self._positions, t) - 1
        position, share, shape = self.breakpoints[k]
        if shape == "step":
            return share
        end, end_share, _ = self.breakpoints[k + 1]
        return share + (end_share - share) * (t - position) / (end - position)

    def change_points(self, factor: float = 1.5) -> list[int]:
        """Breakpoints where the share jumps, or starts a ramp, by at least `factor` either way."""
        points = []
        for k, (position, share, shape) in enumerate(self.breakpoints):
            before = self(position - 1) if position else share
            after = self.breakpoints[k + 1][1] if shape == "ramp" else share
            if max(_fold(before, share), _fold(share, after)) >= factor:
                points.append(position)
        return points

    def __repr__(self) -> str:
        return f"PriorSchedule({self.breakpoints!r})"


def _fold(a: float, b: float) -> float:
    return max(a, b) / min(a, b)


def _breakpoint(i: int, point: tuple) -> tuple[int, float, str]:
    if not isinstance(point, tuple | list) or len(point) not in (2, 3):
        raise ConfigError(
            f"minority breakpoint {i} must be (position, share) or (position, share, shape), "
            f"got {point!r}"
        )
    position, share, shape = (*point, "step") if len(point) == 2 else point
    if not is_int(position) or position < 0:
        raise ConfigError(
            f"minority breakpoint {i}: position must be an int >= 0, got {position!r}"
        )
    if not is_number(share) or not 0 < share < 1:
        raise ConfigError(
            f"minority breakpoint {i}: share must be a number in (0, 1) (exclusive), got {share!r}"
        )
    if shape not in SHAPES:
        raise ConfigError(f"minority breakpoint {i}: shape must be one of {SHAPES}, got {shape!r}")
    return position, float(share), shape
