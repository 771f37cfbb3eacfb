"""``Session(auth_key, side=...)``: the engine of one role, for callers that pick the role as data.

The engines themselves are :class:`~.client.ClientSession` and
:class:`~.server.ServerSession`, built on :class:`~.engine.SessionEngine`.
"""

from __future__ import annotations

from typing import Any, Literal, overload

from .client import ClientSession
from .engine import MAX_FUTURE, MAX_PAST, SessionEngine
from .server import ServerSession

__all__ = ["Session", "ROLES", "MAX_PAST", "MAX_FUTURE"]

#: The engine class of each role.
ROLES: dict[str, type[SessionEngine]] = {"client": ClientSession, "server": ServerSession}


@overload
def Session(auth_key: bytes, *, side: Literal["client"], **options: Any) -> ClientSession: ...
@overload
def Session(auth_key: bytes, *, side: Literal["server"], **options: Any) -> ServerSession: ...
def Session(auth_key: bytes, *, side: str, **options: Any) -> SessionEngine:  # noqa: N802 - a factory named like the type it makes
    """The session engine of ``side`` (``"client"`` or ``"server"``) over ``auth_key``."""
    role = ROLES.get(side)
    if role is None:
        raise ValueError(f"side must be 'client' or 'server', got {side!r}")
    return role(auth_key, **options)
