"""Server-side sessions: the sans-IO :class:`~tlruntime.session.Session` plus the tasks answering it.

A session belongs to an (auth key, session id) pair, not to a socket: when a
client reconnects under the same session id, answers computed while it was
away are still queued in the session and go out on the new connection.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from ..errors import EncodeError, RPCError
from ..session import Request, Session
from .handlers import RequestContext

if TYPE_CHECKING:
    from .app import LoopbackServer
    from .connection import ServerConnection

__all__ = ["ServerSession", "encode_result"]

log = logging.getLogger(__name__)

_VECTOR = 0x1CB5C415
_BOOL_TRUE = 0x997275B5
_BOOL_FALSE = 0xBC799737


def encode_result(value: object) -> bytes:
    """Boxed bytes of a handler's result: a TL object, ``bool`` or a list of TL objects (``Vector<T>``).

    Lists of bare integers are refused: ``Vector<int>`` and ``Vector<long>``
    cannot be told apart from the value, so such handlers return bytes.
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, bool):
        return (_BOOL_TRUE if value else _BOOL_FALSE).to_bytes(4, "little")
    if isinstance(value, list):
        parts = [_VECTOR.to_bytes(4, "little"), len(value).to_bytes(4, "little")]
        parts.extend(_boxed_item(item) for item in value)
        return b"".join(parts)
    return _boxed_item(value)


def _boxed_item(item: object) -> bytes:
    if isinstance(item, bool):
        return encode_result(item)
    to_bytes = getattr(type(item), "__bytes__", None)
    if to_bytes is None:
        raise EncodeError(f"handler result {type(item).__name__} is not a TL object; return bytes instead")
    return bytes(to_bytes(item))


class ServerSession:
    """One client session: the protocol state machine, the connection it currently uses, its handler tasks."""

    def __init__(self, server: LoopbackServer, auth_key: bytes, auth_key_id: int, session_id: int) -> None:
        self.server = server
        self.auth_key_id = auth_key_id
        self.session_id = session_id
        self.core = Session(
            auth_key,
            side="server",
            server_salt=server.server_salt(auth_key_id),
            clock=server.clock,
            random_bytes=server.random_bytes,
        )
        self.connection: ServerConnection | None = None
        self.messages_received = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._flush_scheduled = False

    def attach(self, connection: ServerConnection) -> None:
        """Answers go to the connection the client spoke on most recently."""
        self.connection = connection

    def detach(self, connection: ServerConnection) -> None:
        if self.connection is connection:
            self.connection = None

    def handle_request(self, event: Request, connection: ServerConnection) -> None:
        """Answer ``event``: at once for a synchronous handler, from a task for an ``async`` one."""
        try:
            result = self.server.registry.call(event.obj, self._context(event, connection))
        except Exception as error:  # the same answers as an async handler failing (see _settle)
            self._settle(event, error=error)
            return
        if inspect.isawaitable(result):
            task = asyncio.get_running_loop().create_task(self._answer(event, result))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            self._settle(event, result=result)

    def cancel_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def _answer(self, event: Request, pending: Awaitable[Any]) -> None:
        try:
            result = await pending
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self._settle(event, error=error)
        else:
            self._settle(event, result=result)
        self.schedule_flush()

    def _settle(self, event: Request, *, result: Any = None, error: Exception | None = None) -> None:
        """Queue the answer: the result, the handler's :class:`RPCError`, or 500 for any other failure."""
        if error is None:
            try:
                self.core.send_result(event.msg_id, encode_result(result))
            except Exception as encode_error:
                error = encode_error
        if isinstance(error, RPCError):
            self.core.send_error(event.msg_id, error.code, error.message)
        elif error is not None:
            log.error("handler for %s failed", type(event.obj).__name__, exc_info=error)
            self.core.send_error(event.msg_id, 500, "INTERNAL_SERVER_ERROR")
        self.server.requests_served += 1

    def _context(self, event: Request, connection: ServerConnection) -> RequestContext:
        ctx = RequestContext(
            registry=self.server.registry,
            auth_key_id=self.auth_key_id,
            session_id=self.session_id,
            msg_id=event.msg_id,
            peer=connection.peer,
            server_host=self.server.host,
            server_port=self.server.port,
            dc_id=self.server.dc_id,
            user_id=self.server.user_id,
            clock=self.server.clock,
        )
        for wrapper in event.wrappers:
            name = getattr(type(wrapper), "TL_NAME", "")
            if name == "invokeWithLayer":
                ctx.layer = getattr(wrapper, "layer", None)
            elif name == "initConnection":
                ctx.init = wrapper
        ctx.extra["wrappers"] = event.wrappers
        ctx.extra["randbytes"] = self.server.random_bytes
        return ctx

    def schedule_flush(self) -> None:
        """Coalesce every answer ready in this loop iteration into as few packets as possible."""
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        self._flush_scheduled = False
        connection = self.connection
        if connection is None or connection.closing:
            return  # kept in the session until the client comes back
        payloads = self.core.outgoing()
        if payloads:
            connection.send_payloads(payloads)

    def describe(self) -> dict[str, Any]:
        return {
            "auth_key_id": self.auth_key_id,
            "session_id": self.session_id,
            "messages_received": self.messages_received,
            "tasks": len(self._tasks),
        }
