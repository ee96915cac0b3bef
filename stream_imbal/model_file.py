"""Model files: a model trained on history, saved to start another run or the service from.

`evaluate --save-model` and `replay --save-model` write one at the end of a run;
`--init-model` (and the service's `[model] init`) start from it instead of a new model, so the
first events are scored by a model that has already learnt. A model file is a pickle, and
unpickling runs code, so it is signed with the key in `$STREAM_IMBAL_CHECKPOINT_KEY` by the
rule of the service's checkpoints (`stream_imbal.signing`) and loaded only when the signature
holds; it names the stream-imbal version that wrote it, and another version refuses it.

>>> import os, pathlib, tempfile
>>> from river import linear_model
>>> os.environ.setdefault(KEY_ENV, "a-secret-of-16-characters-or-more")
'...'
>>> path = pathlib.Path(tempfile.mkdtemp()) / "model.bin"
>>> save_model(path, TrainedModel(linear_model.LogisticRegression(), {0: 9, 1: 1}, 10, "lr"))
>>> load_model(path).class_counts
{0: 9, 1: 1}

"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import pickle
from collections.abc import Hashable
from typing import TYPE_CHECKING

from stream_imbal import __version__
from stream_imbal.exceptions import ConfigError
from stream_imbal.signing import SnapshotError, key_from_environment, sign, verify

if TYPE_CHECKING:
    from stream_imbal.missing import MissingValues

__all__ = ["KEY_ENV", "TrainedModel", "load_model", "save_model"]

KEY_ENV = "STREAM_IMBAL_CHECKPOINT_KEY"


@dataclasses.dataclass
class TrainedModel:
    """A model with what it has learnt: events per class, how many, its description, and the
    missing-value policy with what it has learnt of the features (their schema and means)."""

    model: object
    class_counts: dict[Hashable, int]
    learned: int
    description: str
    version: str = __version__
    missing: MissingValues | None = None


def save_model(path: str | os.PathLike, trained: TrainedModel, key: bytes | None = None) -> None:
    """Write `trained`, signed with `key` (default: `$STREAM_IMBAL_CHECKPOINT_KEY`), to `path`
    (replaced atomically)."""
    payload = sign(pickle.dumps(trained, protocol=pickle.HIGHEST_PROTOCOL), key or _key())
    path = pathlib.Path(path)
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_bytes(payload)
        temporary.replace(path)
    except OSError as error:
        raise ConfigError(f"{path}: cannot write the model file: {error}") from None


def load_model(path: str | os.PathLike, key: bytes | None = None) -> TrainedModel:
    """The model file at `path`, checked against `key` (default: `$STREAM_IMBAL_CHECKPOINT_KEY`),
    or `ConfigError` saying why it cannot be used."""
    path = pathlib.Path(path)
    try:
        blob = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the model file: {error.strerror}") from None
    try:
        trained = pickle.loads(verify(blob, key or _key()))
    except SnapshotError as error:
        raise ConfigError(f"{path}: not a model file of ours: {error}") from None
    except Exception as error:  # signed by us, yet unreadable: another version wrote it
        raise ConfigError(
            f"{path}: a model file that stream-imbal {__version__} cannot read "
            f"({type(error).__name__}: {error})"
        ) from None
    if not isinstance(trained, TrainedModel):
        raise ConfigError(f"{path}: holds a {type(trained).__name__}, not a trained model")
    if trained.version != __version__:
        raise ConfigError(
            f"{path}: written by stream-imbal {trained.version}, not {__version__}: train it "
            "again with this version"
        )
    return trained


def _key() -> bytes:
    try:
        return key_from_environment(KEY_ENV)
    except SnapshotError as error:
        raise ConfigError(str(error)) from None
