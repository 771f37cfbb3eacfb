"""The one event vocabulary of the session engines: small immutable records.

``receive`` returns a list of them; a driver loops over it and reacts by
type.  Every request handed to ``ClientSession.send`` ends in exactly one
:class:`Result` or one :class:`RequestFailed` (of which :class:`RPCErrorEvent`
is the common case), as long as the driver keeps a connection alive and
calls ``ClientSession.new_connection`` after reconnecting.  A driver that
passed an :data:`AnswerSink` as ``on_answer`` gets exactly one sink call
instead (the one answer channel).

``msg_id`` in request-related events is always the id ``send`` returned,
even when the session had to re-send the request under a new wire id (bad
salt, clock resync...), so a driver can key its futures by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import RPCError, TLError

__all__ = [
    "Event",
    "Result",
    "RequestFailed",
    "RPCErrorEvent",
    "Update",
    "NewSession",
    "Request",
    "Resent",
    "SaltUpdated",
    "TimeSynced",
    "BadMessageNotified",
    "UndecodableMessage",
    "DisconnectDelay",
    "SessionReset",
    "AnswerSink",
]

AnswerSink = Callable[[int, object, "TLError | None"], None]
"""Optional direct delivery of answers, given to :class:`~tlruntime.session.ClientSession` as ``on_answer``.

Called as ``sink(msg_id, value, None)`` for a result and ``sink(msg_id, None,
error)`` for a failure (an :class:`RPCError` or any other :class:`TLError`),
with ``msg_id`` as ``ClientSession.send`` returned it, *instead* of a
:class:`Result` / :class:`RequestFailed` event.  A driver resolving one future
per answer saves an event object and a type dispatch per call this way (the
asyncio client at 100 calls in flight); the sink runs while the payload is
being processed, so it must not call back into the session.
"""


@dataclass(frozen=True, slots=True)
class Event:
    """Base class of every session event."""


@dataclass(frozen=True, slots=True)
class Result(Event):
    """The answer to ``request`` (sent as ``msg_id``), read with the request's own result type."""

    msg_id: int
    request: object
    value: object


@dataclass(frozen=True, slots=True)
class RequestFailed(Event):
    """``request`` will get no result: ``error`` says why (decode failure, refused message...)."""

    msg_id: int
    request: object
    error: TLError


@dataclass(frozen=True, slots=True)
class RPCErrorEvent(RequestFailed):
    """The server answered ``request`` with ``rpc_error``; ``error`` is the typed :class:`RPCError`."""

    error: RPCError


@dataclass(frozen=True, slots=True)
class Update(Event):
    """Anything the peer sent that answers none of our requests (updates, unknown objects)."""

    obj: object
    msg_id: int = 0


@dataclass(frozen=True, slots=True)
class NewSession(Event):
    """``new_session_created``: the server (re)created our session; ``server_salt`` is now in use."""

    first_msg_id: int
    unique_id: int
    server_salt: int = 0


@dataclass(frozen=True, slots=True)
class Request(Event):
    """Server side: a client request to answer with ``send_result``/``send_error`` for ``msg_id``.

    ``obj`` is the innermost query: the session unwraps ``invokeWithLayer``,
    ``initConnection``, ``invokeWithoutUpdates`` and the other ``query``-carrying
    wrappers, and keeps them (outermost first) in ``wrappers`` so the driver
    can read the layer and the client's ``initConnection`` fields.
    """

    msg_id: int
    obj: object
    wrappers: tuple[object, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Resent(Event):
    """These requests (ids as returned by ``send``) were queued again under new wire ids."""

    msg_ids: tuple[int, ...]
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SaltUpdated(Event):
    """The server salt changed; a driver persists it so the next start uses a valid salt."""

    server_salt: int


@dataclass(frozen=True, slots=True)
class TimeSynced(Event):
    """The clock offset was corrected from a server msg_id; a driver persists it."""

    time_offset: int


@dataclass(frozen=True, slots=True)
class BadMessageNotified(Event):
    """Server side: a client message was refused with ``bad_msg_notification``/``bad_server_salt``."""

    msg_id: int
    error_code: int


@dataclass(frozen=True, slots=True)
class UndecodableMessage(Event):
    """An authenticated message whose body could not be read (e.g. a constructor from a newer layer).

    It is still acknowledged, so the peer does not resend it forever.
    """

    msg_id: int
    body: bytes
    error: TLError


@dataclass(frozen=True, slots=True)
class DisconnectDelay(Event):
    """Server side: ``ping_delay_disconnect`` asks to close the connection after ``seconds`` of silence.

    The session already answered the ping; timing the disconnect is the driver's job.
    """

    msg_id: int
    seconds: int


@dataclass(frozen=True, slots=True)
class SessionReset(Event):
    """Client side: these requests (ids as returned by ``send``) may have run in a session the server lost.

    ``policy`` says what happened to them: ``"raise"`` (each failed with
    :class:`~tlruntime.errors.SessionResetError`) or ``"resend"`` (each sent
    again under a new msg_id: it may run twice).
    """

    msg_ids: tuple[int, ...]
    policy: str
