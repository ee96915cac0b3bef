"""Names a package imports from its modules on first use (PEP 562), so that a command pays for
pandas, river or matplotlib only once it needs them."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

__all__ = ["lazy_attributes"]


def lazy_attributes(package: str, where: Mapping[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` for `package` that imports each name of `where` from the module
    of `package` that `where` names.

    >>> getattr_ = lazy_attributes("stream_imbal.replay", {"LabelDelay": "delay"})
    >>> getattr_("LabelDelay").__name__
    'LabelDelay'
    >>> getattr_("Nothing")
    Traceback (most recent call last):
    ...
    AttributeError: module 'stream_imbal.replay' has no attribute 'Nothing'
    """

    def __getattr__(name: str) -> object:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{where[name]}"), name)

    return __getattr__
