"""How events meet their labels: one set of settings, and of defaults, for replay and the service.

The online core (`stream_imbal.online.ScoreThenLearn`) keeps each event whose label is still to
come in a bounded store (`stream_imbal.pending`), keeps each label that came before its event,
and refuses timestamps too far ahead of its clock (`stream_imbal.event_clock`). `replay` builds
these settings from its options, the service's `[labels]` section is these settings (plus how
it reads the labels topic), so "replay equals the service" holds at every size and age.

>>> from stream_imbal.join import JoinSettings
>>> join = JoinSettings(pending_max=1000, pending_ttl_seconds=3600.0)
>>> join.pending_store().max_size, join.early_max
(1000, 100000)

"""

from __future__ import annotations

import dataclasses

from stream_imbal.event_clock import MAX_AHEAD, MAX_AHEAD_OF_WALL, EventTimeGuard
from stream_imbal.pending import EARLY_MAX, PENDING_MAX, PENDING_TTL, PendingLabels

__all__ = ["JoinSettings"]


@dataclasses.dataclass(frozen=True)
class JoinSettings:
    """Bounds of the join of events and labels.

    Parameters
    ----------
    pending_max
        Events waiting for their label, at most (the oldest is evicted, and counted).
    pending_ttl_seconds
        Event time an event waits for its label, at most.
    early_max
        Labels that came before their event, at most.
    max_ahead_of_stream_seconds
        A timestamp further ahead of the clock (the latest time read) is refused rather than
        moving the clock and expiring the waiting events; 0: no limit.
    max_ahead_of_wall_clock_seconds
        ... or further ahead of the wall clock (a producer's clock skew); 0: no limit. Only
        where events come live with a wall clock (the service): a replayed file's times are
        its own.

    """

    pending_max: int = PENDING_MAX
    pending_ttl_seconds: float = PENDING_TTL
    early_max: int = EARLY_MAX
    max_ahead_of_stream_seconds: float = MAX_AHEAD
    max_ahead_of_wall_clock_seconds: float = MAX_AHEAD_OF_WALL

    def pending_store(self) -> PendingLabels:
        return PendingLabels(self.pending_max, self.pending_ttl_seconds)

    def guard(self) -> EventTimeGuard:
        return EventTimeGuard(
            self.max_ahead_of_stream_seconds, self.max_ahead_of_wall_clock_seconds
        )
