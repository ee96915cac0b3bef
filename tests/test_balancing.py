"""Class weights and how a labelled event trains a learner under them."""

from __future__ import annotations

import math
import pickle
import random

import pytest

from stream_imbal.balancing import ClassWeights, ReweightResample
from stream_imbal.priors import DecayedClassPrior, SlidingWindowPrior


def _priors(shares: dict) -> list:
    """A decayed and a sliding-window prior that both hold `shares` (of 1,000 labels)."""
    labels = [label for label, share in shares.items() for _ in range(round(1000 * share))]
    random.Random(0).shuffle(labels)
    decayed, window = DecayedClassPrior(half_life=1e12), SlidingWindowPrior(window_size=1000)
    for label in labels:
        decayed.update(label)
        window.update(label)
    return [decayed, window]


class _Recorder:
    """Records each learning call's label and weight."""

    def __init__(self):
        self.calls = []

    def learn_one(self, x, y, w=1.0):
        self.calls.append((y, w))


SHARES = {"a": 0.9, "b": 0.08, "c": 0.02}


@pytest.mark.parametrize("prior", _priors(SHARES), ids=["decayed", "window"])
@pytest.mark.parametrize(
    ("scheme", "raw"),
    [
        ("inverse", lambda p, n: 1 / p),
        ("sqrt_inverse", lambda p, n: p**-0.5),
        ("effective_number", lambda p, n: (1 - 0.999) / (1 - 0.999 ** max(p * n, 1.0))),
    ],
)
def test_class_weights_average_one_over_the_stream_then_clip(prior, scheme, raw):
    weights = ClassWeights(scheme, clip=20.0)
    shares, n = prior.shares, prior.n_effective
    mean = sum(p * raw(p, n) for p in shares.values())
    for label, share in shares.items():
        expected = min(max(raw(share, n) / mean, 1 / 20.0), 20.0)
        assert weights.weight(label, prior) == pytest.approx(expected, rel=1e-12)
    assert ClassWeights("inverse", clip=5.0).weight("c", prior) == 5.0
    assert ClassWeights("inverse", clip=1.5).weight("a", prior) == pytest.approx(1 / 1.5)


def test_costs_weigh_each_class_by_its_cost_normalised_over_the_stream():
    prior = _priors(SHARES)[0]
    weights = ClassWeights("costs", costs={"c": 30.0})
    mean = 0.9 + 0.08 + 0.02 * 30.0
    assert weights.weight("c", prior) == pytest.approx(30.0 / mean, rel=1e-9)
    assert weights.weight("a", prior) == pytest.approx(1.0 / mean, rel=1e-9)


@pytest.mark.parametrize("prior", _priors({False: 0.95, True: 0.05}), ids=["decayed", "window"])
def test_reweight_resample_samples_the_light_class_and_splits_the_heavy_one(prior):
    rng = random.Random(1)
    light, heavy = _Recorder(), _Recorder()
    strategy = ReweightResample(max_repeats=5)
    received = [strategy.train(light, {"u": 1.0}, False, prior, True, rng) for _ in range(4000)]
    w_false = 1 / (2 * prior.share(False))
    assert all(r >= 0 and r == int(r) for r in received)  # Poisson(w) unit-weight repeats
    assert sum(received) / 4000 == pytest.approx(w_false, rel=0.05)
    assert all(call == (False, 1.0) for call in light.calls)
    w_true = 1 / (2 * prior.share(True))  # 10: learnt 5 times with weight 2
    assert strategy.train(heavy, {"u": 1.0}, True, prior, True, rng) == pytest.approx(w_true)
    assert heavy.calls == [(True, pytest.approx(w_true / 5))] * 5
    # A learner that takes no weight gets Poisson(w) repeats of the heavy class too.
    unweighted = _Recorder()
    assert strategy.train(unweighted, {"u": 1.0}, True, prior, False, rng) == len(unweighted.calls)


def test_relative_to_the_majority_learns_every_majority_event_once():
    prior = _priors({False: 0.9, True: 0.1})[0]
    strategy = ReweightResample(relative_to="majority", max_repeats=20)
    learner = _Recorder()
    assert strategy.train(learner, {"u": 1.0}, False, prior, True, random.Random(2)) == 1.0
    weight = strategy.train(learner, {"u": 1.0}, True, prior, True, random.Random(2))
    assert weight == pytest.approx(prior.share(False) / prior.share(True))
    assert len(learner.calls) == 1 + math.ceil(weight)


@pytest.mark.parametrize("make", [lambda: ClassWeights(clip=7.0), ReweightResample])
def test_a_strategy_pickled_with_its_state_as_a_python_dict_loads_as_it_was(make):
    """Both were Python classes that pickled their `__dict__` (a `NEWOBJ`, then the dict); their
    per-event fields are now compiled. Such a pickle, in any order of its keys, loads."""
    went_on = make()
    cls = type(went_on)
    state = dict(reversed(went_on.__getstate__().items()))
    body = pickle.dumps(state, protocol=2)[2:-1]  # no header, no STOP
    header = f"\x80\x02c{cls.__module__}\n{cls.__name__}\n)\x81".encode("latin-1")
    loaded = pickle.loads(header + body + b"b.")
    assert loaded.__getstate__() == went_on.__getstate__() or repr(loaded) == repr(went_on)
    prior = _priors(SHARES)[0]
    if isinstance(went_on, ClassWeights):
        assert [loaded.weight(k, prior) for k in SHARES] == [
            went_on.weight(k, prior) for k in SHARES
        ]
    else:
        assert loaded.train(_Recorder(), {}, "c", prior, True, random.Random(3)) == went_on.train(
            _Recorder(), {}, "c", prior, True, random.Random(3)
        )
