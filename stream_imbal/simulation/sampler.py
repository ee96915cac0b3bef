"""Draw events of a chosen class from a labelled stream."""

from __future__ import annotations

import collections
import functools
import itertools
from collections.abc import Hashable, Iterable

from stream_imbal.exceptions import ConfigError

__all__ = ["ClassConditionalSampler"]


class ClassConditionalSampler:
    """Sample x given y from a stream of `(x, y)` events, by rejection with bounded buffers.

    `draw(label)` returns the features of the next event of class `label`. Events of other
    classes met on the way are kept, per class, in a buffer of at most `buffer_size` events (the
    oldest are dropped first) and served by later draws of their class, so few events are
    wasted. Which events are kept does not depend on x, so each class's events stay an unbiased
    sample of P(x | y) of a stationary stream. A generator that drifts by itself moves on while an
    event waits, by at most `buffer_size` events of its class.

    Parameters
    ----------
    stream
        An iterable of `(x, y)` pairs, e.g. a river dataset.
    buffer_size
        Most events kept per class; 0 keeps none (every draw reads the stream).
    max_draws
        Most events read by one draw before giving up: the stream cannot produce that class.

    Examples
    --------
    >>> from river.datasets import synth
    >>> from stream_imbal.simulation import ClassConditionalSampler
    >>> sampler = ClassConditionalSampler(synth.SEA(seed=1), buffer_size=8)
    >>> x = sampler.draw(False)
    >>> x[0] + x[1] > 8  # SEA's variant 0 labels x0 + x1 > 8 as True
    False
    >>> sampler.buffered
    {False: 0, True: 1}

    """

    def __init__(self, stream: Iterable, buffer_size: int = 64, max_draws: int = 100_000):
        if buffer_size < 0 or max_draws < 1:
            raise ConfigError(
                f"buffer_size must be >= 0 and max_draws >= 1, got {buffer_size} and {max_draws}"
            )
        self.stream = stream
        self.buffer_size = buffer_size
        self.max_draws = max_draws
        self._events = iter(stream)
        self._buffers: dict[Hashable, collections.deque] = collections.defaultdict(
            functools.partial(collections.deque, maxlen=buffer_size)
        )

    def draw(self, label: Hashable) -> dict:
        """Features of the next event of class `label`."""
        buffers = self._buffers
        buffer = buffers[label]
        if buffer:
            return buffer.popleft()
        for x, y in itertools.islice(self._events, self.max_draws):
            if y == label:
                return x
            buffers[y].append(x)
        raise ConfigError(
            f"the stream produced no event of class {label!r} in {self.max_draws} draws "
            "(or ended): it cannot generate that class"
        )

    @property
    def buffered(self) -> dict[Hashable, int]:
        """Number of events waiting in each class's buffer."""
        return {label: len(buffer) for label, buffer in self._buffers.items()}
