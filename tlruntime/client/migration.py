"""Several DCs per client: connections opened on demand, ``*_MIGRATE_X`` followed, bot login.

A :class:`~tlruntime.client.Client` owns one :class:`DcRouter`.  The client's
own connection stays bound to the DC it first connected to; a connection to
any other DC is another ``Client`` made by :meth:`Client._for_dc` (its own auth
key and session, stored under its DC id in the same session file), opened
when first needed and closed with the client.

What a 303 means (/api/datacenter):

* ``PHONE_MIGRATE_X``, ``USER_MIGRATE_X``, ``NETWORK_MIGRATE_X``: the account
  (or this network) belongs to DC X.  The home DC becomes X (stored) and the
  call is sent again there.
* ``FILE_MIGRATE_X``, ``STATS_MIGRATE_X``: this one call must run on DC X.
  The key of DC X is logged in first with ``auth.exportAuthorization`` (on
  the home DC) and ``auth.importAuthorization`` (on DC X); that is done once
  per DC key and remembered in the store.  The home DC does not change.

A migrated call is refused, not run, by the DC that answered 303, so sending
it again on another DC is a new call there (a new msg_id on another session);
the exactly-once guarantees of each session are untouched.  Each call follows
at most :data:`MAX_MIGRATIONS` redirections and never returns to a DC it was
sent from: a loop ends in :class:`MigrationLoopError`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from ..errors import ConnectionLostError, SeeOtherError, TLError
from ..storage import SessionStore
from ..tl import functions, types
from ..tlobject import TLRequest
from .dcs import DcDirectory

__all__ = ["ClientArgumentError", "DcRouter", "HOME_MIGRATIONS", "CALL_MIGRATIONS", "MAX_MIGRATIONS", "MigrationLoopError"]

log = logging.getLogger(__name__)

R = TypeVar("R")

#: 303 errors that move the home DC; the call is sent again on the new home.
HOME_MIGRATIONS = frozenset({"PHONE_MIGRATE_X", "USER_MIGRATE_X", "NETWORK_MIGRATE_X"})
#: 303 errors that send one call to another DC (logged in there by export/import).
CALL_MIGRATIONS = frozenset({"FILE_MIGRATE_X", "STATS_MIGRATE_X"})
#: Redirections one call may follow before it fails with :class:`MigrationLoopError`.
MAX_MIGRATIONS = 3

_AUTHORIZED_KEY = "authorized:{dc_id}"  # -> the auth_key_id (decimal) that is logged in on that DC


class Client(Protocol):
    """What the router needs of :class:`tlruntime.client.Client` (a protocol: no import loop with core)."""

    dc_id: int
    _clock: Callable[[], float]

    @property
    def auth_key_id(self) -> int | None: ...

    async def connect(self) -> None: ...

    async def close(self) -> None: ...

    async def __call__(self, request: TLRequest[R], *, timeout: float | None = None) -> R: ...

    async def _call_here(self, request: TLRequest[R], timeout: float | None) -> R: ...

    def _for_dc(self, dc_id: int, host: str, port: int) -> "Client": ...


class ClientArgumentError(TLError, ValueError):
    """A :class:`~tlruntime.client.Client` argument (or a ``sign_in_bot`` token) that cannot work."""


class MigrationLoopError(TLError):
    """A call was redirected back to a DC it had already been sent to, or too many times.

    ``dc_id`` is the DC the last 303 named, ``path`` every DC the call was sent
    to in order (then that DC), ``error`` the last
    :class:`~tlruntime.errors.SeeOtherError` and ``request`` the call.  The
    call was refused (never run) by every DC on the path.
    """

    def __init__(self, request: object, path: tuple[int, ...], error: SeeOtherError) -> None:
        self.request = request
        self.path = path
        self.error = error
        self.dc_id = error.dc_id
        route = " -> ".join(map(str, path))
        super().__init__(f"{error.message} sent the call in a loop ({route}); giving up: {error}")


class DcRouter:
    """The DCs of one client: which is home, the connections to the others, migrations, logins."""

    def __init__(self, client: "Client", directory: DcDirectory, store: SessionStore | None) -> None:
        self._client = client
        self.directory = directory
        self._store = store
        self._others: dict[int, "Client"] = {}
        self._lock: asyncio.Lock | None = None
        #: dc_id -> auth_key_id logged in on that DC (mirrors the store).
        self._authorized: dict[int, int] = {}
        self._closed = False
        self.migrations = 0
        """Calls sent again on another DC after a 303."""
        if store is not None:
            directory.load(store)
            for dc_id in store.dc_ids():
                value = store.get_value(_AUTHORIZED_KEY.format(dc_id=dc_id))
                if value is not None and value.lstrip("-").isdigit():
                    self._authorized[dc_id] = int(value)

    @property
    def home_dc(self) -> int:
        return self.directory.home_dc

    def connections(self) -> dict[int, "Client"]:
        """Every connection by DC id, the client's own included (open or not)."""
        found = {self._client.dc_id: self._client}
        found.update(self._others)
        return found

    # --- calls ------------------------------------------------------------------

    async def call(self, request: TLRequest[R], timeout: float | None) -> R:
        """Send ``request`` to the home DC (when it is not the client's own), following 303s."""
        home = self.home_dc
        connection = await self.connection(home)
        try:
            return await connection._call_here(request, timeout)
        except SeeOtherError as error:
            return await self.follow(request, timeout, error, home)

    async def follow(self, request: TLRequest[R], timeout: float | None, error: SeeOtherError, sent_to: int) -> R:
        """Send ``request`` where ``error`` (answered by DC ``sent_to``) says, as often as it takes (bounded).

        ``timeout`` bounds each attempt on each DC, as it bounds a call on one DC.
        """
        path = [sent_to]
        while True:
            target = error.dc_id
            if error.name not in HOME_MIGRATIONS and error.name not in CALL_MIGRATIONS or target <= 0:
                raise error  # a 303 we do not know how to follow
            if target in path or len(path) > MAX_MIGRATIONS:
                raise MigrationLoopError(request, (*path, target), error) from error
            if error.name in HOME_MIGRATIONS:
                connection = await self.move_home(target)
            else:
                connection = await self.logged_in_connection(target)
            path.append(target)
            self.migrations += 1
            log.info("%s: sending %s again on DC %d", error.message, type(request).__name__, target)
            try:
                return await connection._call_here(request, timeout)
            except SeeOtherError as again:
                error = again

    # --- connections --------------------------------------------------------------

    def _guard(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def connection(self, dc_id: int) -> "Client":
        """The connected client for ``dc_id`` (the own one, or another opened now)."""
        if dc_id == self._client.dc_id:
            return self._client
        existing = self._others.get(dc_id)
        if existing is not None:
            return existing
        async with self._guard():
            return await self._open(dc_id)

    async def _open(self, dc_id: int) -> "Client":
        """(Lock held.) Open a connection to ``dc_id`` unless one exists."""
        if self._closed:
            raise ConnectionLostError("the client was closed")
        if dc_id == self._client.dc_id:
            return self._client
        existing = self._others.get(dc_id)
        if existing is not None:
            return existing
        host, port = await self._address(dc_id)
        other = self._client._for_dc(dc_id, host, port)
        try:
            await other.connect()
            if self._closed:  # the client closed while this connection was being opened
                raise ConnectionLostError("the client was closed")
        except BaseException:
            await other.close()
            raise
        log.info("opened a connection to DC %d at %s:%d", dc_id, host, port)
        self._others[dc_id] = other
        return other

    async def _address(self, dc_id: int) -> tuple[str, int]:
        """Where DC ``dc_id`` is: ask the home DC's ``help.getConfig`` first when the table is stale.

        Lazily, not after every connect: a client that never leaves its DC pays
        no extra round trip, and a stored table is reused until the server's
        ``Config.expires``.  When the refresh fails, an address known before
        (stored, or built in for Telegram) is used; a client with an explicit
        host never has Telegram's built-ins to fall back to (its other DCs
        exist only in its server's config).
        """
        directory = self.directory
        known = directory.address(dc_id)
        now = self._client._clock()
        if known is None or not directory.is_fresh(now):
            try:
                await self.refresh_config()
            except (TLError, TimeoutError) as error:
                if known is None:
                    raise
                log.warning("help.getConfig failed (%s); using the known address of DC %d", error, dc_id)
        return directory.require_address(dc_id)

    async def refresh_config(self) -> object:
        """Ask the home DC for ``help.getConfig``, update the DC table and store it; returns the config."""
        home = self.home_dc
        connection = self._client if home == self._client.dc_id else self._others.get(home, self._client)
        config = await connection._call_here(functions.help.GetConfig(), None)
        self.directory.refresh(config, self._client._clock())
        self._save_directory()
        return config

    async def move_home(self, dc_id: int) -> "Client":
        """Make ``dc_id`` the home DC (stored) and return its connection.

        A logged-in home key moves its authorization along (export/import),
        as ``NETWORK_MIGRATE`` may come after login; at login
        (``PHONE_``/``USER_MIGRATE``) the old home was not logged in.
        """
        async with self._guard():
            connection = await self._open(dc_id)
            old = self.home_dc
            if old != dc_id:
                if self._is_logged_in(old) and not self._is_logged_in(dc_id):
                    await self._import_authorization(old, connection)
                self.directory.home_dc = dc_id
                self._save_directory()
                log.info("home DC moved from %d to %d", old, dc_id)
            return connection

    async def logged_in_connection(self, dc_id: int) -> "Client":
        """The connection to ``dc_id``, its key logged in by export/import from the home DC (once)."""
        async with self._guard():
            connection = await self._open(dc_id)
            if dc_id != self.home_dc and not self._is_logged_in(dc_id):
                await self._import_authorization(self.home_dc, connection)
            return connection

    async def _import_authorization(self, from_dc: int, connection: "Client") -> None:
        """(Lock held.) ``auth.exportAuthorization`` on ``from_dc``, ``auth.importAuthorization`` on ``connection``."""
        source = await self._open(from_dc)
        exported = await source._call_here(functions.auth.ExportAuthorization(dc_id=connection.dc_id), None)
        await connection._call_here(functions.auth.ImportAuthorization(id=exported.id, bytes=exported.bytes), None)
        log.info("authorization exported from DC %d and imported on DC %d", from_dc, connection.dc_id)
        self.mark_logged_in(connection)

    # --- logged-in keys -------------------------------------------------------------

    def _is_logged_in(self, dc_id: int) -> bool:
        marked = self._authorized.get(dc_id)
        if marked is None:
            return False
        connection = self.connections().get(dc_id)
        key_id = connection.auth_key_id if connection is not None else None
        if key_id is None and self._store is not None:
            stored = self._store.load(dc_id)
            key_id = stored.auth_key_id if stored is not None else None
        return key_id == marked  # a replaced key (-404) is no longer logged in

    def is_logged_in(self) -> bool:
        """Whether the home DC's key is logged in (by ``sign_in_bot`` or a migration of the login)."""
        return self._is_logged_in(self.home_dc)

    def mark_logged_in(self, connection: "Client") -> None:
        key_id = connection.auth_key_id
        if key_id is None:
            return
        self._authorized[connection.dc_id] = key_id
        if self._store is not None:
            self._store.set_value(_AUTHORIZED_KEY.format(dc_id=connection.dc_id), str(key_id))

    async def sign_in_bot(self, token: str, api_id: int, api_hash: str, timeout: float | None) -> Any:
        """``auth.importBotAuthorization`` on the home DC (following ``USER_MIGRATE``); returns the ``User``."""
        request = functions.auth.ImportBotAuthorization(
            flags=0, api_id=api_id, api_hash=api_hash, bot_auth_token=token
        )
        authorization = await self._client(request, timeout=timeout)
        if not isinstance(authorization, types.auth.Authorization):
            raise TLError(f"auth.importBotAuthorization answered {type(authorization).__name__}, not auth.authorization")
        home = await self.connection(self.home_dc)
        self.mark_logged_in(home)
        return authorization.user

    # --- life ---------------------------------------------------------------------

    def _save_directory(self) -> None:
        if self._store is not None:
            self.directory.save(self._store)

    async def close(self) -> None:
        self._closed = True
        self._store = None  # the client closes it; what is logged in stays readable from memory
        others, self._others = self._others, {}
        await asyncio.gather(*(other.close() for other in others.values()), return_exceptions=True)


def check_bot_token(token: object) -> str:
    """A bot token looks like ``<bot id>:<secret>``; anything else is refused before it is sent."""
    if not isinstance(token, str):
        raise ClientArgumentError(f"a bot token is a str, got {type(token).__name__}")
    bot_id, sep, secret = token.partition(":")
    if not sep or not bot_id.isascii() or not bot_id.isdigit() or not secret or not secret.isprintable():
        raise ClientArgumentError("a bot token looks like '123456:ABC-secret' (the bot id, a colon, the secret)")
    return token
