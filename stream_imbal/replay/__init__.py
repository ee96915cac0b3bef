"""Replay a historical stream from a file, as a live system would have seen it.

`FileReader` reads the rows of a CSV, Parquet or JSONL file in event-time order (bad rows go to
a `BadRows` policy), `LabelTimeline` delivers their events and, after a `LabelDelay`, their
labels, and `DirectReplay` runs a classifier on that timeline in-process: it scores each event
when it arrives and learns it when its label comes. The `stream-imbal replay` command does all
of it, or sends the timeline to Kafka instead (`consumers.replay_producer`).

"""

from __future__ import annotations

from stream_imbal.replay.delay import Event, Label, LabelDelay, LabelTimeline, parse_duration
from stream_imbal.replay.direct import DirectReplay, Prediction, PredictionsCSV
from stream_imbal.replay.reader import (
    BadRowError,
    BadRows,
    ColumnMap,
    FileReader,
    Row,
    epoch_seconds,
)

__all__ = [
    "BadRowError",
    "BadRows",
    "ColumnMap",
    "DirectReplay",
    "Event",
    "FileReader",
    "Label",
    "LabelDelay",
    "LabelTimeline",
    "Prediction",
    "PredictionsCSV",
    "Row",
    "epoch_seconds",
    "parse_duration",
]
