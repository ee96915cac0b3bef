"""Online rebalancing: class weights, Poisson resampling and synthetic minority events."""

from __future__ import annotations

from stream_imbal.balancing.smote import OnlineSMOTE
from stream_imbal.balancing.strategy import (
    BalancingStrategy,
    NoBalancing,
    Resample,
    Reweight,
    ReweightResample,
    accepts_weight,
    learn_weighted,
    poisson,
)
from stream_imbal.balancing.weights import ClassWeights

__all__ = [
    "BalancingStrategy",
    "ClassWeights",
    "NoBalancing",
    "OnlineSMOTE",
    "Resample",
    "Reweight",
    "ReweightResample",
    "accepts_weight",
    "learn_weighted",
    "poisson",
]
