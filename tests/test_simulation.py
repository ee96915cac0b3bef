from __future__ import annotations

import itertools
import math
import time

import pytest

from stream_imbal.exceptions import ConfigError
from stream_imbal.simulation import (
    SCENARIOS,
    ClassConditionalSampler,
    Concept,
    Drift,
    PriorSchedule,
    Scenario,
    get_scenario,
    load_scenario_file,
    load_scenario_suite,
    scenario_from_dict,
    scenario_to_toml,
)


def _sea_scenario(drift: Drift, n_events: int = 20_000, **kwargs) -> Scenario:
    """SEA variant 2 (x0 + x1 > 7) then variant 3 (x0 + x1 > 9.5), minority 30%."""
    concepts = [Concept("SEA", {"variant": 2}), Concept("SEA", {"variant": 3})]
    return Scenario(concepts, 0.3, n_events, drifts=[drift], **kwargs)


def _within_binomial(count: int, n: int, p: float, z: float = 4.0) -> bool:
    return abs(count - n * p) <= z * math.sqrt(n * p * (1 - p))


# Schedule


def test_schedule_steps_and_ramps():
    schedule = PriorSchedule([(0, 0.1), (100, 0.02, "ramp"), (200, 0.04), (300, 0.01)])
    assert schedule(0) == schedule(99) == 0.1
    assert schedule(100) == 0.02
    assert schedule(150) == pytest.approx(0.03)
    assert schedule(199) == pytest.approx(0.02 + 0.02 * 99 / 100)
    assert schedule(200) == schedule(299) == 0.04
    assert schedule(10**9) == 0.01
    # 0.1 -> 0.02 is a jump, 0.02 -> 0.04 a ramp start, 0.04 -> 0.01 a jump.
    assert schedule.change_points() == [100, 300]
    assert PriorSchedule([(0, 0.1), (10, 0.14)]).change_points() == []
    assert PriorSchedule([(0, 0.1), (10, 0.1, "ramp"), (20, 0.2)]).change_points() == [10]


