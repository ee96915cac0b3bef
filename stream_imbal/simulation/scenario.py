"""A simulated imbalanced stream with known concept drifts and prior shifts."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from river.datasets import base

from stream_imbal.drift.events import CONCEPT, PRIOR
from stream_imbal.exceptions import ConfigError
from stream_imbal.simulation._checks import is_int, is_number
from stream_imbal.simulation.concepts import INCREMENTAL_GENERATORS, Concept
from stream_imbal.simulation.drift import Drift, MovingBoundary
from stream_imbal.simulation.sampler import ClassConditionalSampler
from stream_imbal.simulation.schedule import PriorSchedule

__all__ = ["EventTruth", "Scenario"]

MINORITY = True  # the generators' positive label, after normalisation to bool


class EventTruth(NamedTuple):
    """What was true when an event was generated.

    Attributes
    ----------
    minority_share
        P(minority) used to draw the label.
    concept
        Index of the concept the event was drawn from (inside an incremental drift, the concept
        whose boundary is nearer).
    minority_label
        The minority class's label.
    noisy
        Whether the label was flipped by label noise (the clean label is `y != noisy`).

    """

    minority_share: float
    concept: int
    minority_label: bool
    noisy: bool


class Scenario(base.SyntheticDataset):
    """An imbalanced binary stream whose concept and class proportions change on schedule.

    Each event first draws its label, the minority class (True) with probability
    `minority(t)`. Then it draws x from the concept active at `t`, conditioned on that label (by
    rejection sampling, see `ClassConditionalSampler`), and finally flips the label with
    probability `label_noise`. Concepts change at the `drifts`: drift k leads from concept k to
    concept k + 1 (see `Drift`). Iterating yields `(x, y)` like any river dataset, the same events
    on every pass; `iter_truth` adds the ground truth of each event.

    Parameters
    ----------
    concepts
        The successive concepts.
    minority
        Minority share over time, or a constant share.
    n_events
        Length of the stream.
    drifts
        One drift between each pair of consecutive concepts, in order; their windows must not
        overlap and must fit in the stream.
    label_noise
        Probability of flipping each label, in [0, 0.5].
    seed
        Seed of the labels, the noise, the gradual drifts and the generators' own seeds.
    name
        Name used by `describe` and in benchmark reports.

    Examples
    --------
    >>> from stream_imbal.simulation import Concept, Drift, PriorSchedule, Scenario
    >>> scenario = Scenario(
    ...     concepts=[Concept("SEA", {"variant": 0}), Concept("SEA", {"variant": 3})],
    ...     minority=PriorSchedule([(0, 0.01), (3_000, 0.05)]),
    ...     n_events=5_000,
    ...     drifts=[Drift(2_000)],
    ...     seed=7,
    ... )
    >>> scenario.drift_points
    [(2000, 'concept'), (3000, 'prior')]
    >>> events = list(scenario.iter_truth())
    >>> sum(y for _, y, _ in events[:3_000]), sum(y for _, y, _ in events[3_000:])
    (34, 84)
    >>> x, y, truth = events[2_500]
    >>> {name: round(value, 2) for name, value in x.items()}, y
    ({0: 7.57, 1: 0.65, 2: 4.75}, False)
    >>> truth
    EventTruth(minority_share=0.01, concept=1, minority_label=True, noisy=False)

    """

    def __init__(
        self,
        concepts: Sequence[Concept],
        minority: PriorSchedule | float,
        n_events: int,
        drifts: Sequence[Drift] = (),
        label_noise: float = 0.0,
        seed: int = 0,
        name: str = "scenario",
    ):
        self.concepts = concepts
        self.minority = minority
        self.n_events = n_events
        self.drifts = drifts
        self.label_noise = label_noise
        self.seed = seed
        self.name = name
        if is_number(minority):
            minority = PriorSchedule.constant(minority)
        if not isinstance(minority, PriorSchedule):
            raise ConfigError(f"minority must be a PriorSchedule or a share, got {minority!r}")
        self._schedule = minority
        self._check()
        widths = {concept.n_features for concept in concepts}
        super().__init__(
            task=base.BINARY_CLF,
            n_features=widths.pop() if len(widths) == 1 else None,
            n_samples=n_events,
            n_classes=2,
        )
        # Drift k governs the events up to halfway between its window and the next one's.
        self._borders = [
            (before.window[1] + after.window[0]) / 2 for before, after in itertools.pairwise(drifts)
        ]

    def _check(self) -> None:
        if not is_int(self.n_events) or self.n_events < 1:
            raise ConfigError(f"n_events must be an int >= 1, got {self.n_events!r}")
        if not is_int(self.seed):
            raise ConfigError(f"seed must be an int, got {self.seed!r}")
        if not is_number(self.label_noise) or not 0 <= self.label_noise <= 0.5:
            raise ConfigError(f"label_noise must be a number in [0, 0.5], got {self.label_noise!r}")
        if not self.concepts or not all(isinstance(c, Concept) for c in self.concepts):
            raise ConfigError("a scenario needs at least one concept, all of type Concept")
        if not all(isinstance(d, Drift) for d in self.drifts):
            raise ConfigError("drifts must all be of type Drift")
        if len(self.drifts) != len(self.concepts) - 1:
            raise ConfigError(
                f"{len(self.concepts)} concept(s) need {len(self.concepts) - 1} drift(s), one "
                f"between each pair of consecutive concepts; got {len(self.drifts)}"
            )
        last = self._schedule.breakpoints[-1][0]
        if last >= self.n_events:
            raise ConfigError(
                f"minority breakpoint at {last} is beyond the stream of {self.n_events} events"
            )
        end = 0.0
        for k, drift in enumerate(self.drifts):
            if not 0 < drift.position < self.n_events:
                raise ConfigError(
                    f"drift {k} at position {drift.position} is outside the stream: positions "
                    f"must be in (0, {self.n_events})"
                )
            start, stop = drift.window
            if start < end or stop > self.n_events:
                raise ConfigError(
                    f"drift {k} ({drift.kind} at {drift.position}, width {drift.width}) spans "
                    f"[{start:g}, {stop:g}]: drifts must be in increasing order, must not "
                    f"overlap and must lie within [0, {self.n_events}]"
                )
            end = max(stop, start + 1)  # two abrupt drifts cannot share a position
            if drift.kind == "incremental":
                self._check_incremental(k)

    def _check_incremental(self, k: int) -> None:
        old, new = self.concepts[k], self.concepts[k + 1]
        if old.generator != new.generator or not old.supports_incremental:
            raise ConfigError(
                f"incremental drift {k} needs two concepts of the same generator among "
                f"{', '.join(INCREMENTAL_GENERATORS)}; got {old!r} -> {new!r} "
                "(use a gradual drift instead)"
            )
        if old.n_features != new.n_features:
            raise ConfigError(
                f"incremental drift {k} joins concepts with {old.n_features} and "
                f"{new.n_features} features"
            )

    @property
    def schedule(self) -> PriorSchedule:
        """The minority share over time."""
        return self._schedule

    @property
    def minority_label(self) -> bool:
        """The label of the minority class: the generators' positive label."""
        return MINORITY

    @property
    def concept_drift_starts(self) -> list[int]:
        """First event of each concept drift's transition: its position if abrupt, half its
        width earlier if gradual or incremental."""
        return [max(0, math.ceil(drift.window[0])) for drift in self.drifts]

    @property
    def drift_points(self) -> list[tuple[int, str]]:
        """`(position, kind)` of every change: `"concept"` drifts and `"prior"` shifts.

        A prior shift is a breakpoint of the schedule where the share jumps, or starts a ramp,
        by a factor of at least 1.5.

        """
        points = [(drift.position, CONCEPT) for drift in self.drifts]
        points += [(position, PRIOR) for position in self._schedule.change_points(1.5)]
        return sorted(points)

    def __iter__(self) -> Iterator[tuple[dict, bool]]:
        for x, y, _ in self.iter_truth():
            yield x, y

    def iter_truth(self) -> Iterator[tuple[dict, bool, EventTruth]]:
        """Yield `(x, y, truth)` for every event."""
        rng = random.Random(self.seed)
        streams = [concept.stream(rng.getrandbits(64)) for concept in self.concepts]
        samplers = [ClassConditionalSampler(events) for events, _ in streams]
        # One relabelled stream per incremental drift, read unbuffered so labels follow alpha.
        boundaries = {
            k: MovingBoundary(streams[k][0], streams[k][1], streams[k + 1][1])
            for k, drift in enumerate(self.drifts)
            if drift.kind == "incremental"
        }
        moving = {k: ClassConditionalSampler(b, buffer_size=0) for k, b in boundaries.items()}
        schedule, noise, drifts = self._schedule, self.label_noise, self.drifts
        for t in range(self.n_events):
            share = schedule(t)
            y = rng.random() < share
            concept, sampler = 0, samplers[0]
            if drifts:
                k = bisect.bisect_right(self._borders, t)
                alpha = drifts[k].progress(t)
                if drifts[k].kind == "gradual":
                    alpha = float(rng.random() < alpha)
                if alpha in (0.0, 1.0):
                    concept = k + int(alpha)
                    sampler = samplers[concept]
                else:
                    concept = k + (alpha >= 0.5)
                    boundaries[k].alpha = alpha
                    sampler = moving[k]
            x = sampler.draw(y)
            noisy = noise > 0.0 and rng.random() < noise
            yield x, y ^ noisy, EventTruth(share, concept, MINORITY, noisy)

    def describe(self) -> str:
        """A readable summary of the scenario."""
        lines = [
            f"{self.name}: {self.n_events:,} events, seed {self.seed}, "
            f"label noise {self.label_noise:g}, minority label {MINORITY}",
            "concepts:",
            *(f"  {k}: {concept!r}" for k, concept in enumerate(self.concepts)),
        ]
        if self.drifts:
            lines.append("concept drifts:")
            lines += [
                f"  {d.kind} at {d.position:,}"
                + (f", width {d.width:,}" if d.width else "")
                + f" (concept {k} -> {k + 1})"
                for k, d in enumerate(self.drifts)
            ]
        lines.append("minority share:")
        points = self._schedule.breakpoints
        for k, (position, share, shape) in enumerate(points):
            lines.append(f"  from {position:,}: {_ratio(share)}")
            if shape == "ramp":
                end, end_share, _ = points[k + 1]
                lines[-1] += f", ramping to {_ratio(end_share)} at {end:,}"
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Scenario({self.name!r}, n_events={self.n_events}, seed={self.seed})"


def _ratio(share: float) -> str:
    return f"{share:.2%} (1:{(1 - share) / share:.0f})"
