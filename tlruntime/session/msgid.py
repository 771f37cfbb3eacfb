"""Message identifiers: ``msg_id`` = server unixtime * 2**32, strictly increasing.

https://core.telegram.org/mtproto/description#message-identifier-msg-id: the
upper 32 bits are the sender's estimate of *server* time in seconds, the lower
32 bits a sub-second fraction; the two low-order bits tell who sent the
message (0 for the client, 1 for a server response, 3 for a message the
server initiates).  Every id a side generates within a session must be
greater than the previous one, so ties on a coarse clock advance by 4.

This is the one msg_id generator of the runtime: the unencrypted handshake
(:mod:`tlruntime.auth.plain`) uses it through a callable adapter.  The module
imports nothing from the rest of the package but :mod:`tlruntime.protocol`.
"""

from __future__ import annotations

from typing import Callable, Literal

__all__ = [
    "Side",
    "MsgIdGenerator",
    "msg_id_time",
    "time_problem",
    "CLIENT_SUFFIX",
    "RESPONSE_SUFFIX",
    "SERVER_SUFFIX",
    "MAX_PAST",
    "MAX_FUTURE",
]

Side = Literal["client", "server"]

#: ``msg_id % 4`` of client messages.
CLIENT_SUFFIX = 0
#: ``msg_id % 4`` of server messages answering a client message.
RESPONSE_SUFFIX = 1
#: ``msg_id % 4`` of server messages the server sends on its own (updates, notices).
SERVER_SUFFIX = 3

from ..protocol import MAX_FUTURE, MAX_PAST  # noqa: E402 - the window has one home

_SCALE = 1 << 32
_SCALE_FLOAT = float(_SCALE)


def msg_id_time(msg_id: int) -> float:
    """The sender's server-time estimate (unix seconds) carried in ``msg_id``."""
    return msg_id / _SCALE


def time_problem(msg_id: int, now: float) -> int | None:
    """16 (too old) or 17 (too far ahead) when ``msg_id`` is outside the window around ``now``."""
    skew = msg_id / _SCALE - now
    if skew < -MAX_PAST:
        return 16
    if skew > MAX_FUTURE:
        return 17
    return None


class MsgIdGenerator:
    """Generates strictly increasing ``msg_id`` values for one side of a session.

    ``clock`` returns local unix time in seconds; ``time_offset`` (server time
    minus local time, whole seconds) corrects a skewed local clock.  The
    generator never consults the system clock itself, so tests replay exactly.
    """

    __slots__ = ("_clock", "_side", "_offset", "_last", "_suffix", "_response_suffix")

    def __init__(self, clock: Callable[[], float], *, side: Side, time_offset: int = 0) -> None:
        if side not in ("client", "server"):
            raise ValueError(f"side must be 'client' or 'server', got {side!r}")
        self._clock = clock
        self._side: Side = side
        self._offset = int(time_offset)
        self._last = 0
        # The low two bits of every id, chosen once: next() runs once per message sent.
        is_client = side == "client"
        self._suffix = CLIENT_SUFFIX if is_client else SERVER_SUFFIX
        self._response_suffix = CLIENT_SUFFIX if is_client else RESPONSE_SUFFIX

    @property
    def side(self) -> Side:
        return self._side

    @property
    def time_offset(self) -> int:
        """Server time minus local time, in seconds."""
        return self._offset

    @time_offset.setter
    def time_offset(self, value: int) -> None:
        self._offset = int(value)
        # A corrected clock may legitimately go backwards: ids issued with the
        # wrong clock were refused by the peer, so monotonicity restarts here.
        self._last = 0

    def server_time(self) -> float:
        """The current server time as this side estimates it."""
        return self._clock() + self._offset

    def resync(self, server_msg_id: int) -> int:
        """Set ``time_offset`` from a msg_id the server generated; returns the new offset."""
        self.time_offset = round(msg_id_time(server_msg_id) - self._clock())
        return self._offset

    def next(self, response: bool = False) -> int:
        """The next id.  ``response`` matters on the server only (suffix 1 instead of 3).

        Runs once per message sent, so it is kept to one clock reading and
        integer steps (``response`` may be passed positionally for the same reason).
        """
        now = self._clock() + self._offset
        # Whole seconds and fraction apart: ``now * 2**32`` as one float would
        # lose the low bits of the fraction (a double holds 53 bits, the id 64).
        # ``now - whole`` is exact, so this equals the math.modf split.
        whole = int(now)
        base = ((whole << 32) | int((now - whole) * _SCALE_FLOAT)) & -4
        last = self._last
        if base <= last:  # ties on a coarse clock: the next multiple of 4 above the last id
            base = (last & -4) + 4
        msg_id = base | (self._response_suffix if response else self._suffix)
        self._last = msg_id
        return msg_id
