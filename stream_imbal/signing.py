"""Signed snapshots: a checkpoint, a model snapshot or a model file is a pickle, and unpickling
runs code, so only what is signed with our key (HMAC-SHA256) is ever loaded. The one rule for
the service's checkpoints and model snapshots and for the model files of `--save-model`.

>>> from stream_imbal.signing import sign, verify
>>> blob = sign(b"state", key=b"secret")
>>> verify(blob, key=b"secret")
b'state'
>>> verify(blob[:-1] + b"X", key=b"secret")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
stream_imbal.signing.SnapshotError: snapshot signature mismatch: tampered with, or signed with...

"""

from __future__ import annotations

import hashlib
import hmac
import os

__all__ = ["SnapshotError", "key_from_environment", "sign", "verify"]

MAGIC = b"SIMB1"
DIGEST_SIZE = hashlib.sha256().digest_size


class SnapshotError(Exception):
    """A snapshot is unsigned, tampered with, truncated or unreadable."""


def sign(payload: bytes, key: bytes) -> bytes:
    return MAGIC + hmac.digest(key, payload, "sha256") + payload


def verify(blob: bytes, key: bytes) -> bytes:
    """Return the payload of a signed snapshot; raise `SnapshotError` if it is not ours."""
    if not blob.startswith(MAGIC):
        raise SnapshotError("snapshot is not signed (no stream-imbal signature header)")
    header = len(MAGIC) + DIGEST_SIZE
    if len(blob) < header:
        raise SnapshotError("snapshot is truncated")
    digest, payload = blob[len(MAGIC) : header], blob[header:]
    if not hmac.compare_digest(digest, hmac.digest(key, payload, "sha256")):
        raise SnapshotError(
            "snapshot signature mismatch: tampered with, or signed with another key"
        )
    return payload


def key_from_environment(variable: str) -> bytes:
    """The signing key from environment variable `variable` (at least 16 characters)."""
    key = os.environ.get(variable, "")
    if len(key) < 16:
        raise SnapshotError(
            f"set the checkpoint signing key in ${variable} (at least 16 characters): "
            "checkpoints are pickles and are only loaded when signed with it"
        )
    return key.encode()