@pytest.mark.parametrize(
    ("breakpoints", "message"),
    [
        ([], "first breakpoint at position 0"),
        ([(5, 0.1)], "first breakpoint at position 0"),
        ([(0, 0.1), (10, 0.2), (10, 0.3)], "must increase strictly"),
        ([(0, 0.0)], "share must be a number in (0, 1)"),
        ([(0, 1.0)], "share must be a number in (0, 1)"),
        ([(0, 0.1), (10, 0.2, "ramp")], "cannot be a ramp"),
        ([(0, 0.1, "linear")], "shape must be one of"),
        ([(0.5, 0.1)], "position must be an int"),
        ([0.1], "must be (position, share)"),
    ],
)
def test_schedule_rejects_bad_breakpoints(breakpoints, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        PriorSchedule(breakpoints)


# Labels and concepts


def test_realised_minority_share_follows_the_schedule():
    scenario = Scenario(
        [Concept("SEA")],
        PriorSchedule([(0, 0.05), (6_000, 0.005), (12_000, 0.05, "ramp"), (18_000, 0.2)]),
        n_events=24_000,
        seed=3,
    )
    events = list(scenario.iter_truth())
    for start in range(0, 24_000, 6_000):
        segment = events[start : start + 6_000]
        expected = sum(truth.minority_share for _, _, truth in segment) / len(segment)
        count = sum(y for _, y, _ in segment)
        assert _within_binomial(count, len(segment), expected), (start, count, expected)
    # The ramp: the first half is rarer than the second.
    ramp = [y for _, y, _ in events[12_000:18_000]]
    assert sum(ramp[:3_000]) < sum(ramp[3_000:])


def test_features_are_drawn_from_the_concept_given_the_label():
    scenario = _sea_scenario(Drift(10_000))
    for t, (x, y, truth) in enumerate(scenario.iter_truth()):
        threshold = 7 if t < 10_000 else 9.5
        assert truth.concept == (t >= 10_000)
        assert (x[0] + x[1] > threshold) == y


def test_gradual_drift_mixes_concepts_within_the_width():
    scenario = _sea_scenario(Drift(10_000, "gradual", width=2_000))
    concepts = [truth.concept for _, _, truth in scenario.iter_truth()]
    # The sigmoid's tails are long: 0.25% of new-concept events at position - 1.5 width.
    assert set(concepts[:4_000]) == {0} and set(concepts[16_000:]) == {1}
    window = concepts[9_000:11_000]
    first, second = sum(window[:1_000]), sum(window[1_000:])
    assert 0 < first < second < 1_000
    assert _within_binomial(sum(window), 2_000, 0.5)


def test_incremental_drift_moves_the_boundary():
    scenario = _sea_scenario(Drift(10_000, "incremental", width=4_000))
    drift = scenario.drifts[0]
    thresholds_met = set()
    for t, (x, y, truth) in enumerate(scenario.iter_truth()):
        alpha = drift.progress(t)
        threshold = 7 + 2.5 * alpha
        assert (x[0] + x[1] > threshold) == y, t
        assert truth.concept == (alpha >= 0.5)
        if 0 < alpha < 1 and not y:
            thresholds_met.add(int(threshold))
    assert thresholds_met == {7, 8, 9}  # negatives seen while the threshold slid


def test_hyperplane_margin_agrees_with_river():
    events, margin = Concept("Hyperplane", {"noise_percentage": 0.0}).stream(seed=5)
    assert all((margin(x) >= 0) == y for x, y in itertools.islice(events, 2_000))


def test_incremental_drift_needs_a_linear_generator():
    concepts = [Concept("Agrawal"), Concept("Agrawal", {"classification_function": 4})]
    with pytest.raises(ConfigError, match="among Hyperplane, SEA.*gradual"):
        Scenario(concepts, 0.01, 1_000, drifts=[Drift(500, "incremental", 100)])


def test_same_seed_same_events_other_seed_other_events():
    first = list(get_scenario("demo", n_events=3_000, seed=1).iter_truth())
    again = list(get_scenario("demo", n_events=3_000, seed=1).iter_truth())
    scenario = get_scenario("demo", n_events=3_000, seed=2)
    assert first == again
    assert list(scenario) == list(scenario)  # iterating twice
    assert [x for x, _ in scenario] != [x for x, _, _ in first]


def test_label_noise_rate():
    scenario = Scenario([Concept("Sine")], 0.1, 20_000, label_noise=0.1, seed=4)
    events = list(scenario.iter_truth())
    noisy = sum(truth.noisy for _, _, truth in events)
    assert _within_binomial(noisy, 20_000, 0.1)
    # P(y = minority) = 0.1 * 0.9 + 0.9 * 0.1
    assert _within_binomial(sum(y for _, y, _ in events), 20_000, 0.18)
    assert all(truth.minority_label is True for _, _, truth in events)


def test_sampler_buffers_are_bounded_and_unsatisfiable_classes_raise():
    sampler = ClassConditionalSampler(Concept("SEA").stream(seed=0)[0], buffer_size=5)
    for _ in range(200):
        assert sampler.draw(False)[0] is not None
    assert sampler.buffered[True] == 5
    never = ClassConditionalSampler(itertools.repeat(({"a": 1.0}, False)), max_draws=50)
    with pytest.raises(ConfigError, match="no event of class True in 50 draws"):
        never.draw(True)


def test_generation_speed_sea_one_in_a_hundred():
    scenario = Scenario([Concept("SEA")], 1 / 101, 30_000)
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        for _ in scenario:
            pass
        best = min(best, time.perf_counter() - start)
    assert 30_000 / best >= 30_000


# Scenario-level validation


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"drifts": []}, r"2 concept\(s\) need 1 drift\(s\)"),
        ({"drifts": [Drift(20_000)]}, "outside the stream"),
        ({"drifts": [Drift(100, "gradual", 400)]}, "must lie within"),
        ({"label_noise": -0.1}, r"label_noise must be a number in \[0, 0.5\]"),
        ({"n_events": 0}, "n_events must be an int >= 1"),
        ({"minority": PriorSchedule([(0, 0.1), (30_000, 0.2)])}, "beyond the stream"),
    ],
)
def test_scenario_rejects_bad_configuration(kwargs, message):
    config = {
        "concepts": [Concept("SEA"), Concept("SEA", {"variant": 1})],
        "minority": 0.01,
        "n_events": 10_000,
        "drifts": [Drift(5_000)],
        **kwargs,
    }
    with pytest.raises(ConfigError, match=message):
        Scenario(**config)


