"""The service's building blocks without a broker: message decoding (the bad-message corpus),
configuration, signed snapshots, the directory store and one partition's state."""

from __future__ import annotations

import base64
import math
import pickle

import orjson
import pytest
from click.testing import CliRunner

from consumers.config import load_config
from consumers.messages import (
    BadMessage,
    MessageSchema,
    dead_letter,
    decode_event,
    decode_label,
    encode_event,
)
from consumers.model_state import ModelState, prediction_message
from consumers.stores import DirectoryStore
from stream_imbal.cli import main
from stream_imbal.event_clock import EventTimeGuard, TimestampTooFarAhead
from stream_imbal.exceptions import ConfigError
from stream_imbal.online import Prediction
from stream_imbal.signing import SnapshotError, sign, verify
from tests.service_harness import REPO

SCHEMA = MessageSchema(max_message_bytes=2_000, max_features=50)
GOOD = {"id": "e1", "ts": 1.0, "features": {"a": 1.0}}


def event(**changes) -> bytes:
    body = {**GOOD, **changes}
    return orjson.dumps({k: v for k, v in body.items() if v is not ...})


# (what is wrong, the message): each is a different way an event can be malformed
BAD_EVENTS = [
    ("not JSON", b"not json"),
    ("empty bytes", b""),
    ("null value (tombstone)", None),
    ("truncated JSON", b'{"id": "e1", "features": {"a": 1'),
    ("invalid UTF-8", b'{"id": "\xff\xfe"}'),
    ("a JSON array", b"[1, 2, 3]"),
    ("a JSON string", b'"hello"'),
    ("a JSON number", b"42"),
    ("missing id", event(id=...)),
    ("null id", event(id=None)),
    ("float id", event(id=1.5)),
    ("boolean id", event(id=True)),
    ("object id", event(id={"a": 1})),
    ("empty id", event(id="")),
    ("missing features", event(features=...)),
    ("features as a list", event(features=[1.0, 2.0])),
    ("empty features", event(features={})),
    ("a string feature", event(features={"a": "12.5"})),
    ("a feature beyond the limit", event(features={"a": 1e200})),
    ("negative infinity", b'{"id": "e1", "features": {"a": -1e999}}'),
    ("a list feature", event(features={"a": [1.0]})),
    ("an empty JSON object", b"{}"),
    ("a lone surrogate in the id", b'{"id": "\\ud800", "features": {"a": 1.0}}'),
    ("timestamp as an object", event(ts={"s": 1})),
    ("an id too long", event(id="x" * 1100)),
    ("a nested feature", event(features={"a": {"b": 1}})),
    ("NaN literal", b'{"id": "e1", "features": {"a": NaN}}'),
    ("infinite number", b'{"id": "e1", "features": {"a": 1e999}}'),
    ("float label", event(label=0.5)),
    ("list label", event(label=[1])),
    ("object label", event(label={"y": 1})),
    ("unparseable timestamp", event(ts="yesterday")),
    ("boolean timestamp", event(ts=True)),
    ("an id beyond 64 bits", b'{"id": 1180591620717411303424, "features": {"a": 1.0}}'),
    ("an id of 2**64", b'{"id": 18446744073709551616, "features": {"a": 1.0}}'),
    ("an id below -2**63", b'{"id": -9223372036854775809, "features": {"a": 1.0}}'),
    ("an id as a float beyond 2**53", b'{"id": 1.2e21, "features": {"a": 1.0}}'),
    (
        "a label beyond 64 bits",
        b'{"id": "e1", "features": {"a": 1.0}, "label": 36893488147419103232}',
    ),
    (
        "a timestamp of 400 digits",
        b'{"id": "e1", "ts": 1%s, "features": {"a": 1.0}}' % (b"0" * 400),
    ),
    ("a label too long", event(label="y" * 2_000)),
    ("oversized message", event(features={f"f{i}": 1.0 for i in range(200)})),
    ("too many features", event(features={f"f{i}": 1.0 for i in range(60)})),
]
BAD_LABELS = [
    ("label message without a label", orjson.dumps({"id": "e1", "ts": 1.0})),
    ("label message without an id", orjson.dumps({"label": True})),
    ("label message, float label", orjson.dumps({"id": "e1", "label": 0.3})),
    ("label message, not JSON", b"{label"),
    ("label message, null label", orjson.dumps({"id": "e1", "label": None})),
    ("label message, boolean id", orjson.dumps({"id": False, "label": True})),
    ("label message, id beyond 64 bits", b'{"id": 18446744073709551616, "label": 1}'),
    ("label message, label beyond 64 bits", b'{"id": "e1", "label": -9223372036854775809}'),
]


