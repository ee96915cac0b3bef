"""river's Gaussian splitter, computing the same numbers in compiled code.

Its per-class statistics are `LeanGaussian`s (compiled in `stream_imbal._hoeffding`): river's
`proba.Gaussian` as three C doubles, without the random generator river gives each Gaussian.

>>> import pickle
>>> from river.proba import Gaussian
>>> from stream_imbal.gaussian_splitter import LeanGaussian
>>> lean, river_own = LeanGaussian(), Gaussian()
>>> for x in (6.0, 7.0, 9.5):
...     lean.update(x)
...     river_own.update(x)
>>> (lean.mu, lean.sigma, lean(7.0), lean.cdf(8.0)) == (
...     river_own.mu, river_own.sigma, river_own(7.0), river_own.cdf(8.0)
... )
True
>>> lean
𝒩(μ=7.500, σ=1.803)
>>> len(pickle.dumps(lean)) * 20 < len(pickle.dumps(river_own))
True
"""

from __future__ import annotations

from stream_imbal import _hoeffding
from stream_imbal._hoeffding import GaussianFields, LeanGaussian
from stream_imbal.river_internals import GaussianSplitter, InfoGainSplitCriterion

__all__ = ["FastGaussianSplitter", "LeanGaussian"]


class FastGaussianSplitter(GaussianFields, GaussianSplitter):
    """`river.tree.splitter.GaussianSplitter`, to the last bit, at about half its cost.

    A Hoeffding tree spends most of its learning time in its splitters: each event updates one
    per watched feature at its leaf, and each split attempt scores `n_splits` cut points per
    feature. river does each through a chain of small calls (splitter, Gaussian, variance, mean;
    cut point, class counts, criterion, entropy). This splitter runs the same arithmetic, in the
    same order, in compiled code (`stream_imbal._hoeffding`) on the same state (river's
    dictionaries of per-class Gaussians and ranges): its statistics, suggestions and merits are
    river's (see `tests/test_gaussian_splitter.py`). Split attempts are fused for information
    gain, the criterion of river's classification trees; any other criterion takes river's
    path. Its per-class statistics are `LeanGaussian`s, so a tree's size limit holds more
    leaves.

    Examples
    --------
    >>> import random
    >>> from river.tree.split_criterion import InfoGainSplitCriterion
    >>> from river.tree.splitter import GaussianSplitter
    >>> from stream_imbal.gaussian_splitter import FastGaussianSplitter
    >>> rng = random.Random(0)
    >>> fast, river_own = FastGaussianSplitter(), GaussianSplitter()
    >>> counts = {False: 0.0, True: 0.0}
    >>> for _ in range(500):
    ...     y = rng.random() < 0.2
    ...     x, w = rng.gauss(1.0 if y else 0.0, 1.0), rng.choice([0.5, 6.0])
    ...     counts[y] += w
    ...     fast.update(x, y, w)
    ...     river_own.update(x, y, w)
    >>> criterion = InfoGainSplitCriterion(min_branch_fraction=0.01)
    >>> a = fast.best_evaluated_split_suggestion(criterion, counts, "x", True)
    >>> b = river_own.best_evaluated_split_suggestion(criterion, counts, "x", True)
    >>> (a.merit, a.split_info, a.children_stats) == (b.merit, b.split_info, b.children_stats)
    True

    """

    def clone(self, new_params: dict | None = None, include_attributes: bool = False):
        if new_params or include_attributes:
            return super().clone(new_params, include_attributes)
        return type(self)(self.n_splits)  # what river's clone makes, without its introspection

    def update(self, att_val, target_val, w):
        _hoeffding.update_gaussian(self, att_val, target_val, w)

    def best_evaluated_split_suggestion(self, criterion, pre_split_dist, att_idx, binary_only):
        if type(criterion) is not InfoGainSplitCriterion:
            return super().best_evaluated_split_suggestion(
                criterion, pre_split_dist, att_idx, binary_only
            )
        return _hoeffding.best_info_gain_split(self, criterion, pre_split_dist, att_idx)
