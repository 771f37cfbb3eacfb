"""The asyncio MTProto client: the asyncio driver around the sans-IO handshake, session and transport.

The protocol lives in :class:`~tlruntime.session.ClientSession`; this module
owns what needs a loop: the socket, futures and timeouts, batching of writes,
and the one retry policy for (re)connecting.

::

    async with Client("127.0.0.1", port, public_key, transport="intermediate") as client:
        invite = await client(functions.messages.ExportChatInvite(peer=...))

Design:

* No reader task: the connection is an :class:`asyncio.Protocol`
  (:class:`~tlruntime.client.link.Link`) whose ``data_received`` runs
  transport -> session -> futures in one go, so an answer wakes its caller
  in the next loop iteration.
* ``__call__`` queues the request in the session and schedules one flush
  with ``call_soon`` unless one is pending: calls made in the same loop
  iteration (``asyncio.gather`` starts all its calls in one) share packets
  (containers of up to ``PIPELINE_BATCH`` calls, each written as soon as it
  is full so the server can start on it), and a lone call still goes out in
  the very next iteration.
* Timeouts cost no timer per call: each pending call records its deadline
  and one sweep timer, armed for the earliest deadline, fails the calls
  whose time is up (no ``wait_for`` task plumbing, no done callbacks, no
  wrapper coroutine).  Answers reach the futures through the session's
  answer sink, without an event object per answer.
* A dropped connection is reopened with bounded retries and exponential
  backoff (one policy, :meth:`Client._establish`); the session re-sends every
  unanswered request under the msg_id it was first sent with, so the server
  answers it from memory instead of running it twice.  A frame that fails a
  session check closes the connection (the same recovery, no silent drop).
  A call either returns, raises its RPC error, raises :class:`TimeoutError`
  after its own timeout, or raises :class:`ConnectionLostError` once
  reconnecting has given up: nothing is silently lost.
* When the server says our session (or auth key) is new, calls sent before
  may have run in the lost one: with ``on_session_reset="raise"`` (default)
  they fail with :class:`~tlruntime.errors.SessionResetError`; with
  ``"resend"`` they are sent again (at least once).
* With ``session_path`` the auth key, server salt and clock offset live in
  SQLite, so a restarted client skips the handshake.  A server that no
  longer knows the key answers -404; the client then forgets it, creates a
  new one and re-sends what was pending.
* Without ``host`` the client talks to Telegram: DC ``dc_id``'s built-in
  address and Telegram's RSA keys (``test=True``: the test DCs).  Other DCs
  and ``*_MIGRATE_X`` errors are the :class:`~.migration.DcRouter`'s job
  (``client/migration.py``; addresses in ``client/dcs.py``): this module only
  routes a call to it when the home DC is not the client's own connection,
  or when a call is answered 303.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, TypeVar

from ..auth import AuthKeyResult, ClientHandshake
from ..auth.temp import TempKey
from ..crypto.rsa import RSAPublicKey
from ..errors import (
    ConnectionLostError,
    HandshakeError,
    MessageRejectedError,
    SeeOtherError,
    TransportCodeError,
    TransportError,
)
from ..session import (
    ClientSession,
    SaltUpdated,
    SessionReset,
    SessionResetPolicy,
    TimeSynced,
    Update,
    default_init_connection,
)
from ..session.msgid import MsgIdGenerator
from ..tl import functions
from ..storage import SessionStore, StoredSession
from ..telegram.dcs import DEFAULT_PORT, DcTable, dc_address
from ..telegram.keys import telegram_public_keys
from ..telegram.proxy import MTProxy
from ..tlobject import TLRequest
from ..transports import CLIENT_CODEC_NAMES, TransportCodec, make_client_codec
from .dcs import DcDirectory
from .dial import ProxyLike, describe_route, proxy_setting
from .link import Link
from .migration import ClientArgumentError, DcRouter, check_bot_token
from .tempkeys import DEFAULT_TEMP_KEY_LIFETIME, TempKeys

R = TypeVar("R")

__all__ = ["Client", "PublicKeyLike"]

log = logging.getLogger(__name__)

PublicKeyLike = RSAPublicKey | str | bytes
"""An :class:`RSAPublicKey`, or its PEM (PKCS#1 ``RSA PUBLIC KEY`` or SPKI ``PUBLIC KEY``)."""

_ACK_DELAY = 0.5  # seconds a lone ack may wait for a packet to ride on
#: Test DCs are numbered 10000 + dc_id in the handshake and in the obfuscated2 header.
_TEST_DC_SHIFT = 10_000
#: Calls queued in one loop iteration beyond which a container is written at once
#: (pipelining: the server starts on it while later calls are still being made).
PIPELINE_BATCH = 32

_Call = tuple[object, "asyncio.Future[Any]", float, float]
"""A call being awaited: (request, future, deadline on the loop clock, timeout in seconds)."""


def _describe(error: BaseException) -> str:
    """``TypeName: message`` (an exception's ``str`` alone may be empty)."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _as_public_keys(keys: PublicKeyLike | Sequence[PublicKeyLike]) -> list[RSAPublicKey]:
    if isinstance(keys, (RSAPublicKey, str, bytes)):
        keys = [keys]
    result = [key if isinstance(key, RSAPublicKey) else RSAPublicKey.from_pem(key) for key in keys]
    if not result:
        raise ValueError("Client needs the server's RSA public key")
    return result


class Client:
    """An MTProto 2.0 client over TCP.

    ``transport`` is one of ``"abridged"``, ``"intermediate"``, ``"padded"``,
    ``"full"``, ``"obfuscated-abridged"``, ``"obfuscated-intermediate"``,
    ``"obfuscated-padded"``.  ``timeout`` bounds each call (overridable per
    call), ``connect_timeout`` each connection attempt and each handshake
    step.  ``max_reconnects`` consecutive failed attempts (with backoff from
    ``reconnect_delay`` doubling up to ``max_reconnect_delay``) end in
    :class:`ConnectionLostError` for every pending call.  The first request of
    each new connection is wrapped in ``invokeWithLayer(initConnection(...))``
    as Telegram requires: ``api_id`` (default 0) feeds the default wrapper, or
    pass your own ``init_connection``.  ``on_session_reset`` decides what
    happens to unanswered calls when the server lost our session or key (the
    one case that cannot be exactly-once): ``"raise"`` fails them with
    :class:`~tlruntime.errors.SessionResetError` (``maybe_executed``), and
    ``"resend"`` sends them again, so they may run twice.  ``clock`` and
    ``random_bytes`` are injectable for reproducible runs.  ``frame_timeout``:
    a frame that gets no new byte for that many seconds means the stream is
    out of sync, and the connection is reopened.

    Where it connects: ``host``, ``port`` (default 443 with a host) and
    ``public_key`` override everything (loopback use; they are DC
    ``dc_id``'s address).  Without a host the client talks to Telegram: DC
    ``dc_id``'s built-in address and Telegram's published keys, the test DCs
    with ``test=True``; ``ipv6=True`` picks the IPv6 addresses of Telegram's
    table and of ``help.getConfig``.  ``api_id`` and ``api_hash`` (from my.telegram.org)
    are what :meth:`sign_in_bot` logs in with.  The client follows
    ``*_MIGRATE_X`` errors (see :mod:`tlruntime.client.migration`; ``follow_migrations=False``
    raises them instead); with
    ``session_path`` its home DC, DC table, per-DC keys and login are stored.

    ``proxy``: a :class:`~tlruntime.telegram.Socks5Proxy`,
    :class:`~tlruntime.telegram.HttpProxy` or :class:`~tlruntime.telegram.MTProxy`
    setting, or a link naming one (``tg://proxy?...``, ``tg://socks?...``,
    ``https://t.me/proxy?...``, ``socks5://user:pass@host:port``,
    ``http://host:port``).  SOCKS5 and HTTP ``CONNECT`` tunnels (python-socks)
    carry the configured ``transport`` to ``host:port``.  An MTProxy is
    dialled instead of ``host:port`` and relays to DC ``dc_id``; it speaks
    its own transport, so ``transport`` is then ignored: obfuscated padded
    intermediate keyed by the secret (plain and ``dd`` secrets), inside fake
    TLS for ``ee`` secrets.  A proxy that is down or refuses us is retried
    like any failed connection, ending in :class:`ConnectionLostError` that
    names the cause.

    ``temp_keys=True`` turns on perfect forward secrecy (/api/pfs): the
    permanent key (stored with ``session_path``) only binds temporary keys of
    ``temp_key_lifetime`` seconds (default one day), kept in RAM; every call
    runs over the bound temporary key, which is renewed
    ``temp_key_renew_margin`` seconds before it expires (default an eighth of
    the lifetime, within 1..60 s) and re-created and re-bound after -404, without
    losing a call (see :mod:`tlruntime.client.tempkeys`).
    """

    def __init__(
        self,
        host: str | None = None,
        port: int | None = None,
        public_key: PublicKeyLike | Sequence[PublicKeyLike] | None = None,
        *,
        transport: str = "intermediate",
        session_path: str | os.PathLike[str] | None = None,
        dc_id: int = 2,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_reconnects: int = 5,
        reconnect_delay: float = 0.1,
        max_reconnect_delay: float = 5.0,
        api_id: int | None = None,
        api_hash: str | None = None,
        test: bool = False,
        ipv6: bool = False,
        init_connection: Callable[[object], object] | None = None,
        on_update: Callable[[object], Any] | None = None,
        clock: Callable[[], float] = time.time,
        random_bytes: Callable[[int], bytes] = os.urandom,
        on_session_reset: SessionResetPolicy = "raise",
        frame_timeout: float = 10.0,
        proxy: ProxyLike | None = None,
        follow_migrations: bool = True,
        temp_keys: bool = False,
        temp_key_lifetime: int = DEFAULT_TEMP_KEY_LIFETIME,
        temp_key_renew_margin: float | None = None,
    ) -> None:
        if on_session_reset not in ("raise", "resend"):
            raise ValueError(f"on_session_reset must be 'raise' or 'resend', got {on_session_reset!r}")
        self.on_session_reset: SessionResetPolicy = on_session_reset
        self.follow_migrations = follow_migrations
        """False: a ``*_MIGRATE_X`` answer is raised to the caller (tools and servers' tests want to see it)."""
        self.frame_timeout = frame_timeout
        if transport not in CLIENT_CODEC_NAMES:
            raise TransportError(f"unknown transport {transport!r}; expected one of {', '.join(CLIENT_CODEC_NAMES)}")
        if max_reconnects < 0:
            raise ValueError(f"max_reconnects must be >= 0, got {max_reconnects}")
        if isinstance(dc_id, bool) or not isinstance(dc_id, int) or dc_id <= 0:
            raise ClientArgumentError(f"dc_id must be a positive int, got {dc_id!r}")
        if host is None and port is not None:
            raise ClientArgumentError("a port without a host: pass host= too, or neither for Telegram's DCs")
        self.test = bool(test)
        self.ipv6 = bool(ipv6)
        if host is None:
            # UnknownDcError for a DC Telegram does not have
            host, port = dc_address(dc_id, test=self.test, ipv6=self.ipv6)
            explicit = None
        else:
            port = DEFAULT_PORT if port is None else port
            explicit = (host, port)
        self.host: str = host
        self.port: int = port
        self.proxy = proxy_setting(proxy)
        """The proxy connections go through (None: direct)."""
        self.public_keys = (
            list(telegram_public_keys(self.test)) if public_key is None else _as_public_keys(public_key)
        )
        self.transport = transport
        self.dc_id = dc_id
        self.api_id = api_id
        self.api_hash = api_hash
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.max_reconnects = max_reconnects
        self.reconnect_delay = reconnect_delay
        self.max_reconnect_delay = max_reconnect_delay
        self.on_update = on_update
        self._clock = clock
        self._random_bytes = random_bytes
        if init_connection is None:
            # The first request of every connection goes out as
            # invokeWithLayer(LAYER, initConnection(...)), as Telegram requires.
            init_connection = default_init_connection(api_id if api_id is not None else 0)
        self._init_connection = init_connection
        self._store = SessionStore(session_path) if session_path is not None else None
        self._owns_store = True
        self._router: DcRouter | None = DcRouter(
            self, DcDirectory.create(dc_id=dc_id, test=self.test, explicit=explicit, ipv6=self.ipv6), self._store
        )
        home = self._router.home_dc
        if home != dc_id:  # the stored home DC: connect there (its key is stored) instead
            self.dc_id = home
            self.host, self.port = self._router.directory.require_address(home)
        self._session: ClientSession | None = None
        self._link: Link | None = None
        self._reconnect_task: asyncio.Task[None] | None = None
        #: msg_id (as the session's send returned it) -> (request, future, deadline on the
        #: loop clock, timeout) of every call being awaited.
        self._pending: dict[int, _Call] = {}
        self._connect_lock: asyncio.Lock | None = None
        self._flush_scheduled = False
        #: Calls queued since the last write (see PIPELINE_BATCH).
        self._unflushed = 0
        self._sweep_timer: asyncio.TimerHandle | None = None
        #: When the sweep timer fires (infinity while none is armed).
        self._sweep_at = math.inf
        self._ack_timer: asyncio.TimerHandle | None = None
        self._closed = False
        self.handshakes = 0
        """Auth keys this client created (0 when it resumed a stored key)."""
        self.reconnects = 0
        """Connections reopened after a drop."""
        self._drop_streak = 0
        self._last_drop_reason = "no connection yet"
        self.session_resets = 0
        """Calls that may have run in a session the server lost (see ``on_session_reset``)."""
        self._temp: TempKeys | None = (
            TempKeys(self, temp_key_lifetime, temp_key_renew_margin) if temp_keys else None
        )

    # --- public surface -------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._link is not None and not self._link.closed

    @property
    def auth_key_id(self) -> int | None:
        """The auth key id as a signed TL ``long``, once a key exists."""
        if self._session is None:
            return None
        return int.from_bytes(self._session.auth_key_id, "little", signed=True)

    @property
    def home_dc(self) -> int:
        """The DC the account lives on (``*_MIGRATE_X`` moves it; stored with ``session_path``)."""
        return self._router.home_dc if self._router is not None else self.dc_id

    @property
    def dc_table(self) -> DcTable | None:
        """The :class:`~tlruntime.telegram.DcTable` this client knows (built in, or from ``help.getConfig``)."""
        return self._router.directory.table if self._router is not None else None

    @property
    def migrations(self) -> int:
        """Calls sent again on another DC after a ``*_MIGRATE_X`` answer."""
        return self._router.migrations if self._router is not None else 0

    @property
    def is_authorized(self) -> bool:
        """Whether the home DC's key is logged in by :meth:`sign_in_bot` (remembered in the store)."""
        return self._router is not None and self._router.is_logged_in()

    @property
    def temp_key(self) -> TempKey | None:
        """The bound temporary key calls run over (``temp_keys=True``), else None."""
        return self._temp.current if self._temp is not None else None

    @property
    def perm_auth_key_id(self) -> int | None:
        """The permanent key's id as a signed TL ``long`` (the one key without ``temp_keys``)."""
        if self._temp is None:
            return self.auth_key_id
        perm = self._temp.perm
        return perm.auth_key_id if perm is not None else None

    @property
    def temp_key_binds(self) -> int:
        """Temporary keys bound so far (``temp_keys=True``; 0 otherwise)."""
        return self._temp.binds if self._temp is not None else 0

    async def renew_temp_key(self) -> None:
        """Replace the temporary key now, as the timer does before expiry; calls in flight run once."""
        if self._temp is None:
            raise ValueError("renew_temp_key() needs Client(..., temp_keys=True)")
        await self._temp.renew()

    @property
    def session(self) -> ClientSession | None:
        """The sans-IO session (for inspection: salt, time offset...)."""
        return self._session

    async def connect(self) -> None:
        """Open the connection; create an auth key first unless one is stored.

        Attempts follow the one retry policy of the client (see
        :meth:`_establish`); raises :class:`ConnectionLostError` naming the
        last error once they are used up.
        """
        if self._closed:
            raise ConnectionLostError("the client was closed")
        if self._connect_lock is None:
            self._connect_lock = asyncio.Lock()
        async with self._connect_lock:
            if self.connected or self._reconnect_task is not None:
                return
            self._drop_streak = 0
            await self._establish(forget_key=False, retry_handshake_errors=False)

    async def close(self) -> None:
        """Close the connection and fail whatever is still pending with :class:`ConnectionLostError`."""
        if self._closed:
            return
        self._closed = True
        if self._temp is not None:
            self._temp.cancel()
        task = self._reconnect_task
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self._link is not None:
            self._link.detach()
            self._link.abort()
            self._link = None
        if self._ack_timer is not None:
            self._ack_timer.cancel()
        if self._sweep_timer is not None:
            self._sweep_timer.cancel()
            self._sweep_timer = None
            self._sweep_at = math.inf
        self._fail_all(ConnectionLostError("the client was closed"))
        self._persist()
        if self._router is not None:
            await self._router.close()  # the connections to other DCs
        if self._store is not None and self._owns_store:
            self._store.close()
        self._store = None

    async def __aenter__(self) -> "Client":
        await self.connect()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def __call__(self, request: TLRequest[R], *, timeout: float | None = None) -> R:
        """Send ``request`` (a :mod:`tlruntime.tl.functions` object) and return its result.

        Raises the typed :class:`~tlruntime.errors.RPCError` (or
        :class:`~tlruntime.errors.FloodWaitError`) the server answered,
        :class:`TimeoutError` after ``timeout`` seconds, or
        :class:`ConnectionLostError` when the connection cannot be restored.
        A ``*_MIGRATE_X`` answer is followed (the call is sent again on DC X;
        :class:`~tlruntime.client.migration.MigrationLoopError` ends a loop)
        unless ``follow_migrations=False``, which raises it as a typed
        :class:`~tlruntime.errors.SeeOtherError` with ``.dc_id``.
        """
        router = self._router
        if router is not None and router.home_dc != self.dc_id:
            return await router.call(request, timeout)
        if self._session is None and not self._closed:
            await self.connect()
        # One coroutine, no wrapper around the future: the sweep fails it on
        # timeout; cancelling the caller cancels it, and its entry goes when
        # the answer or the sweep comes (both skip done futures).
        try:
            return await self._submit(request, timeout)
        except SeeOtherError as error:
            if router is None or not self.follow_migrations:
                raise
            return await router.follow(request, timeout, error, self.dc_id)

    async def _call_here(self, request: TLRequest[R], timeout: float | None) -> R:
        """Send ``request`` on this connection only: no routing, no migration (the router's primitive)."""
        if self._session is None and not self._closed:
            await self.connect()
        return await self._submit(request, timeout)

    async def invoke_many(self, requests: Iterable[TLRequest[Any]], *, timeout: float | None = None) -> list[Any]:
        """Send several requests at once (one flush) and return their results in order."""
        router = self._router
        if router is not None and router.home_dc != self.dc_id:
            return list(await asyncio.gather(*(router.call(request, timeout) for request in requests)))
        if self._session is None and not self._closed:
            await self.connect()
        requests = list(requests)
        futures = [self._submit(request, timeout) for request in requests]
        if router is None or not self.follow_migrations:
            return list(await asyncio.gather(*futures))
        results: list[Any] = list(await asyncio.gather(*futures, return_exceptions=True))
        for index, result in enumerate(results):
            if isinstance(result, SeeOtherError):
                results[index] = await router.follow(requests[index], timeout, result, self.dc_id)
            elif isinstance(result, BaseException):
                raise result
        return results

    async def sign_in_bot(self, token: str, *, timeout: float | None = None) -> Any:
        """Log in as the bot ``token`` (``auth.importBotAuthorization``) and return its ``User``.

        Follows ``USER_MIGRATE_X`` to the bot's home DC, which becomes this
        client's home (stored with ``session_path``, as is the login).  Needs
        the client's ``api_id`` and ``api_hash``.
        """
        check_bot_token(token)
        if self.api_id is None or not self.api_hash:
            raise ClientArgumentError("sign_in_bot needs Client(api_id=..., api_hash=...)")
        if self._router is None:
            raise ClientArgumentError("sign_in_bot is called on the client, not on one of its DC connections")
        return await self._router.sign_in_bot(token, self.api_id, self.api_hash, timeout)

    async def get_me(self, *, timeout: float | None = None) -> Any:
        """The logged-in account's ``User`` (``users.getUsers([inputUserSelf])``)."""
        from ..tl import types

        users = await self(functions.users.GetUsers(id=[types.InputUserSelf()]), timeout=timeout)
        return users[0]

    async def ping(self, *, timeout: float | None = None) -> Any:
        """Round-trip a ``ping``; returns the ``pong``."""
        if self._session is None and not self._closed:
            await self.connect()
        return await self._submit(functions.Ping(ping_id=int.from_bytes(self._random_bytes(8), "little", signed=True)), timeout)

    # --- calls ----------------------------------------------------------------

    def _submit(self, request: TLRequest[R], timeout: float | None) -> asyncio.Future[R]:
        """Queue ``request`` in the session and return the future its answer resolves.

        The packet is written by a flush scheduled with ``call_soon``, not at
        once: calls made in the same loop iteration (an ``asyncio.gather`` of
        many calls starts them all in one iteration) share containers, while a
        lone call still goes out in the very next iteration.  Every
        ``PIPELINE_BATCH`` calls of one iteration are written at once rather
        than held to the end of it, so the server works on them while the rest
        are made (at 100 calls in flight this took our loopback round from
        client-then-server to both at once: about 1.4x the calls per second).
        """
        if self._closed:
            raise ConnectionLostError("the client was closed")
        session = self._session
        if session is None:
            raise ConnectionLostError("not connected: use 'async with Client(...)' or await connect() first")
        future = self._track(session.send(request), request, timeout)
        if self._flush_scheduled:
            self._unflushed += 1
            if self._unflushed >= PIPELINE_BATCH:
                self._write_queued()  # the scheduled flush writes whatever follows
        else:
            link = self._link
            if link is not None and not link.closed:
                self._flush_scheduled = True
                self._unflushed = 1
                future.get_loop().call_soon(self._flush)
            elif self._reconnect_task is None and link is None:
                # (A closed link still reports its end, with its reason -- a -404 means a new
                # key -- and that report starts the reconnect; the call waits in the session.)
                self._start_reconnect("send while disconnected")
        return future

    def _track(self, msg_id: int, request: object, timeout: float | None) -> asyncio.Future[Any]:
        """Register the future awaiting ``msg_id`` with its deadline (swept by one shared timer)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        limit = self.timeout if timeout is None else timeout
        deadline = loop.time() + limit
        self._pending[msg_id] = (request, future, deadline, limit)
        if deadline < self._sweep_at:
            self._arm_sweep(loop, deadline)
        return future

    def _arm_sweep(self, loop: asyncio.AbstractEventLoop, at: float) -> None:
        if self._sweep_timer is not None:
            self._sweep_timer.cancel()
        self._sweep_at = at
        self._sweep_timer = loop.call_at(at, self._sweep)

    def _sweep(self) -> None:
        """Fail every call whose deadline has passed with :class:`TimeoutError`; re-arm for the next one.

        Runs when the earliest deadline comes (one timer for all calls, so a
        call costs no timer of its own).  Entries whose future is already
        done (the caller was cancelled) are dropped here too.
        """
        self._sweep_timer = None
        self._sweep_at = math.inf
        loop = asyncio.get_running_loop()
        now = loop.time()
        earliest = math.inf
        pending = self._pending
        for msg_id, (_request, future, deadline, limit) in list(pending.items()):
            if future.done():
                del pending[msg_id]
            elif deadline <= now:
                del pending[msg_id]
                future.set_exception(TimeoutError(f"no answer within {limit} s"))
            elif deadline < earliest:
                earliest = deadline
        if earliest < math.inf and not self._closed:
            self._arm_sweep(loop, earliest)

    # --- connection set-up ----------------------------------------------------

    @property
    def _protocol_dc_id(self) -> int:
        """The DC id the handshake and the obfuscated2 header carry (test DCs: 10000 + id)."""
        return self.dc_id + _TEST_DC_SHIFT if self.test else self.dc_id

    def _for_dc(self, dc_id: int, host: str, port: int) -> "Client":
        """A connection to another DC with this client's settings, sharing its session store.

        The :class:`DcRouter` opens these on demand; they neither route nor
        follow migrations themselves, and do not close the shared store.
        """
        other = Client(
            host,
            port,
            self.public_keys,
            transport=self.transport,
            dc_id=dc_id,
            timeout=self.timeout,
            connect_timeout=self.connect_timeout,
            max_reconnects=self.max_reconnects,
            reconnect_delay=self.reconnect_delay,
            max_reconnect_delay=self.max_reconnect_delay,
            api_id=self.api_id,
            api_hash=self.api_hash,
            test=self.test,
            ipv6=self.ipv6,
            init_connection=self._init_connection,
            on_update=self.on_update,
            clock=self._clock,
            random_bytes=self._random_bytes,
            on_session_reset=self.on_session_reset,
            frame_timeout=self.frame_timeout,
            proxy=self.proxy,
            temp_keys=self._temp is not None,
            temp_key_lifetime=self._temp.lifetime if self._temp is not None else DEFAULT_TEMP_KEY_LIFETIME,
            temp_key_renew_margin=self._temp.renew_margin if self._temp is not None else None,
        )
        other._router = None
        other._store = self._store
        other._owns_store = False
        return other

    def _codec(self) -> TransportCodec:
        dc_id = self._protocol_dc_id if self.transport.startswith("obfuscated-") else None
        return make_client_codec(self.transport, dc_id=dc_id, random_bytes=self._random_bytes)

    async def _open_link(self) -> Link:
        return await Link.connect(
            self.host,
            self.port,
            proxy=self.proxy,
            dc_id=self._protocol_dc_id,
            make_codec=self._codec,
            timeout=self.connect_timeout,
            frame_timeout=self.frame_timeout,
            clock=self._clock,
            random_bytes=self._random_bytes,
        )

    def _route(self) -> str:
        return describe_route(self.host, self.port, self.proxy)

    async def _new_session(self, link: Link) -> ClientSession:
        if self._temp is not None:
            return await self._temp.first_session(link)
        stored = self._store.load(self.dc_id) if self._store is not None else None
        if stored is not None:
            log.info("resuming stored auth key for DC %d", self.dc_id)
            return self._make_session(stored.auth_key, stored.server_salt, stored.time_offset)
        result = await self._handshake(link)
        session = self._make_session(result.auth_key, result.server_salt, result.time_offset)
        self._persist(session)
        return session

    def _make_session(
        self, auth_key: bytes, server_salt: int, time_offset: int, msg_ids: MsgIdGenerator | None = None
    ) -> ClientSession:
        return ClientSession(
            auth_key,
            on_session_reset=self.on_session_reset,
            server_salt=server_salt,
            time_offset=time_offset,
            clock=self._clock,
            random_bytes=self._random_bytes,
            init_connection=self._init_connection,
            on_answer=self._on_answer,
            msg_ids=msg_ids,
        )

    async def _handshake(self, link: Link, *, expires_in: int | None = None) -> AuthKeyResult:
        """Create an auth key over ``link`` (which stays open); temporary with ``expires_in``."""
        handshake = ClientHandshake(
            self.public_keys, dc_id=self._protocol_dc_id, random_bytes=self._random_bytes, clock=self._clock,
            expires_in=expires_in,
        )
        link.send(handshake.start())
        while True:
            try:
                payload = await asyncio.wait_for(link.receive_one(), self.connect_timeout)
            except asyncio.TimeoutError:
                raise HandshakeError(f"the server did not answer a handshake step within {self.connect_timeout} s") from None
            outcome = handshake.receive(payload)
            if isinstance(outcome, AuthKeyResult):
                self.handshakes += 1
                log.info("auth key created (id %s)", outcome.auth_key_id.hex())
                return outcome
            link.send(outcome)

    def _install(self, link: Link) -> None:
        self._link = link
        link.attach(self._on_frames, functools.partial(self._on_link_lost, link))
        self._schedule_flush()

    # --- reading --------------------------------------------------------------

    def _on_frames(self, payloads: list[bytes]) -> None:
        """Called by the link for every read: process, then send what the session queued (resends...)."""
        link = self._link
        for payload in payloads:
            self._on_payload(payload)
            if link is None or link.closed:
                return
        session = self._session
        if session is not None and session.has_queued() and not self._flush_scheduled:
            self._write_queued()

    def _on_link_lost(self, link: Link, error: BaseException) -> None:
        if isinstance(error, TransportCodeError):
            reason, forget_key = str(error), error.code == -404
        else:
            reason, forget_key = f"{type(error).__name__}: {error}", False
        link.detach()
        if self._link is link and not self._closed:
            self._link = None
            self._start_reconnect(reason, forget_key=forget_key)

    def _on_payload(self, payload: bytes) -> None:
        session = self._session
        if session is None:
            return
        try:
            events = session.receive(payload)
        except MessageRejectedError as error:
            # Never a silent drop: whatever the payload carried is lost, so the
            # connection closes and the reconnect re-sends what is unanswered.
            log.warning("closing the connection: a message failed a session check: %s", error)
            if self._link is not None:
                self._link.abort()
            return
        self._drop_streak = 0
        persist = False
        # Results and failures went to _on_answer while the session read them.
        for event in events:
            if isinstance(event, (SaltUpdated, TimeSynced)):
                persist = True
            elif isinstance(event, Update):
                self._dispatch_update(event.obj)
            elif isinstance(event, SessionReset):
                self.session_resets += len(event.msg_ids)
        if persist:
            self._persist()
        self._arm_ack_timer()

    def _on_answer(self, msg_id: int, value: object, error: BaseException | None) -> None:
        """The session's answer sink: resolve the call's future (one per answer, no event object)."""
        entry = self._pending.pop(msg_id, None)
        if entry is None:
            return  # timed out meanwhile
        future = entry[1]
        if future.done():
            return  # the caller was cancelled
        if error is None:
            future.set_result(value)
        else:
            future.set_exception(error)

    def _dispatch_update(self, obj: object) -> None:
        if self.on_update is None:
            log.debug("update ignored (no on_update callback): %s", type(obj).__name__)
            return
        try:
            outcome = self.on_update(obj)
            if asyncio.iscoroutine(outcome):
                asyncio.get_running_loop().create_task(outcome)
        except Exception:
            log.exception("on_update callback failed")

    # --- writing --------------------------------------------------------------

    def _schedule_flush(self) -> None:
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        self._write_queued()

    def _write_queued(self) -> None:
        """Encrypt and write every payload the session has ready (one system call)."""
        self._unflushed = 0
        link, session = self._link, self._session
        if link is None or link.closed or session is None:
            return  # the reconnect path re-sends everything unanswered
        try:
            payloads = session.outgoing()
            if payloads:
                link.send_many(payloads)
        except (OSError, TransportError) as error:
            log.info("write failed: %s", error)
            link.abort()

    def _arm_ack_timer(self) -> None:
        """Acknowledge what we received even when no request is going out to carry the acks."""
        if self._ack_timer is None:
            self._ack_timer = asyncio.get_running_loop().call_later(_ACK_DELAY, self._flush_acks)

    def _flush_acks(self) -> None:
        self._ack_timer = None
        if self._session is not None:
            self._session.flush_acks()
            self._write_queued()

    # --- connecting and reconnecting: one retry policy -----------------------------

    def _backoff(self, attempt: int) -> float:
        """Seconds to wait before attempt number ``attempt`` (1 for the first retry)."""
        return float(min(self.reconnect_delay * 2.0 ** (attempt - 1), self.max_reconnect_delay))

    async def _establish(self, *, forget_key: bool, retry_handshake_errors: bool) -> None:
        """Open a connection and make it usable: the client's only retry loop.

        At most ``max_reconnects + 1`` attempts in a row, counted by
        ``_drop_streak``, with exponential backoff between them.  The streak is
        only reset by a message that passes the session checks, so a server
        that accepts and immediately drops the connection still ends in
        :class:`ConnectionLostError` (naming the last error), not a loop.
        """
        last_error: BaseException | None = None
        while self._drop_streak < self.max_reconnects + 1:
            if self._drop_streak:
                await asyncio.sleep(self._backoff(self._drop_streak))
            if self._closed:
                raise ConnectionLostError("the client was closed")
            self._drop_streak += 1
            try:
                link = await self._open_link()
            except (OSError, asyncio.TimeoutError, TransportError) as error:
                # TransportError: a proxy refused the tunnel or our MTProxy secret.
                last_error = error
                log.info("connecting to %s failed: %s", self._route(), _describe(error))
                continue
            retryable: tuple[type[BaseException], ...] = (
                OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, TransportError
            )
            if retry_handshake_errors:
                retryable += (HandshakeError,)
            try:
                if self._session is None:
                    self._session = await self._new_session(link)
                elif forget_key:
                    await self._replace_key(link)
                    forget_key = False
                else:
                    resent = self._session.new_connection()
                    if resent:
                        log.info("re-sending %d unanswered request(s) under their msg_ids", len(resent))
            except retryable as error:
                link.abort()
                last_error = error
                log.info("setting up the connection failed: %s", _describe(error))
                continue
            except BaseException:
                link.abort()
                raise
            log.info("connected to %s (%s)", self._route(),
                     "MTProxy's transport" if isinstance(self.proxy, MTProxy) else self.transport)
            self._install(link)
            return
        reason = _describe(last_error) if last_error is not None else self._last_drop_reason
        if isinstance(self.proxy, MTProxy) and isinstance(last_error, ConnectionResetError):
            reason += " (an MTProxy closes the connection when the secret is wrong)"
        raise ConnectionLostError(
            f"gave up connecting to {self._route()} after {self._drop_streak} attempts: {reason}"
        ) from last_error

    def _start_reconnect(self, reason: str, *, forget_key: bool = False) -> None:
        if self._closed or self._reconnect_task is not None:
            return
        self._last_drop_reason = reason
        log.info("connection lost (%s); reconnecting", reason)
        self._reconnect_task = asyncio.get_running_loop().create_task(self._reconnect(forget_key))

    async def _reconnect(self, forget_key: bool) -> None:
        try:
            await self._establish(forget_key=forget_key, retry_handshake_errors=True)
            self.reconnects += 1
        except asyncio.CancelledError:
            return
        except ConnectionLostError as error:
            if not self._closed:
                self._give_up(error)
        finally:
            if self._reconnect_task is asyncio.current_task():
                self._reconnect_task = None

    def _give_up(self, error: ConnectionLostError) -> None:
        """Fail every pending call and start the next attempt from a clean session (same auth key)."""
        log.warning("%s", error)
        self._fail_all(error)
        session = self._session
        if session is not None:
            msg_ids = self._temp.msg_ids if self._temp is not None else None
            self._session = self._make_session(session.auth_key, session.server_salt, session.time_offset, msg_ids)
        self._drop_streak = 0

    async def _replace_key(self, link: Link) -> None:
        """The server forgot our key (-404): make a new one, move pending calls to a new session."""
        if self._temp is not None:
            # A temporary key expired or the server restarted: a new one, bound to the same permanent key.
            log.warning("the server does not know our temporary key; creating and binding a new one")
            old = self._session
            try:
                fresh = await self._temp.open_session(link)
            except BaseException:
                link.abort()
                raise
            self._session = fresh
            if old is not None:
                self._adopt(old, fresh, acked_may_have_run=True)
            return
        log.warning("the server does not know our auth key; creating a new one")
        if self._store is not None:
            self._store.delete(self.dc_id)
        try:
            result = await self._handshake(link)
        except BaseException:
            link.abort()
            raise
        old = self._session
        self._session = session = self._make_session(result.auth_key, result.server_salt, result.time_offset)
        if old is not None:
            self._adopt(old, session)
        self._persist(session)
        log.info("auth key migrated: %d pending call(s) moved to the new key", len(self._pending))

    def _adopt(self, old: ClientSession, session: ClientSession, *, acked_may_have_run: bool = False) -> None:
        """Move ``old``'s unanswered calls to ``session`` (a new key) and re-key their futures."""
        # Calls that may have run under the old key follow on_session_reset ("raise": failed now,
        # through the answer sink, so they leave self._pending before it is re-keyed).
        moved = session.adopt_requests(old, acked_may_have_run=acked_may_have_run)
        pending = self._pending
        calls = [(new_id, pending.pop(old_id, None)) for old_id, new_id in moved]
        for new_id, call in calls:
            if call is not None and not call[1].done():
                pending[new_id] = call

    def _fail_all(self, error: ConnectionLostError) -> None:
        pending, self._pending = self._pending, {}
        for _request, future, _deadline, _limit in pending.values():
            if not future.done():
                future.set_exception(error)

    # --- persistence ------------------------------------------------------------

    def _persist(self, session: ClientSession | None = None) -> None:
        if self._temp is not None:
            return  # only the permanent key is stored (TempKeys saves it); temporary keys stay in RAM
        session = session if session is not None else self._session
        if self._store is None or session is None:
            return
        self._store.save(
            StoredSession(
                dc_id=self.dc_id,
                auth_key=session.auth_key,
                server_salt=session.server_salt,
                time_offset=session.time_offset,
                host=self.host,
                port=self.port,
            )
        )