def test_the_corpus_has_at_least_forty_kinds_of_bad_message():
    assert len(BAD_EVENTS) + len(BAD_LABELS) >= 40
    assert len({value for _, value in BAD_EVENTS}) == len(BAD_EVENTS)


@pytest.mark.parametrize("kind, value", BAD_EVENTS, ids=[k for k, _ in BAD_EVENTS])
def test_a_bad_event_is_refused_with_a_specific_reason(kind, value):
    with pytest.raises(BadMessage) as error:
        decode_event(value, SCHEMA, record_ts=0.0)
    reason = str(error.value)
    assert reason and "Traceback" not in reason
    assert len(reason) < 300


@pytest.mark.parametrize("kind, value", BAD_LABELS, ids=[k for k, _ in BAD_LABELS])
def test_a_bad_label_message_is_refused(kind, value):
    with pytest.raises(BadMessage):
        decode_label(value, SCHEMA, record_ts=0.0)


def test_reasons_name_the_field_at_fault():
    with pytest.raises(BadMessage, match="feature 'a' is not numeric: '12.5'"):
        decode_event(event(features={"a": "12.5"}), SCHEMA, 0.0)
    with pytest.raises(BadMessage, match="too large: .* > max_message_bytes=2000"):
        decode_event(BAD_EVENTS[-2][1], SCHEMA, 0.0)
    with pytest.raises(BadMessage, match="field 'label': label must be a bool, an integer or a"):
        decode_event(event(label=0.5), SCHEMA, 0.0)


def test_good_events_decode_with_defaults_and_custom_field_names():
    decoded = decode_event(event(label="fraud"), SCHEMA, record_ts=5.0)
    assert (decoded.event_id, decoded.ts, decoded.features, decoded.label) == (
        "e1",
        1.0,
        {"a": 1.0},
        "fraud",
    )
    no_ts = decode_event(orjson.dumps({"id": 7, "features": {"x": 2}}), SCHEMA, record_ts=5.0)
    assert no_ts.ts == 5.0 and no_ts.label is None
    iso = decode_event(event(ts="2026-01-01T00:00:00+00:00"), SCHEMA, 0.0)
    assert iso.ts == 1767225600.0
    custom = MessageSchema(id_field="tx", features_field="x", label_field="y", ts_field="t")
    body = encode_event("t1", 3.0, {"v": 1.0}, True, schema=custom)
    assert orjson.loads(body) == {"tx": "t1", "t": 3.0, "x": {"v": 1.0}, "y": True}
    assert decode_event(body, custom, 0.0).label is True


def test_config_errors_are_clear(tmp_path):
    required = {
        "STREAM_IMBAL__TOPICS__EVENTS": "e",
        "STREAM_IMBAL__TOPICS__PREDICTIONS": "p",
        "STREAM_IMBAL__TOPICS__DEAD_LETTERS": "d",
    }
    path = tmp_path / "s.toml"
    cases = [
        ("[kafka]\nbootstrap = 'x'\n", "unknown key"),
        ("[kafka]\nsession_timeout_ms = 'soon'\n", "must be int"),
        ("[topic]\nevents = 'x'\n", "unknown section"),
        ("[model]\npreset = 'forest'\n", "not one of"),
        ("[checkpoint]\nevery_events = 0\n", "must be positive"),
        ("[checkpoint]\nmax_time_share = 0\n", r"max_time_share must be in \(0, 1\]"),
        ("[checkpoint]\nmax_time_share = 1.5\n", r"max_time_share must be in \(0, 1\]"),
        ("[checkpoint\n", "not valid TOML"),
        ("[logging]\njson = 'yes'\n", "must be bool"),
        ("[logging]\nclient_level = 'LOUD'\n", r"client_level must be one of"),
        ("[metrics]\nhost = '0.0.0.0:9100'\n", r"\[metrics\] host must be an address"),
    ]
    for text, message in cases:
        path.write_text(text)
        with pytest.raises(ConfigError, match=message):
            load_config(path, environ=required)
    with pytest.raises(ConfigError, match=r"\[topics\] events: a topic name is required"):
        load_config(environ={})
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "missing.toml", environ=required)
    with pytest.raises(ConfigError, match="must be int, got 'many'"):
        load_config(environ={**required, "STREAM_IMBAL__KAFKA__MAX_POLL_RECORDS": "many"})


def test_environment_overrides_the_file(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        "[kafka]\nbootstrap_servers = 'a:9092'\n[kafka.security]\nsecurity_protocol = 'SSL'\n"
        "[topics]\nevents = 'e'\npredictions = 'p'\ndead_letters = 'd'\n"
    )
    config = load_config(
        path,
        environ={
            "STREAM_IMBAL__KAFKA__BOOTSTRAP_SERVERS": "b:9092",
            "STREAM_IMBAL__KAFKA__SECURITY__SSL_CAFILE": "/ca.pem",
            "STREAM_IMBAL__LOGGING__JSON": "true",
            "STREAM_IMBAL__LABELS__PENDING_TTL_SECONDS": "60",
        },
    )
    assert config.kafka.bootstrap_servers == "b:9092"
    assert config.kafka.security == {"security_protocol": "SSL", "ssl_cafile": "/ca.pem"}
    assert config.logging.json is True and config.labels.pending_ttl_seconds == 60.0
    assert config.topic_names == ["e"]


