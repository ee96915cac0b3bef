"""The garbage collector's settings for a long run (the service, a replay).

A long run holds a few hundred thousand objects that live as long as it does (the modules it
imported, its model, its Kafka clients), and its per-event garbage holds almost no reference
cycle. CPython's collector walks every object it tracks at each full collection, and starts one
whenever the objects that survived younger collections since the last reach a quarter of
those: in the service, 3-4 full collections per 20,000 messages, about 140 ms each, so 20-30 us
per message, a fifth of its time (`docs/service.md`). Its young collections ran every 700
allocations, about once every 50 messages.

`settle` makes young collections rarer, and moves what is alive into the collector's permanent
generation (`gc.freeze`), so that the collections that follow walk only what was made after
it. An object frozen is still freed when its last reference goes, but not when it becomes part
of an unreachable reference cycle: a model and a service's state hold none
(`tests/test_heap.py`), a client's internals may. So every `FULL_EVERY_S` at most, `settle`
collects the frozen objects too: what freezing holds back is bounded by the cyclic garbage of
those minutes, for one full collection (about 140 ms in the service) each time.

>>> import gc
>>> from stream_imbal.heap import YOUNG_THRESHOLD, settle
>>> settle()
>>> gc.get_freeze_count() > 0 and gc.get_threshold()[0] == YOUNG_THRESHOLD
True
>>> gc.unfreeze(); gc.set_threshold(700, 10, 10)  # back to CPython's defaults

"""

from __future__ import annotations

import gc
import math
import time

__all__ = ["FULL_EVERY_S", "YOUNG_THRESHOLD", "settle"]

#: Allocations between two young collections (CPython's default is 700; 3.13's 2,000): at
#: about 10 tracked objects per message, one every 1,000 messages, each a few ms.
YOUNG_THRESHOLD = 10_000
#: Seconds between two collections of the frozen objects too.
FULL_EVERY_S = 600.0

_full_at = -math.inf  # when `settle` last collected the frozen objects too


def settle() -> None:
    """Collect the garbage (the frozen objects' too, if `FULL_EVERY_S` have passed since they
    last were), then exempt every object alive from the collections to come, and collect the
    young generation every `YOUNG_THRESHOLD` allocations. Call it once the long-lived objects
    are made (a model loaded or restored) and now and then (at checkpoints)."""
    global _full_at
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    now = time.monotonic()
    if now - _full_at >= FULL_EVERY_S:
        gc.unfreeze()
        _full_at = now
    gc.collect()
    gc.freeze()
