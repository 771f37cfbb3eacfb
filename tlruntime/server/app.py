"""The loopback server: an asyncio TCP listener around the sans-IO protocol core.

One :class:`LoopbackServer` owns the RSA key, the auth keys it created (in
memory, optionally persisted in SQLite), the encrypted sessions (which outlive
connections, so a client that reconnects with the same session id picks up
answers computed while it was away) and the handler registry.  Each accepted
socket is served by a :class:`~tlruntime.server.connection.ServerConnection`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from ..crypto.message import MessageCipher
from ..crypto.rsa import RSAPrivateKey, RSAPublicKey
from ..storage import AuthKeyStore, auth_key_id_of
from ..transports import DEFAULT_MAX_FRAME_SIZE
from .connection import ServerConnection
from .defaults import install_default_handlers
from .handlers import H, HandlerRegistry
from .keys import KEY_BITS
from .sessions import ServerSession

__all__ = ["LoopbackServer", "DEFAULT_USER_ID"]

log = logging.getLogger(__name__)

DEFAULT_USER_ID = 1_000_001
"""The id of the one user every auth key is logged in as (``users.getUsers([inputUserSelf])``)."""


class LoopbackServer:
    """MTProto server for tests, demos and local development; speaks all five transports.

    Use as ``async with LoopbackServer(host="127.0.0.1", port=0) as srv:``;
    ``srv.port`` is the bound port and ``srv.public_key`` the key clients need.
    ``clock`` and ``random_bytes`` are injectable for reproducible runs.
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
        max_frame_size: int = DEFAULT_MAX_FRAME_SIZE,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.private_key = private_key if private_key is not None else RSAPrivateKey.generate(KEY_BITS)
        self.dc_id = dc_id
        self.user_id = user_id
        self.clock = clock
        self.random_bytes = random_bytes
        self.max_frame_size = max_frame_size
        self.registry = HandlerRegistry()
        if install_defaults:
            install_default_handlers(self.registry)
        self.handshakes = 0
        """Completed auth key exchanges since start (tests assert a stored key skips one)."""
        self.requests_served = 0
        self._auth_keys: dict[int, bytes] = {}
        #: One cipher per auth key, made on first use: connections decrypt with it to route by session.
        self._ciphers: dict[int, MessageCipher] = {}
        self._salts: dict[int, int] = {}
        self._store = AuthKeyStore(state_path) if state_path is not None else None
        if self._store is not None:
            self._auth_keys.update(self._store)
        self._sessions: dict[tuple[int, int], ServerSession] = {}
        self._connections: set[ServerConnection] = set()
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

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._listener = await loop.create_server(lambda: ServerConnection(self), self.host, self._requested_port)
        self._port = self._listener.sockets[0].getsockname()[1]
        log.info("loopback server listening on %s:%d", self.host, self._port)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        await self.drop_connections()
        for session in list(self._sessions.values()):
            session.cancel_tasks()
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

    # --- used by connections --------------------------------------------------

    def auth_key(self, auth_key_id: int) -> bytes | None:
        return self._auth_keys.get(auth_key_id)

    @property
    def auth_keys(self) -> tuple[bytes, ...]:
        """Every auth key this server knows, oldest first (loaded from ``--state``, then created)."""
        return tuple(self._auth_keys.values())

    def cipher(self, auth_key_id: int) -> MessageCipher | None:
        """The :class:`MessageCipher` of a known auth key (None for a key we never created)."""
        cipher = self._ciphers.get(auth_key_id)
        if cipher is None:
            auth_key = self._auth_keys.get(auth_key_id)
            if auth_key is None:
                return None
            cipher = self._ciphers[auth_key_id] = MessageCipher(auth_key)
        return cipher

    def add_auth_key(self, auth_key: bytes, server_salt: int | None = None) -> int:
        """Record a key a handshake just created (and its first server salt)."""
        key_id = auth_key_id_of(auth_key)
        self._auth_keys[key_id] = auth_key
        if server_salt is not None:
            self._salts[key_id] = server_salt
        self.handshakes += 1
        if self._store is not None:
            self._store.add(auth_key)
        log.info("auth key %016x created (%d so far)", key_id & ((1 << 64) - 1), self.handshakes)
        return key_id

    def server_salt(self, auth_key_id: int) -> int:
        """The salt sessions of this key accept; a key loaded from ``--state`` gets a fresh one.

        A client resuming with an older salt is told the current one by
        ``bad_server_salt`` and re-sends, as with Telegram's rotating salts.
        """
        salt = self._salts.get(auth_key_id)
        if salt is None:
            salt = int.from_bytes(self.random_bytes(8), "little", signed=True)
            self._salts[auth_key_id] = salt
        return salt

    def track_connection(self, connection: ServerConnection) -> None:
        """A socket was accepted (called by the connection itself)."""
        self._connections.add(connection)

    def untrack_connection(self, connection: ServerConnection) -> None:
        self._connections.discard(connection)

    def forget_session(self, auth_key_id: int, session_id: int) -> None:
        self._sessions.pop((auth_key_id, session_id), None)

    def session(self, auth_key_id: int, session_id: int) -> ServerSession | None:
        return self._sessions.get((auth_key_id, session_id))

    def open_session(self, auth_key_id: int, session_id: int, auth_key: bytes) -> ServerSession:
        session = ServerSession(self, auth_key, auth_key_id, session_id)
        self._sessions[(auth_key_id, session_id)] = session
        return session
