# cython: language_level=3
"""The per-event work of `ThresholdCalibrator`, compiled: its cut and its update, on C fields
(`CompiledFields`). The search for a threshold (every `refit_every` updates) and the alert
budget's steps stay in the Python class, which extends this one. Every value is the Python
object the Python code made, by the same operations in the same order."""

cimport cython

import math

from stream_imbal._fields cimport CompiledFields

ABOVE_EVERY_SCORE = math.nextafter(1.0, 2.0)  # a cut that flags no probability


@cython.auto_pickle(False)
cdef class CalibratorFields(CompiledFields):
    """What `stream_imbal.threshold.ThresholdCalibrator` (see it), which extends this class,
    reads and writes per event."""

    cdef dict _fields(self):
        return {
            "objective": self.objective,
            "refit_every": self.refit_every,
            "_tracks_arrivals": self._tracks_arrivals,
            "_stream_share": self._stream_share,
            "_pending_scores": self._pending_scores,
            "_pending_labels": self._pending_labels,
            "threshold": self.threshold,
            "_mean_decays": self._mean_decays,
            "_score_sums": self._score_sums,
            "_score_counts": self._score_counts,
        }

    def cut(self, training_share) -> float:
        """The decision threshold: the searched one, else the training distribution's mean score.

        `training_share` is the positive class's share of what the learner was trained on; it
        is the cut itself until both classes have a score.
        """
        return self._cut(training_share)

    cdef object _cut(self, object training_share):
        if self.threshold is not None:
            return self.threshold
        if self.objective == "alert_rate":
            return ABOVE_EVERY_SCORE
        sums, counts = self._score_sums, self._score_counts
        if not (counts[0] and counts[1]):
            return training_share
        return training_share * sums[1] / counts[1] + (1 - training_share) * sums[0] / counts[0]

    def update(self, score, positive, stream_share=None) -> None:
        """Record the score of an event and whether it was positive; `stream_share` is the
        positive class's current share of the stream, when the caller estimates it."""
        self._update(score, positive, stream_share)

    cdef int _update(self, object score, object positive, object stream_share) except -1:
        if stream_share is not None:
            self._stream_share = stream_share
        budget = self.objective == "alert_rate" and self.threshold is not None
        if budget and not self._tracks_arrivals:
            self._track_budget(score)
        cdef Py_ssize_t i
        if self.threshold is None:  # the class means are only read before the first search
            i = 1 if positive else 0
            decay = self._mean_decays[i]
            self._score_sums[i] = self._score_sums[i] * decay + score
            self._score_counts[i] = self._score_counts[i] * decay + 1.0
        self._pending_labels.append(positive)
        pending = self._pending_scores
        pending.append(score)
        if len(pending) == self.refit_every:
            self._file_pending()
            self._refit()
        return 0