def test_drifts_must_not_overlap():
    concepts = [Concept("SEA", {"variant": v}) for v in (0, 1, 2)]
    with pytest.raises(ConfigError, match="increasing order, must not overlap"):
        Scenario(concepts, 0.01, 10_000, drifts=[Drift(5_000, "gradual", 2_000), Drift(5_500)])


# Named scenarios


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_named_scenario_yields_what_it_advertises(name):
    scenario = get_scenario(name)
    n = 0
    for x, y in scenario:
        n += 1
        assert type(y) is bool
        assert x and all(type(value) is float for value in x.values())
    assert n == scenario.n_events
    assert all(0 < position < n for position, _ in scenario.drift_points)
    assert scenario.minority_label is True
    assert name in scenario.describe()


def test_named_scenarios_cover_the_imbalance_range():
    shares = [
        share
        for name in SCENARIOS
        for _, share, _ in get_scenario(name, n_events=1_000).schedule.breakpoints
    ]
    assert min(shares) <= 1 / 501 and max(shares) >= 1 / 51


def test_named_scenario_positions_scale_with_its_length():
    assert get_scenario("sea-abrupt").drift_points == [(15_000, "concept"), (30_000, "concept")]
    assert get_scenario("sea-abrupt", n_events=3_000).drift_points == [
        (1_000, "concept"),
        (2_000, "concept"),
    ]
    assert get_scenario("prior-shift").drift_points == [(10_000, "prior"), (20_000, "prior")]


def test_unknown_scenario_name_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="unknown scenario 'nope'; valid names: demo, "):
        get_scenario("nope")


# TOML files

EXAMPLE = """
name = "my-stream"
n_events = 20000
seed = 1
label_noise = 0.0

[[concepts]]
generator = "SEA"
params = { variant = 0 }

[[concepts]]
generator = "SEA"
params = { variant = 3 }

[[drifts]]
position = 10000
kind = "abrupt"
width = 0

[[minority]]
position = 0
share = 0.01
shape = "step"
"""


