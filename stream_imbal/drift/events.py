"""The record of a detected drift."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable

__all__ = ["DriftEvent", "CONCEPT", "PRIOR", "SCHEMA"]

CONCEPT = "concept"
PRIOR = "prior"
SCHEMA = "schema"


@dataclasses.dataclass(frozen=True)
class DriftEvent:
    """A drift detected at a given event.

    Parameters
    ----------
    index
        Number of labelled events learned when the drift was reported (0-based event index);
        a concept drift is reported once confirmed, by default `DriftPolicy.grace_period`
        events after the detector's alarm.
    kind
        `"concept"` (P(x | y) moved: some class's recall dropped and stayed down), `"prior"`
        (only the class proportions moved: answered by recalibration) or `"schema"` (the set
        of features the events carry changed: `stream_imbal.missing.MissingValues`).
    detector
        Name of the detector that fired, e.g. `"DDM(class=True)"` or `"ADWIN(prior)"`.
    class_label
        The class whose recall or share moved, when the detector is per class.

    """

    index: int
    kind: str
    detector: str
    class_label: Hashable | None = None
