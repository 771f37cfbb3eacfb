"""What the endpoint asks its driver to do: the whole output vocabulary of the sans-IO server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..session.events import Request

if TYPE_CHECKING:
    from .endpoint import EndpointConnection, SessionSlot

__all__ = ["Action", "Send", "Close", "Deliver"]


@dataclass(frozen=True, slots=True)
class Action:
    """Base class of the endpoint's instructions to its driver."""


@dataclass(frozen=True, slots=True)
class Send(Action):
    """Write ``data`` (already framed by the connection's transport) to ``connection``."""

    connection: "EndpointConnection"
    data: bytes


@dataclass(frozen=True, slots=True)
class Close(Action):
    """Close ``connection``: ``graceful`` lets queued bytes (a -404) out first; ``reason`` is for logs."""

    connection: "EndpointConnection"
    reason: str
    graceful: bool = True


@dataclass(frozen=True, slots=True)
class Deliver(Action):
    """Hand ``request`` to the application; answer with ``endpoint.answer``/``endpoint.fail``."""

    connection: "EndpointConnection"
    session: "SessionSlot"
    request: Request
