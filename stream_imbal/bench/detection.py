"""How well a model's concept-drift alarms match a stream's known concept drifts.

A true concept drift that starts at event s (its position if abrupt, the first event of its
transition if gradual or incremental) is detected by the model's first `concept` drift event at
or after s and before its horizon: the start of the next true concept drift, or s plus a quarter
of the stream, whichever comes first. Its delay is that event's index minus s: an alarm while a
gradual drift unfolds detects it. Every other `concept` event is a false alarm, including those
after a prior shift alone: a prior shift is not a concept drift, and the model should answer it
by recalibration, not by replacing its learner. Only the first event in a drift's horizon
counts as its detection; the later ones there are neither false alarms nor detections (a
detector may fire again while a gradual drift unfolds).

"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

__all__ = ["DETECTION_COLUMNS", "detection_quality"]

#: The columns `detection_quality` fills, in results.csv.
DETECTION_COLUMNS = (
    "n_concept_drifts",
    "n_detected",
    "mean_delay",
    "n_false_alarms",
    "false_alarms_per_100k",
)


def detection_quality(
    drift_starts: Sequence[int],
    alarms: Sequence[int],
    n_events: int,
    horizon: float = 0.25,
) -> dict[str, float]:
    """Detections, mean delay and false alarms of concept-drift `alarms` against the truth.

    Parameters
    ----------
    drift_starts
        Where each of the stream's known concept drifts starts (`Scenario.concept_drift_starts`).
    alarms
        Event indices of the model's `concept` drift events.
    n_events
        Length of the stream.
    horizon
        Longest delay counted as a detection, as a share of the stream.

    Returns
    -------
    `n_concept_drifts`, `n_detected`, `mean_delay` (events, over the detected drifts; NaN when
    none is), `n_false_alarms` and `false_alarms_per_100k` (per 100,000 events of the stream).

    Examples
    --------
    Drifts starting at 1,000 and 3,000 of 4,000 events; alarms at 500 (false), 1,200 (detects
    the first, delay 200), 1,300 (same horizon: ignored), and none within the horizon of the
    second:

    >>> from stream_imbal.bench.detection import detection_quality
    >>> quality = detection_quality([1000, 3000], [500, 1200, 1300], 4000)
    >>> quality["n_detected"], quality["mean_delay"], quality["n_false_alarms"]
    (1, 200.0, 1)
    >>> quality["false_alarms_per_100k"]
    25.0

    """
    truths = sorted(drift_starts)
    alarms = sorted(alarms)
    reach = max(1, round(horizon * n_events))
    attributed: set[int] = set()
    delays = []
    for k, position in enumerate(truths):
        end = min(truths[k + 1] if k + 1 < len(truths) else n_events, position + reach)
        lo, hi = bisect.bisect_left(alarms, position), bisect.bisect_left(alarms, end)
        if lo < hi:
            delays.append(alarms[lo] - position)
            attributed.update(range(lo, hi))
    false = len(alarms) - len(attributed)
    return {
        "n_concept_drifts": len(truths),
        "n_detected": len(delays),
        "mean_delay": sum(delays) / len(delays) if delays else math.nan,
        "n_false_alarms": false,
        "false_alarms_per_100k": false * 100_000 / n_events if n_events else math.nan,
    }
