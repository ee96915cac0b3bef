"""One record schema: the same corpus of odd ids, labels and features gets the same verdict
through every entry point (the library's checks, the service's message decoding, replay's and
evaluate's file reading), because all of them call `stream_imbal.validation`."""

from __future__ import annotations

import json

import pytest

from consumers.messages import BadMessage, MessageSchema, decode_event
from stream_imbal.exceptions import StreamImbalError
from stream_imbal.files import read_labelled_events
from stream_imbal.replay import BadRows, FileReader
from stream_imbal.validation import check_features, event_id, record_label

GOOD = {"id": "e1", "ts": 1_700_000_000.0, "a": 0.5, "label": 1}

# (what, the fields that differ from GOOD, the verdict: None refused, else (id, a, label))
CASES = [
    ("good", {}, ("e1", 0.5, 1)),
    ("integer id", {"id": 7}, (7, 0.5, 1)),
    ("empty id", {"id": ""}, None),
    ("blank id", {"id": "   "}, None),
    ("id too long", {"id": "x" * 1100}, None),
    ("float id", {"id": 1.5}, None),
    ("bool feature", {"a": True}, ("e1", 1.0, 1)),
    ("feature beyond 1e100", {"a": 1e200}, None),
    ("feature at the limit", {"a": -1e100}, ("e1", -1e100, 1)),
    ("label 1.0 is the class 1", {"label": 1.0}, ("e1", 0.5, 1)),
    ("label 0.5", {"label": 0.5}, None),
    ("string label", {"label": "fraud"}, ("e1", 0.5, "fraud")),
    ("bool label", {"label": False}, ("e1", 0.5, False)),
]
IDS = [what for what, _, _ in CASES]


def _library(fields: dict):
    try:
        x = {"a": fields["a"]}
        check_features(x)
        return event_id(fields["id"]), float(fields["a"]), record_label(fields["label"])
    except StreamImbalError:
        return None


def _service(fields: dict):
    body = {"id": fields["id"], "ts": fields["ts"], "features": {"a": fields["a"]}}
    body["label"] = fields["label"]
    schema = MessageSchema(max_message_bytes=100_000)
    try:
        event = decode_event(json.dumps(body).encode(), schema, record_ts=0.0)
    except BadMessage:
        return None
    return event.event_id, float(event.features["a"]), event.label


def _replay(fields: dict, tmp_path):
    path = tmp_path / "replay.jsonl"
    path.write_text(json.dumps(fields) + "\n")
    bad_rows = BadRows("skip")
    rows = list(FileReader(path, on_bad_row=bad_rows))
    if not rows:
        assert bad_rows.skipped == 1
        return None
    (row,) = rows
    return row.event_id, row.features["a"], row.label


def _evaluate(fields: dict, tmp_path):
    path = tmp_path / "evaluate.jsonl"
    path.write_text(json.dumps({"a": fields["a"], "label": fields["label"]}) + "\n")
    try:
        ((x, y),) = list(read_labelled_events(path, "label"))
    except StreamImbalError:
        return None
    return x["a"], y


@pytest.mark.parametrize("fields, verdict", [(f, v) for _, f, v in CASES], ids=IDS)
def test_every_entry_point_gives_the_same_verdict(fields, verdict, tmp_path):
    fields = GOOD | fields
    assert _library(fields) == verdict
    assert _service(fields) == verdict
    assert _replay(fields, tmp_path) == verdict
    # evaluate reads no ids: its verdict is that of the same row with a good id
    with_good_id = _library(fields | {"id": GOOD["id"]})
    assert _evaluate(fields, tmp_path) == (with_good_id[1:] if with_good_id else None)


def test_labels_of_the_same_class_are_equal_whatever_the_entry_point():
    # 1, 1.0 and True are one class in Python (equal and of equal hash): river sees one class.
    assert record_label(1.0) == record_label(1) == 1 and hash(record_label(1.0)) == hash(1)


def test_one_timestamp_rule_for_replay_and_the_service(tmp_path):
    from stream_imbal.replay import epoch_seconds
    from stream_imbal.validation import timestamp_seconds

    cells = [60, "60.5", "1970-01-01T00:02:00Z", "1970-01-01 01:00+01:00", "1970-01-01T00:00:30"]
    expected = [60.0, 60.5, 120.0, 0.0, 30.0]
    assert [timestamp_seconds(c) for c in cells] == expected
    import pandas as pd

    assert epoch_seconds(pd.Series([*cells, "yesterday", None], dtype=object)).tolist()[:5] == (
        expected
    )
    for cell, seconds in zip(cells, expected, strict=True):
        body = {"id": "e1", "ts": cell, "features": {"a": 1.0}}
        event = decode_event(json.dumps(body).encode(), MessageSchema(), record_ts=0.0)
        assert event.ts == seconds
    with pytest.raises(BadMessage, match="field 'ts': not an ISO-8601 time: 'yesterday'"):
        decode_event(b'{"id": "e1", "ts": "yesterday", "features": {"a": 1}}', MessageSchema(), 0)


def test_an_empty_feature_name_is_refused_everywhere(tmp_path):
    with pytest.raises(StreamImbalError, match="a feature has an empty name"):
        check_features({"": 1.0})
    body = {"id": "e1", "ts": 1.0, "features": {"": 1.0, "a": 2.0}}
    with pytest.raises(BadMessage, match="a feature has an empty name"):
        decode_event(json.dumps(body).encode(), MessageSchema(), record_ts=0.0)


def test_a_duplicate_json_key_takes_its_last_value_in_a_message_and_is_refused_as_a_column(
    tmp_path,
):
    # JSON parsers keep the last value of a key given twice; in a file, the keys of the first
    # line name the columns, and a column named twice is an error (as in a CSV header).
    message = b'{"id": "e1", "features": {"a": 1.0}, "features": {"a": 2.0}}'
    assert decode_event(message, MessageSchema(), record_ts=0.0).features == {"a": 2.0}
    path = tmp_path / "twice.jsonl"
    path.write_text('{"a": 1, "a": 2, "label": 0}\n{"a": 3, "a": 4, "label": 1}\n')
    from stream_imbal.files import choose_features, file_columns

    with pytest.raises(StreamImbalError, match="duplicate column name 'a'"):
        choose_features(file_columns(path), {"label": "label"})
