"""The stream-imbal Kafka service: a thin layer over the `stream_imbal` library.

Run it with `stream-imbal serve --config service.toml` or `python -m consumers --config ...`.
"""

from __future__ import annotations

from consumers.config import ServiceConfig, load_config
from consumers.service import Service

__all__ = ["Service", "ServiceConfig", "load_config"]
