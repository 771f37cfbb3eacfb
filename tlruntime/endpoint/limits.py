"""The server endpoint's named limits: what a public test server can run with, each one configurable.

Modelled on h2's named settings: every limit has a name, a documented
default and a test under ``tests/abuse/`` that measures it.  Pass a
:class:`ServerLimits` to :class:`~tlruntime.endpoint.ServerEndpoint` (or its
fields as keyword arguments to ``LoopbackServer``, or flags to
``python -m tlruntime.server``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..transports import DEFAULT_MAX_FRAME_SIZE

__all__ = ["ServerLimits", "MiB"]

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """Every limit of the server endpoint (seconds, bytes or counts)."""

    #: Seconds a connection has to send its transport header (the first bytes that name the transport).
    header_timeout: float = 30.0
    #: Seconds a frame may take from its first byte to its last (slowloris).
    frame_timeout: float = 30.0
    #: Seconds a connection may stay without a complete frame before it is closed.
    idle_timeout: float = 600.0
    #: Received bytes held in incomplete frames, summed over every connection (the connection that
    #: pushes the sum past this is closed).
    max_buffered_bytes: int = 64 * MiB
    #: Largest frame (payload) accepted from a client.
    max_frame_size: int = DEFAULT_MAX_FRAME_SIZE
    #: Open connections; the next one is closed at once.
    max_connections: int = 4096
    #: Auth key exchanges in progress at once; a connection starting one more is closed.
    max_handshakes: int = 64
    #: Sessions kept per auth key; opening one more evicts the least recently used.
    max_sessions_per_key: int = 64
    #: Seconds a session no connection carries is kept (its unacknowledged answers with it).
    session_idle_timeout: float = 1800.0
    #: Answers each session remembers to answer a re-sent request without running it again.
    answer_memory: int = 16384
    #: Seconds a temporary (PFS) key is kept at most, whatever ``expires_in`` its handshake asked
    #: for: a longer one is cut to this (its client meets -404 then and makes a new one).
    max_temp_key_lifetime: float = 7 * 86_400.0
    #: Temporary keys held at once; a handshake creating one more forgets the oldest (RAM stays
    #: bounded however many a client makes; the evicted key's client gets -404 and makes a new one).
    max_temp_keys: int = 100_000
    #: Rejected connections logged in full per ``log_window`` seconds; further ones are counted
    #: and summarised in one line.
    log_burst: int = 10
    log_window: float = 10.0

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"ServerLimits.{field.name} must be a positive number, got {value!r}")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in fields(cls))
