"""The encrypted MTProto 2.0 session: a sans-IO state machine for the client and the server.

No asyncio, no sockets; clock and randomness are injected.  Feed
``receive`` the payloads a transport decoded, hand ``outgoing()`` to the
transport, react to the returned events.  :mod:`.engine` holds what both
roles share (checks, numbering, output); :mod:`.client` and :mod:`.server`
are the two engines, each with its own service-message handlers.
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
    SessionReset,
    TimeSynced,
    UndecodableMessage,
    Update,
)
from .init import LAYER, default_init_connection
from .msgid import MsgIdGenerator, msg_id_time
from .client import ClientSession, SessionResetPolicy
from .engine import MAX_FUTURE, MAX_PAST, SessionEngine
from .server import ServerSession
from .session import Session

__all__ = [
    "Session",
    "SessionEngine",
    "ClientSession",
    "ServerSession",
    "SessionResetPolicy",
    "SessionReset",
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
