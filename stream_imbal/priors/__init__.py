"""Online estimates of the class proportions (priors) of a labelled stream."""

from __future__ import annotations

from stream_imbal.priors.base import ClassPrior, wilson_interval
from stream_imbal.priors.decayed import DecayedClassPrior
from stream_imbal.priors.sliding import SlidingWindowPrior

__all__ = ["ClassPrior", "DecayedClassPrior", "SlidingWindowPrior", "wilson_interval"]
