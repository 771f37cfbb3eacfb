"""What the endpoint asks its driver to do: the whole output vocabulary of the sans-IO server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..session.events import Request

__all__ = ["Action", "Send", "Close", "Deliver", "ConnectionHandle", "SessionHandle"]


class ConnectionHandle(Protocol):
    """What a driver reads from an action's connection (an :class:`~.endpoint.EndpointConnection`)."""

    #: The driver's own object for this connection (its asyncio protocol, say).
    owner: Any
    peer: object


class SessionHandle(Protocol):
    """What an application reads from a delivered request's session (a :class:`~.endpoint.SessionSlot`)."""

    auth_key_id: int
    session_id: int


@dataclass(slots=True)  # not frozen: made per packet, and a frozen __init__ is slower
class Action:
    """Base class of the endpoint's instructions to its driver."""


@dataclass(slots=True)  # not frozen: made per packet, and a frozen __init__ is slower
class Send(Action):
    """Write ``data`` (already framed by the connection's transport) to ``connection``."""

    connection: ConnectionHandle
    data: bytes


@dataclass(slots=True)  # not frozen: made per packet, and a frozen __init__ is slower
class Close(Action):
    """Close ``connection``: ``graceful`` lets queued bytes (a -404) out first; ``reason`` is for logs."""

    connection: ConnectionHandle
    reason: str
    graceful: bool = True


@dataclass(slots=True)  # not frozen: made per packet, and a frozen __init__ is slower
class Deliver(Action):
    """Hand ``request`` to the application; answer with ``endpoint.answer``/``endpoint.fail``."""

    connection: ConnectionHandle
    session: SessionHandle
    request: Request
