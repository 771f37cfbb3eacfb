"""The loopback server: an asyncio TCP listener around the sans-IO server endpoint.

:class:`LoopbackServer` owns the listener, the handler registry and the
asyncio tasks of ``async`` handlers; everything the protocol decides lives
in its :class:`~tlruntime.endpoint.ServerEndpoint` (transport detection,
handshakes, auth keys, sessions that outlive connections, limits).  Each
accepted socket is a :class:`~tlruntime.server.connection.ServerConnection`
that feeds the endpoint and performs the actions it returns.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Literal, cast

from ..crypto.rsa import RSAPrivateKey, RSAPublicKey
from ..endpoint import Action, Close, Deliver, MTProxyGate, Send, ServerEndpoint, ServerLimits, SessionSlot
from ..errors import RPCError
from ..storage import AuthKeyStore
from .accounts import Accounts
from .connection import ServerConnection
from .defaults import install_default_handlers
from .handlers import H, HandlerRegistry, RequestContext
from .keys import KEY_BITS
from .login import auth_key_unregistered, authorization_key, install_login_handlers, needs_login
from .results import encode_result
from .tempkeys import check_unbound, install_temp_key_handlers

__all__ = ["LoopbackServer", "DEFAULT_USER_ID"]

log = logging.getLogger(__name__)

DEFAULT_USER_ID = 1_000_001
"""The id of the one user every auth key is logged in as (``users.getUsers([inputUserSelf])``)."""


class LoopbackServer:
    """MTProto server for tests, demos and local development; speaks all five transports.

    Use as ``async with LoopbackServer(host="127.0.0.1", port=0) as srv:``;
    ``srv.port`` is the bound port and ``srv.public_key`` the key clients need.
    ``limits`` (a :class:`~tlruntime.endpoint.ServerLimits`) sets every named
    limit; single limits may also be given as keyword arguments
    (``LoopbackServer(max_connections=100, frame_timeout=5)``).
    ``clock`` and ``random_bytes`` are injectable for reproducible runs.

    Login: every key acts as the one default user (``user_id``) unless it
    logged in (``auth.importBotAuthorization`` with one of ``bots``, or any
    well-formed token with ``any_bot_token``; ``auth.importAuthorization``).
    With ``require_auth`` a key must log in first: calls outside
    :data:`~tlruntime.server.login.ALLOWED_WITHOUT_LOGIN` answer
    ``401 AUTH_KEY_UNREGISTERED``.  ``accounts`` shares one registry between
    servers (a :class:`~tlruntime.server.LoopbackTelegram` passes its own, with
    ``dc_addresses``: every DC's ``(host, port)``, listed by ``help.getConfig``).

    MTProxy mode: with ``proxy_secret`` (16 bytes, or hex, or a ``dd``/``ee``
    secret) the server accepts only MTProxy clients with that secret — ``dd``
    (obfuscated padded intermediate) and ``ee`` (fake TLS; with
    ``proxy_domain`` only for that SNI) — and refuses everything else,
    including replayed fake-TLS hellos.  :meth:`proxy_link` gives the
    ``tg://proxy`` link for clients; :attr:`mtproxy` the gate and its refusal counts.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        private_key: RSAPrivateKey | None = None,
        state_path: str | os.PathLike[str] | None = None,
        dc_id: int = 2,
        user_id: int = DEFAULT_USER_ID,
        clock: Callable[[], float] = time.time,
        random_bytes: Callable[[int], bytes] = os.urandom,
        install_defaults: bool = True,
        require_auth: bool = False,
        bots: Iterable[str | tuple[str, int]] = (),
        any_bot_token: bool = False,
        accounts: Accounts | None = None,
        dc_addresses: Callable[[], Mapping[int, tuple[str, int]]] | None = None,
        limits: ServerLimits | None = None,
        proxy_secret: bytes | str | None = None,
        proxy_domain: str | None = None,
        **limit_overrides: Any,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.private_key = private_key if private_key is not None else RSAPrivateKey.generate(KEY_BITS)
        self.dc_id = dc_id
        self.user_id = user_id
        self.clock = clock
        self.random_bytes = random_bytes
        unknown = set(limit_overrides) - set(ServerLimits.names())
        if unknown:
            raise TypeError(f"unknown LoopbackServer argument(s): {', '.join(sorted(unknown))}")
        self.limits = dataclasses.replace(limits or ServerLimits(), **limit_overrides)
        self.require_auth = require_auth
        if accounts is None:
            accounts = Accounts((dc_id,), bots=bots, any_bot_token=any_bot_token, bot_home_dc=dc_id, clock=clock, random_bytes=random_bytes)
        elif bots or any_bot_token:
            raise TypeError("give bots and any_bot_token to the shared Accounts, not to a server that uses one")
        self.accounts = accounts
        self._dc_addresses = dc_addresses
        self.registry = HandlerRegistry()
        if install_defaults:
            install_default_handlers(self.registry)
            install_login_handlers(self.registry, accounts)
        self._store = AuthKeyStore(state_path) if state_path is not None else None
        if proxy_secret is None and proxy_domain is not None:
            raise ValueError("proxy_domain needs proxy_secret (it names the fake-TLS domain of MTProxy mode)")
        self.mtproxy: MTProxyGate | None = (
            MTProxyGate(
                proxy_secret,
                domain=proxy_domain,
                clock=clock,
                random_bytes=random_bytes,
                max_frame_size=self.limits.max_frame_size,
            )
            if proxy_secret is not None
            else None
        )
        """MTProxy mode's secret, shared fake-TLS verifier and refusal counts (None outside that mode)."""
        self.endpoint = ServerEndpoint(
            [self.private_key],
            auth_keys=[key for _, key in self._store] if self._store is not None else (),
            on_auth_key=self._store.add if self._store is not None else None,
            limits=self.limits,
            clock=clock,
            random_bytes=random_bytes,
            dc_id=dc_id,
            mtproxy=self.mtproxy,
        )
        install_temp_key_handlers(self.registry, self.endpoint)  # PFS: auth.bindTempAuthKey
        self._connections: set[ServerConnection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._flush_scheduled = False
        self._poll_timer: asyncio.TimerHandle | None = None
        self._listener: asyncio.Server | None = None
        self._port = 0

    # --- public surface -------------------------------------------------------

    def register(self, function_cls: type) -> Callable[[H], H]:
        """Decorator: ``@server.register(functions.messages.ExportChatInvite)``."""
        return self.registry.register(function_cls)

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("the server is not listening yet: use 'async with' or await start()")
        return self._port

    @property
    def public_key(self) -> RSAPublicKey:
        return self.private_key.public_key

    @property
    def public_key_pem(self) -> str:
        pem: Any = self.public_key.to_pem()
        return pem.decode("ascii") if isinstance(pem, bytes) else str(pem)

    @property
    def fingerprint(self) -> int:
        """The RSA key fingerprint as an unsigned 64-bit integer."""
        return int(self.public_key.fingerprint) & ((1 << 64) - 1)

    def proxy_link(self, kind: Literal["dd", "ee"] = "dd") -> str:
        """``tg://proxy?server=...&port=...&secret=...`` for this MTProxy-mode server (``kind`` "dd" or "ee")."""
        if self.mtproxy is None:
            raise RuntimeError("the server is not in MTProxy mode: pass proxy_secret")
        return self.mtproxy.link(self.host, self.port, kind)

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    @property
    def handshakes(self) -> int:
        """Completed auth key exchanges since start (tests assert a stored key skips one)."""
        return self.endpoint.handshakes

    @property
    def auth_keys(self) -> tuple[bytes, ...]:
        """Every auth key this server knows, oldest first (loaded from ``--state``, then created)."""
        return self.endpoint.auth_keys

    def session(self, auth_key_id: int, session_id: int) -> SessionSlot | None:
        """The server's view of one client session (None when it does not exist)."""
        return self.endpoint.find_session(auth_key_id, session_id)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._listener = await loop.create_server(lambda: ServerConnection(self), self.host, self._requested_port)
        self._port = self._listener.sockets[0].getsockname()[1]
        self._poll_timer = loop.call_later(self._poll_interval(), self._poll)
        log.info("loopback server listening on %s:%d", self.host, self._port)

    async def close(self) -> None:
        if self._poll_timer is not None:
            self._poll_timer.cancel()
            self._poll_timer = None
        if self._listener is not None:
            self._listener.close()
        await self.drop_connections()
        for task in list(self._tasks):
            task.cancel()
        if self._listener is not None:
            await self._listener.wait_closed()
            self._listener = None
        if self._store is not None:
            self._store.close()
            self._store = None

    async def drop_connections(self) -> int:
        """Close every open socket at once (sessions and auth keys survive); returns how many."""
        connections = list(self._connections)
        for connection in connections:
            connection.abort()
        await asyncio.gather(*(c.wait_closed() for c in connections), return_exceptions=True)
        return len(connections)

    async def __aenter__(self) -> "LoopbackServer":
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # --- driven by connections ------------------------------------------------------

    def track(self, connection: ServerConnection) -> None:
        self._connections.add(connection)

    def untrack(self, connection: ServerConnection) -> None:
        self._connections.discard(connection)

    def perform(self, actions: list[Action]) -> None:
        """Carry out the endpoint's actions: write, close, run handlers (then send their answers)."""
        delivered = False
        for action in actions:
            kind = type(action)
            if kind is Send:
                transport = action.connection.owner.transport  # type: ignore[attr-defined]
                if transport is not None and not transport.is_closing():
                    transport.write(action.data)  # type: ignore[attr-defined]
            elif kind is Deliver:
                self._deliver(action)  # type: ignore[arg-type]
                delivered = True
            elif kind is Close:
                action.connection.owner.close(action.graceful)  # type: ignore[attr-defined]
        if delivered:
            self.perform(self.endpoint.flush())

    def _poll(self) -> None:
        self.perform(self.endpoint.poll())
        self._poll_timer = asyncio.get_running_loop().call_later(self._poll_interval(), self._poll)

    def _poll_interval(self) -> float:
        limits = self.limits
        return max(0.05, min(1.0, limits.header_timeout / 4, limits.frame_timeout / 4, limits.idle_timeout / 4))

    # --- running handlers --------------------------------------------------------------

    def _deliver(self, action: Deliver) -> None:
        """Answer a request: at once for a synchronous handler, from a task for an ``async`` one."""
        slot, request = cast(SessionSlot, action.session), action.request
        try:
            if self.endpoint.temp_keys:  # an unbound temporary key may call only a few methods
                check_unbound(self.endpoint, slot.auth_key_id, request.obj)
            ctx = self._identify(self._context(action))
            if self.require_auth and ctx.extra["account"] is None and needs_login(request.obj):
                raise auth_key_unregistered(request.obj)
            result = self.registry.call(request.obj, ctx)
        except Exception as error:  # the same answers as an async handler failing (see _settle)
            self._settle(slot, request.msg_id, request.obj, error=error)
            return
        if inspect.isawaitable(result):
            # A call that takes time is acknowledged now (its answer comes later): the client
            # then knows it arrived, which matters if the key is lost before the answer (PFS -404).
            slot.engine.flush_acks()
            self.endpoint.touch(slot)
            task = asyncio.get_running_loop().create_task(self._answer_later(slot, request.msg_id, request.obj, result))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            self._settle(slot, request.msg_id, request.obj, result=result)

    async def _answer_later(self, slot: SessionSlot, msg_id: int, obj: object, pending: Awaitable[Any]) -> None:
        try:
            result = await pending
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self._settle(slot, msg_id, obj, error=error)
        else:
            self._settle(slot, msg_id, obj, result=result)
        if not self._flush_scheduled:
            # Coalesce every answer ready in this loop iteration into as few packets as possible.
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        self.perform(self.endpoint.flush())

    def _settle(self, slot: SessionSlot, msg_id: int, obj: object, *, result: Any = None, error: Exception | None = None) -> None:
        """Queue the answer: the result, the handler's :class:`RPCError`, or 500 for any other failure."""
        if error is None:
            try:
                self.endpoint.answer(slot, msg_id, encode_result(result))
                return
            except Exception as encode_error:
                error = encode_error
        if isinstance(error, RPCError):
            self.endpoint.fail(slot, msg_id, error.code, error.message)
        else:
            log.error("handler for %s failed", type(obj).__name__, exc_info=error)
            self.endpoint.fail(slot, msg_id, 500, "INTERNAL_SERVER_ERROR")

    def _context(self, action: Deliver) -> RequestContext:
        slot, request = action.session, action.request
        ctx = RequestContext(
            registry=self.registry,
            auth_key_id=slot.auth_key_id,
            session_id=slot.session_id,
            msg_id=request.msg_id,
            peer=action.connection.peer,  # type: ignore[arg-type]
            server_host=self.host,
            server_port=self._port,
            dc_id=self.dc_id,
            user_id=self.user_id,
            clock=self.clock,
        )
        for wrapper in request.wrappers:
            name = getattr(type(wrapper), "TL_NAME", "")
            if name == "invokeWithLayer":
                ctx.layer = getattr(wrapper, "layer", None)
            elif name == "initConnection":
                ctx.init = wrapper
        if self.endpoint.temp_keys:
            ctx.perm_auth_key_id = self.endpoint.temp_keys.perm_of(slot.auth_key_id)
        ctx.extra["wrappers"] = request.wrappers
        ctx.extra["randbytes"] = self.random_bytes
        return ctx

    def _identify(self, ctx: RequestContext) -> RequestContext:
        """Who the key is logged in as on this DC (``ctx.extra["account"]``, None when nobody), and
        where every DC listens, for ``help.getConfig`` (``ctx.extra["dc_addresses"]``, a callable)."""
        account = self.accounts.account_of(self.dc_id, authorization_key(ctx))
        ctx.extra["account"] = account
        if account is not None:
            ctx.user_id = account.user_id
        ctx.extra["dc_addresses"] = self.dc_addresses  # called by help.getConfig only
        return ctx

    def dc_addresses(self) -> Mapping[int, tuple[str, int]]:
        """Every DC's ``(host, port)``: this server's alone, or all of its LoopbackTelegram's."""
        if self._dc_addresses is not None:
            return self._dc_addresses()
        return {self.dc_id: (self.host, self._port)}
