"""Stream classification metrics that river lacks.

Everything else (G-mean, balanced accuracy, Cohen's kappa, MCC, F1, exact windowed PR-AUC and
ROC-AUC, `utils.Rolling` for windows) is in `river.metrics`; use it from there.

"""

from __future__ import annotations

from stream_imbal.metrics.class_recall import WindowedClassRecall
from stream_imbal.metrics.kappa_m import KappaM

__all__ = ["KappaM", "WindowedClassRecall"]
