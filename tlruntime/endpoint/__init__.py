"""The sans-IO server endpoint: bytes in, actions out (see :mod:`.endpoint`).

Imports neither asyncio nor socket; :mod:`tlruntime.server` is the asyncio
driver around it.
"""

from __future__ import annotations

from .actions import Action, Close, Deliver, Send
from .endpoint import NO_AUTH_KEY, EndpointConnection, ServerEndpoint, SessionSlot
from .limits import MiB, ServerLimits
from .mtproxy import MTProxyGate

__all__ = [
    "ServerEndpoint",
    "EndpointConnection",
    "SessionSlot",
    "ServerLimits",
    "MiB",
    "Action",
    "Send",
    "Close",
    "Deliver",
    "NO_AUTH_KEY",
    "MTProxyGate",
]
