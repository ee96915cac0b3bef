"""Prior-shift correction of posterior probabilities (Saerens, Latinne & Decaestecker 2002)."""

from __future__ import annotations

from collections.abc import Hashable

__all__ = ["correct_posteriors", "correct_binary"]


def correct_posteriors(
    proba: dict[Hashable, float],
    train_prior: dict[Hashable, float],
    target_prior: dict[Hashable, float],
) -> dict[Hashable, float]:
    """Move posteriors learned under `train_prior` to the class proportions `target_prior`.

    p'(k | x) = (pi'_k / pi_k) p(k | x) / sum_j (pi'_j / pi_j) p(j | x). A class missing from
    either prior keeps its probability unscaled.

    >>> from stream_imbal.threshold import correct_posteriors
    >>> proba = {"fraud": 0.5, "ok": 0.5}  # learned on balanced data
    >>> balanced, skewed = {"fraud": 0.5, "ok": 0.5}, {"fraud": 0.01, "ok": 0.99}
    >>> corrected = correct_posteriors(proba, balanced, skewed)
    >>> round(corrected["fraud"], 4)
    0.01

    """
    scaled = {}
    for label, p in proba.items():
        pi, target = train_prior.get(label), target_prior.get(label)
        scaled[label] = p * target / pi if pi and target is not None else p
    total = sum(scaled.values())
    return {label: s / total for label, s in scaled.items()} if total > 0 else dict(proba)


def correct_binary(p: float, pi_train: float, pi_target: float) -> float:
    """`correct_posteriors` for the positive class of a binary problem, on one probability.

    Its inverse is `correct_binary(p, pi_target, pi_train)`.

    >>> from stream_imbal.threshold import correct_binary
    >>> round(correct_binary(0.5, 0.5, 0.2), 3)
    0.2
    >>> round(correct_binary(correct_binary(0.3, 0.5, 0.05), 0.05, 0.5), 3)
    0.3

    """
    if not (0.0 < pi_train < 1.0 and 0.0 <= pi_target <= 1.0):
        return p
    up = p * pi_target / pi_train
    down = (1.0 - p) * (1.0 - pi_target) / (1.0 - pi_train)
    return up / (up + down) if up + down > 0 else p
