"""Online bagging ensembles for imbalanced, drifting streams."""

from __future__ import annotations

from stream_imbal.ensemble.bagging import ImbalancedBagging, OOBClassifier, UOBClassifier
from stream_imbal.ensemble.forest import SubspaceForest
from stream_imbal.ensemble.pool import CandidatePool

__all__ = ["CandidatePool", "ImbalancedBagging", "OOBClassifier", "SubspaceForest", "UOBClassifier"]
