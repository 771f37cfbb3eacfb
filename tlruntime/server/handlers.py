"""The RPC handler registry of the loopback server.

A handler answers one TL function class::

    @server.register(functions.messages.ExportChatInvite)
    async def export(request, ctx):            # or a plain ``def``; ``ctx`` is optional
        return types.ChatInviteExported(...)

Dispatch is a dictionary lookup by the request's class (tables over branches).
A handler returns the result object, or raises :class:`~tlruntime.errors.RPCError`
to answer with ``rpc_error``.  A request nobody registered is answered with
``rpc_error`` 400 ``METHOD_INVALID``: never silence, so a client never waits
for an answer that cannot come.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..errors import RPCError

__all__ = ["Handler", "HandlerRegistry", "RequestContext", "method_invalid"]

log = logging.getLogger(__name__)

Handler = Callable[..., Any]
"""``(request)`` or ``(request, ctx)``; may return the result or an awaitable of it."""

H = TypeVar("H", bound=Handler)


def method_invalid(request: object) -> RPCError:
    """The error a real server sends for a method it does not serve."""
    return RPCError(400, "METHOD_INVALID", request)


@dataclass(slots=True)
class RequestContext:
    """What a handler may want to know about the call besides the request itself.

    ``layer`` and ``init`` are filled in by the ``invokeWithLayer`` and
    ``initConnection`` wrappers before the inner query is dispatched.
    ``extra`` is free for handlers to share per-call data.
    """

    registry: "HandlerRegistry"
    auth_key_id: int
    session_id: int
    msg_id: int
    peer: tuple[str, int] | None = None
    server_host: str = "127.0.0.1"
    server_port: int = 0
    dc_id: int = 2
    user_id: int = 1_000_001
    clock: Callable[[], float] = time.time
    layer: int | None = None
    init: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    perm_auth_key_id: int | None = None
    """The permanent key a temp key is bound to (auth.bindTempAuthKey); None when this key is not a bound temp key."""

    def now(self) -> int:
        """Server time in whole seconds, from the server's injected clock."""
        return int(self.clock())

    async def dispatch(self, request: object) -> Any:
        """Answer a nested query (used by the ``invokeWith*`` wrappers)."""
        return await self.registry.dispatch(request, self)


class HandlerRegistry:
    """Maps TL function classes to handlers."""

    def __init__(self) -> None:
        self._handlers: dict[type, tuple[Handler, bool]] = {}

    def register(self, function_cls: type) -> Callable[[H], H]:
        """Decorator registering a handler for ``function_cls`` (replacing any previous one)."""

        def decorator(handler: H) -> H:
            self._handlers[function_cls] = (handler, _wants_context(handler))
            return handler

        return decorator

    def add(self, function_cls: type, handler: Handler) -> None:
        """Non-decorator form of :meth:`register`."""
        self.register(function_cls)(handler)

    def unregister(self, function_cls: type) -> None:
        self._handlers.pop(function_cls, None)

    def __contains__(self, function_cls: object) -> bool:
        return function_cls in self._handlers

    def call(self, request: object, ctx: RequestContext) -> Any:
        """Run the handler for ``request``: its result, or the awaitable an ``async`` handler returns.

        Raises :class:`RPCError` for an unknown method.  The server answers a
        synchronous handler's result at once, without creating a task.
        """
        entry = self._handlers.get(type(request))
        if entry is None:
            log.info("no handler for %s: METHOD_INVALID", type(request).__name__)
            raise method_invalid(request)
        handler, wants_ctx = entry
        return handler(request, ctx) if wants_ctx else handler(request)

    async def dispatch(self, request: object, ctx: RequestContext) -> Any:
        """Run the handler for ``request`` to completion; raise :class:`RPCError` for an unknown method."""
        result = self.call(request, ctx)
        if inspect.isawaitable(result):
            result = await result
        return result


def _wants_context(handler: Handler) -> bool:
    """True when the handler takes a second positional parameter for the context."""
    try:
        signature = inspect.signature(handler)
    except (TypeError, ValueError):
        return True
    positional = [
        p
        for p in signature.parameters.values()
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    has_varargs = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in signature.parameters.values())
    return has_varargs or len(positional) >= 2

