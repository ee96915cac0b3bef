"""Online bagging ensembles for imbalanced, drifting streams."""

from __future__ import annotations

from stream_imbal.ensemble.bagging import ImbalancedBagging, OOBClassifier, UOBClassifier

__all__ = ["ImbalancedBagging", "OOBClassifier", "UOBClassifier"]
