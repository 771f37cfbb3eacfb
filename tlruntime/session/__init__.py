"""The encrypted MTProto 2.0 session: a sans-IO state machine for the client and the server.

No asyncio, no sockets, no system clock: feed :meth:`Session.receive` the
payloads a transport decoded, hand :meth:`Session.pending_bytes` to the
transport, react to the returned events.  See :mod:`.session` for the
checks and :mod:`.handlers` for the service-message table.
"""

from __future__ import annotations

from .events import (
    AnswerSink,
    BadMessageNotified,
    DisconnectDelay,
    Event,
    NewSession,
    Request,
    RequestFailed,
    Resent,
    Result,
    RPCErrorEvent,
    SaltUpdated,
    TimeSynced,
    UndecodableMessage,
    Update,
)
from .init import LAYER, default_init_connection
from .msgid import MsgIdGenerator, msg_id_time
from .session import MAX_FUTURE, MAX_PAST, Session

__all__ = [
    "Session",
    "MsgIdGenerator",
    "msg_id_time",
    "default_init_connection",
    "LAYER",
    "MAX_PAST",
    "MAX_FUTURE",
    "Event",
    "AnswerSink",
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
]
