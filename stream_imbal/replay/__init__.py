"""Replay a historical stream from a file, as a live system would have seen it.

`FileReader` reads the rows of a CSV, Parquet or JSONL file in event-time order (bad rows go to
a `BadRows` policy), `LabelTimeline` delivers their events and, after a `LabelDelay`, their
labels, and `DirectReplay` runs a classifier on that timeline in-process: it scores each event
when it arrives and learns it when its label comes. The `stream-imbal replay` command does all
of it, or sends the timeline to Kafka instead (`consumers.replay_producer`).

Each name is imported from its module on first use: `LabelDelay` without pandas nor river, so
that a command checks its options and its file before it pays seconds for them.
"""

from __future__ import annotations

from stream_imbal.lazy import lazy_attributes

#: Name -> the module that defines it.
_MODULES = {
    "BadRowError": "reader",
    "BadRows": "reader",
    "ColumnMap": "reader",
    "FileReader": "reader",
    "Row": "reader",
    "epoch_seconds": "reader",
    "LabelDelay": "delay",
    "parse_duration": "delay",
    "Event": "timeline",
    "Label": "timeline",
    "LabelTimeline": "timeline",
    "DirectReplay": "direct",
    "Prediction": "direct",
    "PredictionsCSV": "direct",
    "PrequentialPredictions": "direct",
}

__all__ = sorted(_MODULES)

__getattr__ = lazy_attributes(__name__, _MODULES)
