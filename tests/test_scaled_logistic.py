"""The compiled logistic regression learns and predicts as river's own pipeline, to the bit."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st
from river import compose, linear_model, optim

from stream_imbal.classifier import linear_learner
from stream_imbal.learning_rate import FastStartRate
from stream_imbal.preprocessing import ClippedStandardScaler
from stream_imbal.scaled_logistic import ScaledLogisticRegression
from stream_imbal.small_steps import SmallSteps

NAMES = ("a", "b", "c", "d")
values = st.floats(-1e6, 1e6, allow_nan=False) | st.integers(-1000, 1000)
events = st.lists(
    st.tuples(
        st.dictionaries(st.sampled_from(NAMES), values, min_size=1),  # features come and go
        st.booleans(),
        st.sampled_from([0.25, 1.0, 3.0, 50.0]),
    ),
    min_size=1,
    max_size=60,
)


def _pair(rate=FastStartRate, **logistic) -> tuple[ScaledLogisticRegression, compose.Pipeline]:
    def steps():
        model = linear_model.LogisticRegression(optimizer=optim.SGD(rate()), **logistic)
        return ClippedStandardScaler(warm_up=3), model

    return ScaledLogisticRegression(*steps()), compose.Pipeline(*steps())


def _assert_same(compiled: ScaledLogisticRegression, river_own: compose.Pipeline) -> None:
    mine, theirs = compiled["LogisticRegression"], river_own["LogisticRegression"]
    assert list(mine.weights.items()) == list(theirs.weights.items())  # values and order
    assert mine.intercept == theirs.intercept
    assert mine.optimizer.n_iterations == theirs.optimizer.n_iterations
    scaled, by_river = compiled["ClippedStandardScaler"], river_own["ClippedStandardScaler"]
    for state in ("_counts", "_means", "_m2", "_stds"):  # values and order
        assert list(getattr(scaled, state).items()) == list(getattr(by_river, state).items())


def _run(compiled, river_own, stream, label=lambda y: y):
    for x, y, w in stream:
        assert compiled.predict_proba_one(x) == river_own.predict_proba_one(x)
        compiled.learn_one(x, label(y), w=w)
        river_own.learn_one(x, label(y), w=w)
        _assert_same(compiled, river_own)


@settings(max_examples=60, deadline=None)
@given(events)
def test_it_learns_and_predicts_as_rivers_pipeline_to_the_bit(stream):
    _run(*_pair(), stream)


@settings(max_examples=30, deadline=None)
@given(events)
def test_rates_that_reach_their_floor_or_are_not_floats_are_rivers(stream):
    """The kernel computes `FastStartRate` itself (floats) or asks it (ints), and river's
    constant rate of the intercept: every step's rate is river's."""
    _run(*_pair(lambda: FastStartRate(start=0.1, floor=0.05, scale=2.0)), stream)
    _run(*_pair(lambda: FastStartRate(start=1, floor=1, scale=3)), stream)
    _run(*_pair(lambda: 0.02), stream)


@settings(max_examples=15, deadline=None)
@given(events)
def test_labels_and_settings_it_does_not_compile_take_rivers_path(stream):
    _run(*_pair(), stream, label=int)  # 0 / 1 rather than booleans
    _run(*_pair(l2=0.01), stream)


def test_a_pickled_model_goes_on_as_the_one_that_was_not():
    compiled, river_own = _pair()
    stream = [
        ({"a": float(i % 7), "b": (i * 0.37) % 3}, i % 5 == 0, 1.0 + i % 3) for i in range(400)
    ]
    _run(compiled, river_own, stream[:200])
    compiled = pickle.loads(pickle.dumps(compiled))
    _run(compiled, river_own, stream[200:])


def test_the_linear_learner_runs_compiled_and_clones_as_itself():
    learner = linear_learner()
    clone = learner.clone()
    assert type(clone) is ScaledLogisticRegression
    assert clone["LogisticRegression"].optimizer.lr.__class__ is FastStartRate
    assert clone["LogisticRegression"] is not learner["LogisticRegression"]
    assert clone._get_params() == learner._get_params()


def test_learning_during_predictions_takes_rivers_path():
    stream = [({"a": float(i % 7), "b": (i * 0.37) % 3}, i % 5 == 0, 1.0) for i in range(100)]
    with compose.learn_during_predict():
        _run(*_pair(), stream)


@settings(max_examples=60, deadline=None)
@given(events, st.lists(st.integers(1, 8), min_size=60, max_size=60))
def test_steps_learnt_in_one_call_are_rivers_steps_one_by_one(stream, repeats):
    """`learn_repeated` (`SmallSteps`' light steps of a heavy event, compiled in one call)."""
    compiled, river_own = _pair()
    for (x, y, w), times in zip(stream, repeats, strict=False):
        assert compiled.predict_proba_one(x) == river_own.predict_proba_one(x)
        compiled.learn_repeated(x, y, w, times)
        for _ in range(times):
            river_own.learn_one(x, y, w=w)
        _assert_same(compiled, river_own)


def test_small_steps_learn_a_heavy_event_as_with_rivers_pipeline():
    ours, theirs = SmallSteps(_pair()[0]), SmallSteps(_pair()[1])
    for i in range(300):
        x = {"a": float(i % 7), "b": (i * 0.37) % 3, "c": i % 4}
        y, w = i % 9 == 0, (40.0 if i % 9 == 0 else 0.6)
        assert ours.predict_proba_one(x) == theirs.predict_proba_one(x)
        ours.learn_one(x, y, w=w)
        theirs.learn_one(x, y, w=w)
        _assert_same(ours.model, theirs.model)
