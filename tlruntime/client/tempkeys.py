"""Temporary (PFS) keys for the asyncio :class:`~tlruntime.client.Client` (``temp_keys=True``).

What /api/pfs asks of a client, and how this one does it:

* The permanent key is created (or loaded from ``session_path``) as without
  temp keys, and is the only key ever stored.  It never encrypts a call: every
  call runs over a temporary key made by a handshake with
  ``p_q_inner_data_temp_dc`` (``expires_in = temp_key_lifetime``), kept in RAM.
* The first request over a new temporary key is ``auth.bindTempAuthKey``,
  alone and not wrapped in ``initConnection``; other calls wait for its
  ``boolTrue`` (the next one is wrapped in ``initConnection``, as the page asks
  after each binding).  ``ENCRYPTED_MESSAGE_INVALID`` means the server does not
  know our permanent key: a new one is made on the same connection and the
  binding is tried once more.
* Renewal, before expiry (``temp_key_renew_margin`` seconds before, default an
  eighth of the lifetime within 1..60 s, or ``await client.renew_temp_key()``):
  a new connection and key are made while calls keep running on the old key;
  then new calls are held, the calls in flight on the old key are drained (their
  answers still come on the old connection), the new key is bound, and the held
  calls go out on it.  Draining first matters: binding the new key unbinds the
  old one, and a new key is a new session, so a call re-sent there would run a
  second time.  Nothing is re-sent, so every call runs exactly once.
* After -404 (the server forgot the temporary key: it expired early, or the
  server restarted) a new key is made and bound, and unanswered calls move to
  it.  A call the server acknowledged under the lost key may have run there: it
  follows ``on_session_reset`` (``"raise"``: :class:`SessionResetError`);
  a call it never acknowledged moves silently and runs once.  That last rule
  needs a server that answers or acknowledges each call in the packets it
  writes right after reading it, before any later -404: ours does (a call left
  to an ``async`` handler is acknowledged at once); one that acknowledges
  lazily could have run a call the client then sends again.

asyncio lives here and in :mod:`.core`; the pure pieces are
:mod:`tlruntime.auth.temp` (binding request, renewal time) and the handshake.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from ..auth import AuthKeyResult
from ..auth.temp import TempKey, queue_bind, renew_at
from ..errors import HandshakeError, MessageRejectedError, RPCError, TLError
from ..session import ClientSession
from ..session.msgid import MsgIdGenerator
from ..storage import StoredSession
from .link import Link

__all__ = ["TempKeys", "DEFAULT_TEMP_KEY_LIFETIME"]

log = logging.getLogger(__name__)

#: One day, what the official apps ask for.
DEFAULT_TEMP_KEY_LIFETIME = 24 * 60 * 60
#: A renewal that could not start is tried again after this many seconds.
_RETRY_RENEWAL = 5.0


class TempKeys:
    """The temporary-key life of one client: make and bind, renew before expiry, replace after -404.

    Part of :class:`~tlruntime.client.Client` (it drives the client's session
    and connection); users reach it through the client's ``temp_key``,
    ``perm_auth_key_id`` and ``renew_temp_key()``.
    """

    def __init__(self, client: Any, lifetime: int, renew_margin: float | None) -> None:
        # ``client`` is the owning tlruntime.client.core.Client (typed Any: core imports this module).
        if lifetime <= 0:
            raise ValueError(f"temp_key_lifetime must be a positive number of seconds, got {lifetime}")
        if renew_margin is not None and not 0 <= renew_margin < lifetime:
            # A margin as long as the key would renew it again as soon as it is bound, forever.
            raise ValueError(
                f"temp_key_renew_margin must be at least 0 and below temp_key_lifetime ({lifetime}), got {renew_margin}"
            )
        self.client = client
        self.lifetime = int(lifetime)
        self.renew_margin = renew_margin
        #: The permanent key (stored); set once the first session opens.
        self.perm: StoredSession | None = None
        #: The temporary key calls run over now.
        self.current: TempKey | None = None
        #: One msg_id generator for every temporary key of this client: ids stay unique across the
        #: old and the new session while both are alive (the client keys its calls by msg_id).
        self.msg_ids: MsgIdGenerator | None = None
        self.binds = 0
        """Temporary keys bound so far."""
        self.renewals = 0
        """Keys replaced before they expired."""
        self._timer: asyncio.TimerHandle | None = None
        self._last_error: BaseException | None = None

    # --- opening ------------------------------------------------------------------

    async def first_session(self, link: Link) -> ClientSession:
        """The client's first session: the permanent key (stored or new), then a bound temporary key."""
        client = self.client
        stored = client._store.load(client.dc_id) if client._store is not None else None
        if stored is not None:
            log.info("resuming stored permanent key for DC %d", client.dc_id)
            self.perm = stored
        else:
            self._set_perm(await client._handshake(link))
        return await self.open_session(link)

    async def open_session(self, link: Link) -> ClientSession:
        """A new temporary key over ``link``, bound to the permanent key: the session to install."""
        key = await self._create(link)
        session = self._session_for(key)
        await self._bind(link, session, key)
        return session

    def _set_perm(self, result: AuthKeyResult) -> None:
        client = self.client
        self.perm = StoredSession(
            dc_id=client.dc_id,
            auth_key=result.auth_key,
            server_salt=result.server_salt,
            time_offset=result.time_offset,
            host=client.host,
            port=client.port,
        )
        if client._store is not None:
            client._store.save(self.perm)

    async def _create(self, link: Link) -> TempKey:
        client = self.client
        result = await client._handshake(link, expires_in=self.lifetime)
        server_now = int(client._clock()) + result.time_offset
        if self.msg_ids is None:
            self.msg_ids = MsgIdGenerator(client._clock, side="client", time_offset=result.time_offset)
        elif abs(self.msg_ids.time_offset - result.time_offset) > 1:
            self.msg_ids.time_offset = result.time_offset  # the server's clock moved: follow it
        return TempKey(result.auth_key, result.server_salt, result.time_offset, server_now + self.lifetime)

    def _session_for(self, key: TempKey) -> ClientSession:
        session: ClientSession = self.client._make_session(
            key.auth_key, key.server_salt, key.time_offset, msg_ids=self.msg_ids
        )
        return session

    async def _bind(
        self, link: Link, session: ClientSession, key: TempKey, prepared: tuple[int, list[bytes]] | None = None
    ) -> None:
        """Send ``auth.bindTempAuthKey`` alone over ``link`` and wait for it; then ``key`` is current.

        ``ENCRYPTED_MESSAGE_INVALID`` twice (the second under a fresh msg_id, in
        case the first was re-sent under another id) means the server does not
        know our permanent key (/api/pfs): a new one is made and the binding tried once more.
        """
        for attempt in range(3):
            try:
                await self._bind_once(link, session, key, prepared if attempt == 0 else None)
                break
            except RPCError as error:
                if error.message != "ENCRYPTED_MESSAGE_INVALID" or attempt == 2:
                    raise HandshakeError(f"auth.bindTempAuthKey failed: {error}") from error
                if attempt == 1:
                    log.warning("the server does not know our permanent key: making a new one")
                    self._set_perm(await self.client._handshake(link))
        self.current = key
        self.binds += 1
        log.info("temporary key %s bound (expires at %d)", session.auth_key_id.hex(), key.expires_at)
        self._schedule_renewal()

    def _prepare_bind(self, session: ClientSession, key: TempKey) -> tuple[int, list[bytes]]:
        """Queue the binding in ``session`` and encrypt it at once, alone (call before anything else is queued)."""
        if self.perm is None:
            raise HandshakeError("no permanent key to bind the temporary key to")
        msg_id = queue_bind(
            session, self.perm.auth_key, expires_at=key.expires_at, random_bytes=self.client._random_bytes
        )
        return msg_id, session.outgoing()

    async def _bind_once(
        self, link: Link, session: ClientSession, key: TempKey, prepared: tuple[int, list[bytes]] | None
    ) -> None:
        # A retry (rare: the server refused the first binding) goes out with whatever the session
        # holds by then; our server runs a container's messages in order, the binding first.
        msg_id, payloads = prepared if prepared is not None else self._prepare_bind(session, key)
        answer = await self._send_and_wait(link, session, msg_id, payloads)
        if answer is not True:
            raise HandshakeError(f"auth.bindTempAuthKey answered {answer!r}, not boolTrue")

    async def _send_and_wait(self, link: Link, session: ClientSession, msg_id: int, payloads: list[bytes]) -> Any:
        """Write ``payloads`` and read ``link`` (not yet installed) until the request ``msg_id`` is answered."""
        client = self.client
        future = client._track(msg_id, None, client.connect_timeout)
        try:
            return await self._wait_for_answer(link, session, future, payloads)
        finally:
            if not future.done():  # given up (no answer, a broken link): leave nothing to the sweep
                client._pending.pop(msg_id, None)
                future.cancel()

    async def _wait_for_answer(
        self, link: Link, session: ClientSession, future: "asyncio.Future[Any]", payloads: list[bytes]
    ) -> Any:
        client = self.client
        link.send_many(payloads)
        while not future.done():
            try:
                payload = await asyncio.wait_for(link.receive_one(), client.connect_timeout)
            except asyncio.TimeoutError:
                raise HandshakeError(f"no answer to auth.bindTempAuthKey within {client.connect_timeout} s") from None
            try:
                session.receive(payload)  # the answer goes to the client's sink, which resolves the future
            except MessageRejectedError as error:
                raise HandshakeError(f"a message failed a session check during the binding: {error}") from error
            # Nothing else is written before the answer: held calls must follow the binding, and a
            # binding re-sent under another msg_id (bad salt) would no longer match its body anyway.
        return future.result()

    # --- renewal ------------------------------------------------------------------

    def _schedule_renewal(self) -> None:
        key = self.current
        if key is None or self.client._closed:
            return
        server_now = self.client._clock() + key.time_offset
        delay = max(0.0, renew_at(key.expires_at, self.lifetime, margin=self.renew_margin) - server_now)
        self._arm(delay)

    def _arm(self, delay: float) -> None:
        self.cancel()
        self._timer = asyncio.get_running_loop().call_later(delay, self._renew_due)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _renew_due(self) -> None:
        self._timer = None
        client = self.client
        if client._closed:
            return
        if client._reconnect_task is not None or not client.connected:
            self._arm(_RETRY_RENEWAL)  # a reconnect makes and binds a key of its own, or will
            return
        client._reconnect_task = asyncio.get_running_loop().create_task(self._renew_task())

    async def renew(self) -> None:
        """Replace the temporary key now (what the timer does before expiry)."""
        client = self.client
        if client._session is None:
            await client.connect()
        while client._reconnect_task is not None:  # a reconnect or another renewal is under way
            await asyncio.shield(client._reconnect_task)
        self.cancel()
        client._reconnect_task = task = asyncio.get_running_loop().create_task(self._renew_task())
        await asyncio.shield(task)
        if self._last_error is not None:
            raise self._last_error

    async def _renew_task(self) -> None:
        client = self.client
        self._last_error = None
        try:
            await self._renew()
        except asyncio.CancelledError:
            return
        except (OSError, TLError, asyncio.TimeoutError) as error:
            self._last_error = error
            log.warning("renewing the temporary key failed: %s", error)
            if self.current is not None and not client._closed:
                self._arm(_RETRY_RENEWAL)
        finally:
            if client._reconnect_task is asyncio.current_task():
                client._reconnect_task = None

    async def _renew(self) -> None:
        client = self.client
        # 1. A new connection and key while calls keep running on the old one.
        link = await client._open_link()
        try:
            key = await self._create(link)
        except BaseException:
            link.abort()
            raise
        fresh = self._session_for(key)
        prepared = self._prepare_bind(fresh, key)  # encrypted now: held calls queue behind it, never with it
        old_session, old_link = client._session, client._link
        if old_session is None or old_link is None or old_link.closed or client._closed:
            link.abort()
            raise HandshakeError("the connection changed while the new temporary key was made")
        # 2. Hold new calls (they queue in the new session, which no connection carries yet) and drain the old one.
        client._session, client._link = fresh, None
        try:
            await self._drain(old_session, old_link)
            # 3. Bind the new key, move what the old key left unanswered (nothing, unless it timed out), go on.
            await self._bind(link, fresh, key, prepared)
        except BaseException as error:
            old_link.detach()
            old_link.abort()
            link.abort()
            if isinstance(error, asyncio.CancelledError) or client._closed:
                raise
            # The held calls are in the new session, never sent: the -404 path makes and binds
            # another key and moves them (and any left on the old key, by the usual rules).
            log.warning("renewing the temporary key failed (%s); making another one", error)
            client._adopt(old_session, fresh, acked_may_have_run=True)
            await client._reconnect(True)  # the -404 path: a new key, bound, then the held calls
            return
        client._adopt(old_session, fresh, acked_may_have_run=True)
        old_link.detach()
        old_link.abort()
        self.renewals += 1
        client._install(link)
        log.info("temporary key renewed; calls run over the new key")

    async def _drain(self, session: ClientSession, link: Link) -> None:
        """Read the old key's connection until its session has no unanswered call, then close it.

        Bounded by the call timeout and the old key's expiry.  If the old
        connection drops meanwhile, the old session goes on over a new one (its
        key is still known and bound, the new one is not bound yet) and re-sends
        what is unanswered under the same msg_ids, so the server answers from
        memory rather than running anything twice.
        """
        client = self.client
        loop = asyncio.get_running_loop()
        link.detach()  # the client's handlers serve the new session now
        links = [link]
        key = self.current
        seconds = client.timeout
        if key is not None:
            seconds = min(seconds, key.expires_at - 1 - (client._clock() + key.time_offset))
        deadline = loop.time() + max(0.0, seconds)
        try:
            while session.unanswered():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    log.warning("%d call(s) still unanswered on the old temporary key", len(session.unanswered()))
                    return
                if link.closed:
                    await asyncio.sleep(min(client.reconnect_delay, remaining))
                    try:
                        link = await asyncio.wait_for(client._open_link(), max(0.001, deadline - loop.time()))
                    except (OSError, asyncio.TimeoutError) as error:
                        log.warning("the old temporary key's connection could not be reopened: %s", error)
                        return
                    links.append(link)
                    session.new_connection()  # unanswered calls again, under their msg_ids
                await self._read_until_answered(session, link, deadline - loop.time())
        finally:
            for each in links:
                each.detach()
                each.abort()

    async def _read_until_answered(self, session: ClientSession, link: Link, seconds: float) -> None:
        """Serve ``session`` over ``link`` until nothing is unanswered, the link ends, or time is up."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def settle() -> None:
            if not done.done():
                done.set_result(None)

        def on_frames(payloads: list[bytes]) -> None:
            for payload in payloads:
                try:
                    session.receive(payload)
                except MessageRejectedError as error:
                    log.warning("old temporary key: a message failed a session check: %s", error)
                    link.abort()
                    settle()
                    return
            if session.has_queued():
                try:
                    link.send_many(session.outgoing())
                except (OSError, TLError):
                    link.abort()
                    settle()
            if not session.unanswered():
                settle()

        def on_lost(_link: Link, _error: BaseException) -> None:
            settle()

        session.flush_acks()
        try:
            if session.has_queued():
                link.send_many(session.outgoing())
        except (OSError, TLError):
            link.abort()
            return
        link.attach(on_frames, functools.partial(on_lost, link))
        try:
            await asyncio.wait_for(asyncio.shield(done), max(0.0, seconds))
        except asyncio.TimeoutError:
            pass
        finally:
            link.detach()
