"""One log line per rejected connection, never a traceback, and a cap on how many per time window.

Hostile input must not turn into log amplification: each rejected
connection is described in one INFO line; past ``burst`` lines in ``window``
seconds the rest are only counted, and the next line that gets through says
how many were suppressed.
"""

from __future__ import annotations

import logging
from typing import Callable

__all__ = ["RejectLog"]


class RejectLog:
    def __init__(self, logger: logging.Logger, clock: Callable[[], float], *, burst: int, window: float) -> None:
        self._log = logger
        self._clock = clock
        self._burst = burst
        self._window = window
        self._window_start = -1e18
        self._in_window = 0
        self.suppressed = 0
        self.total = 0

    def reject(self, peer: object, reason: str) -> None:
        self.total += 1
        now = self._clock()
        if now - self._window_start >= self._window:
            self._window_start = now
            self._in_window = 0
        if self._in_window >= self._burst:
            self.suppressed += 1
            return
        self._in_window += 1
        if self.suppressed:
            self._log.info("%s: closed: %s (%d similar lines suppressed)", peer, reason, self.suppressed)
            self.suppressed = 0
        else:
            self._log.info("%s: closed: %s", peer, reason)
