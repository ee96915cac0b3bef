"""Decision thresholds that follow the class priors: posterior correction and window search."""

from __future__ import annotations

from stream_imbal.threshold.calibrator import ThresholdCalibrator
from stream_imbal.threshold.objectives import OBJECTIVES, scores_at_cuts
from stream_imbal.threshold.prior_correction import correct_binary, correct_posteriors

__all__ = [
    "OBJECTIVES",
    "ThresholdCalibrator",
    "correct_binary",
    "correct_posteriors",
    "scores_at_cuts",
]