def test_serve_reports_configuration_errors_as_usage_errors(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[kafka]\nbootstrp_servers = 'x'\n")
    result = CliRunner().invoke(main, ["serve", "--config", str(path)])
    assert result.exit_code == 2 and "unknown key(s) ['bootstrp_servers']" in result.output


def test_snapshots_unsigned_tampered_or_foreign_are_refused():
    blob = sign(pickle.dumps({"state": 1}), b"k" * 16)
    assert pickle.loads(verify(blob, b"k" * 16)) == {"state": 1}
    with pytest.raises(SnapshotError, match="not signed"):
        verify(pickle.dumps({"state": 1}), b"k" * 16)
    with pytest.raises(SnapshotError, match="mismatch"):
        verify(blob, b"other key 123456")
    with pytest.raises(SnapshotError, match="mismatch"):
        verify(blob[:-1] + bytes([blob[-1] ^ 1]), b"k" * 16)
    with pytest.raises(SnapshotError, match="truncated"):
        verify(blob[:10], b"k" * 16)


def test_directory_store_replaces_atomically(tmp_path):
    store = DirectoryStore(tmp_path / "ck")
    assert store.load("g.events.0") is None
    store.save("g.events.0", b"one")
    store.save("g.events.0", b"two")
    assert store.load("g.events.0") == b"two"
    assert [p.name for p in (tmp_path / "ck").iterdir()] == ["g.events.0.ckpt"]


def partition_state(**labels) -> ModelState:
    config = load_config(
        environ={
            "STREAM_IMBAL__TOPICS__EVENTS": "e",
            "STREAM_IMBAL__TOPICS__PREDICTIONS": "p",
            "STREAM_IMBAL__TOPICS__DEAD_LETTERS": "d",
            **{f"STREAM_IMBAL__LABELS__{k.upper()}": str(v) for k, v in labels.items()},
        }
    )
    return ModelState(config, 0)


def decoded(event_id, ts, label=None, a=0.0):
    return decode_event(encode_event(event_id, ts, {"a": a}, label), SCHEMA, 0.0)


def label_message(event_id, label):
    return decode_label(orjson.dumps({"id": event_id, "label": label, "ts": 0.0}), SCHEMA, 0.0)


def test_partition_state_joins_late_and_early_labels_once():
    state = partition_state()
    state.on_event(decoded("a", 1.0, label=False))
    outcome = state.on_event(decoded("b", 2.0))
    assert outcome.learned == 0 and "b" in state.pending
    assert state.on_label(label_message("b", True)).joined == 1
    assert state.on_label(label_message("c", False)).joined == 0  # label before its event
    assert state.on_event(decoded("c", 3.0)).learned == 1
    assert state.learned == state.model.n_seen == 3 and not state.core.early_labels
    assert state.on_label(label_message("b", True)).learned == 0  # a duplicate: not relearned
    restored = pickle.loads(pickle.dumps(state))
    x = {"a": 0.3}
    assert restored.model.predict_proba_one(x) == state.model.predict_proba_one(x)


def test_partition_state_counts_evictions_and_unmatched_labels():
    state = partition_state(pending_max=2, pending_ttl_seconds=10, early_max=1)
    state.on_event(decoded("a", 0.0))
    state.on_event(decoded("b", 1.0))
    assert [e.event_id for e in state.on_event(decoded("c", 2.0)).evicted["full"]] == ["a"]
    outcome = state.on_event(decoded("d", 50.0))  # "d" pushes "b" out; "c" is 48 s old
    assert [e.event_id for e in outcome.evicted["full"]] == ["b"]
    assert [e.event_id for e in outcome.evicted["expired"]] == ["c"]
    assert state.pending.evictions == {"full": 2, "expired": 1}
    state.on_label(label_message("x", True))
    assert state.on_label(label_message("y", True)).unmatched_labels == 1
    assert state.core.unmatched_labels == 1
    prediction = prediction_message(state.on_event(decoded("e", 51.0)).prediction, state.name)
    assert prediction["id"] == "e" and prediction["model_version"] == "p0.0"
    assert prediction["status"] == "warming_up" and not math.isnan(prediction["ts"])
    assert prediction["score"] is None and prediction["decision"] is None
    # every field of the prediction, its count of events learnt as the model's version
    assert list(prediction) == [f for f in Prediction._fields if f != "learned"] + ["model_version"]


@pytest.mark.parametrize("size", [0, 10, 700_000, 900_000, 5_000_000])
def test_a_dead_letter_is_cut_to_fit_and_says_so(size):
    original = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    letter = dead_letter(original, "events", 3, 41, "r" * 10_000, max_bytes=1_000_000)
    assert len(letter) <= 1_000_000
    body = orjson.loads(letter)
    kept = base64.b64decode(body["value_base64"])
    assert original.startswith(kept) and body["value_bytes"] == size
    assert body["truncated"] == (len(kept) < size) == (size > 740_000)
    assert (body["topic"], body["partition"], body["offset"]) == ("events", 3, 41)
    assert body["reason"].startswith("rrr") and body["reason"].endswith("(10000 characters)")


def test_a_timestamp_far_ahead_of_the_clock_is_refused_where_it_is_checked():
    guard = EventTimeGuard(max_ahead=86_400.0, max_ahead_of_wall=3_600.0)
    year_9999 = decode_event(event(ts="9999-12-31T00:00:00"), SCHEMA, record_ts=0.0).ts
    wall = 1_800_000_000.0
    guard.check(1_700_000_000.0, clock=-math.inf, wall_now=wall)  # the first event
    guard.check(1_700_086_400.0, clock=1_700_000_000.0, wall_now=wall)  # at the limit
    with pytest.raises(TimestampTooFarAhead, match="ahead of the stream's clock"):
        guard.check(year_9999, clock=1_700_000_000.0, wall_now=wall)
    with pytest.raises(TimestampTooFarAhead, match="ahead of the stream's clock"):
        guard.check(1_700_086_401.0, clock=1_700_000_000.0)  # replay: no wall clock
    with pytest.raises(TimestampTooFarAhead, match="ahead of the wall clock"):
        guard.check(year_9999, clock=-math.inf, wall_now=wall)
    EventTimeGuard(0.0, 0.0).check(year_9999, clock=0.0, wall_now=wall)  # 0: no limits
    with pytest.raises(ConfigError, match="max_ahead"):
        EventTimeGuard(max_ahead=-1.0)


def test_event_time_limits_are_configured_in_the_labels_section(tmp_path):
    base = {
        "STREAM_IMBAL__TOPICS__EVENTS": "e",
        "STREAM_IMBAL__TOPICS__PREDICTIONS": "p",
        "STREAM_IMBAL__TOPICS__DEAD_LETTERS": "d",
    }
    config = load_config(environ=base)
    assert config.labels.max_ahead_of_stream_seconds == 0.0
    assert config.labels.max_ahead_of_wall_clock_seconds == 86_400.0
    shipped = load_config(REPO / "config" / "service.toml", environ={})
    assert shipped.labels == config.labels
    with pytest.raises(ConfigError, match="max_ahead_of_stream_seconds must be >= 0"):
        load_config(environ={**base, "STREAM_IMBAL__LABELS__MAX_AHEAD_OF_STREAM_SECONDS": "-1"})


def test_replay_and_the_service_wait_as_long_for_a_label():
    """90 days by default: chargebacks come weeks after the payment."""
    from stream_imbal.cli.replay import replay
    from stream_imbal.pending import PENDING_MAX, PENDING_TTL
    from stream_imbal.replay import parse_duration

    options = {p.name: p.default for p in replay.params}
    labels = load_config(REPO / "config" / "service.toml", environ={}).labels
    assert parse_duration(options["pending_ttl"]) == labels.pending_ttl_seconds == PENDING_TTL
    assert options["pending_max"] == labels.pending_max == PENDING_MAX
    assert PENDING_TTL >= 90 * 86_400


def test_replay_and_the_service_hold_as_many_early_labels_and_guard_the_same_clocks():
    """One default each, in the library: a replay's core and the service's [labels]."""
    from stream_imbal import OnlineImbalancedClassifier
    from stream_imbal.event_clock import MAX_AHEAD, MAX_AHEAD_OF_WALL
    from stream_imbal.online import ScoreThenLearn
    from stream_imbal.pending import EARLY_MAX
    from stream_imbal.replay import DirectReplay

    labels = load_config(REPO / "config" / "service.toml", environ={}).labels
    core = DirectReplay(OnlineImbalancedClassifier()).core
    assert core.early_max == labels.early_max == EARLY_MAX
    assert ScoreThenLearn(None).early_max == EARLY_MAX
    assert core.guard == EventTimeGuard(
        labels.max_ahead_of_stream_seconds, labels.max_ahead_of_wall_clock_seconds
    )
    assert (core.guard.max_ahead, core.guard.max_ahead_of_wall) == (MAX_AHEAD, MAX_AHEAD_OF_WALL)