def _write(tmp_path, text, name="scenario.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_load_the_documented_example(tmp_path):
    scenario = load_scenario_file(_write(tmp_path, EXAMPLE))
    assert (scenario.name, scenario.n_events, scenario.seed) == ("my-stream", 20_000, 1)
    assert [c.params["variant"] for c in scenario.concepts] == [0, 3]
    assert scenario.drift_points == [(10_000, "concept")]
    assert scenario.schedule(15_000) == 0.01


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_toml_round_trip(tmp_path, name):
    scenario = get_scenario(name, seed=3)
    loaded = load_scenario_file(_write(tmp_path, scenario_to_toml(scenario)))
    assert scenario_to_toml(loaded) == scenario_to_toml(scenario)
    assert list(loaded.take(1_000)) == list(scenario.take(1_000))


def test_suite_file(tmp_path):
    suite = """
[[scenario]]
name = "a"
n_events = 1000
minority = 0.02
[[scenario.concepts]]
generator = "STAGGER"

[[scenario]]
n_events = 2000
minority = 0.01
[[scenario.concepts]]
generator = "Hyperplane"
params = { n_features = 4 }
"""
    path = _write(tmp_path, suite, "bench.toml")
    scenarios = load_scenario_suite(path)
    assert [(s.name, s.n_events) for s in scenarios] == [("a", 1_000), ("bench-1", 2_000)]
    assert [s.name for s in load_scenario_suite(_write(tmp_path, EXAMPLE))] == ["my-stream"]
    with pytest.raises(ConfigError, match="load_scenario_suite"):
        load_scenario_file(path)
    duplicated = suite.replace("n_events = 2000", 'name = "a"\nn_events = 2000')
    with pytest.raises(ConfigError, match="two scenarios are named 'a'"):
        load_scenario_suite(_write(tmp_path, duplicated))
    with pytest.raises(ConfigError, match=r"scenario\[1\]: unknown key 'nevents'"):
        load_scenario_suite(_write(tmp_path, suite.replace("n_events = 2000", "nevents = 2")))


def _edit(old: str, new: str) -> str:
    assert old in EXAMPLE
    return EXAMPLE.replace(old, new)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("n_events = 1\nseed = = 1\n", r"invalid TOML: .*line 2"),
        (_edit("seed = 1", "seed = 1\nsed = 2"), "unknown key 'sed'; valid keys: name, n_events"),
        (_edit("params = { variant = 0 }", "parms = {}"), r"concepts\[0\]: unknown key 'parms'"),
        (_edit('kind = "abrupt"', 'kind = "abrupt"\nwidht = 3'), r"drifts\[0\]: unknown key"),
        (_edit("n_events = 20000", 'n_events = "20000"'), "'n_events' must be an integer, got str"),
        (_edit("seed = 1", "seed = true"), "'seed' must be an integer, got bool"),
        (_edit("share = 0.01", 'share = "1%"'), r"minority\[0\]: 'share' must be a number"),
        (_edit("n_events = 20000\n", ""), "missing required key 'n_events'"),
        (
            _edit('generator = "SEA"\nparams = { variant = 3 }', 'generator = "SAE"'),
            r"concepts\[1\]: unknown generator 'SAE'; valid generators: Agrawal, Hyperplane",
        ),
        (
            _edit("variant = 3", "varient = 3"),
            r"concepts\[1\]: bad params for SEA\(varient=3\): .*unexpected keyword .*'varient'",
        ),
        (_edit("variant = 3", "variant = 7"), r"bad params for SEA\(variant=7\): Unknown variant"),
        (_edit("share = 0.01", "share = 1.5"), r"share must be a number in \(0, 1\)"),
        (_edit("share = 0.01", "share = 0"), r"share must be a number in \(0, 1\)"),
        (
            EXAMPLE + "[[minority]]\nposition = 0\nshare = 0.1\n",
            "positions must increase strictly, got 0 then 0",
        ),
        (EXAMPLE + "[[minority]]\nposition = 25000\nshare = 0.1\n", "beyond the stream"),
        (_edit("position = 10000", "position = 30000"), "outside the stream"),
        (_edit("[[drifts]]", "[[drifts]]\nposition = 1\n[[drifts]]"), r"2 concept\(s\) need 1"),
        (_edit('kind = "abrupt"', 'kind = "sudden"'), r"drifts\[0\]: drift kind must be one of"),
        (_edit('kind = "abrupt"', 'kind = "gradual"'), "gradual drift at 10000: width must be > 0"),
        (_edit("label_noise = 0.0", "label_noise = -0.1"), r"label_noise must be .* \[0, 0.5\]"),
    ],
)
def test_malformed_scenario_file(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as error:
        load_scenario_file(path)
    assert str(error.value).startswith(f"{path}: ")


def test_missing_scenario_file(tmp_path):
    with pytest.raises(ConfigError, match="scenario file not found: .*absent.toml"):
        load_scenario_file(tmp_path / "absent.toml")


def test_scenario_from_dict_needs_tables():
    with pytest.raises(ConfigError, match="'concepts' must be an array of tables"):
        scenario_from_dict({"n_events": 10, "concepts": ["SEA"], "minority": 0.1})
