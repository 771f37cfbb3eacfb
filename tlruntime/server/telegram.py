"""A small multi-DC Telegram on 127.0.0.1: one :class:`LoopbackServer` per DC, one shared registry.

::

    async with LoopbackTelegram(dcs=3) as telegram:
        telegram.ports                  # {1: 40001, 2: 40002, 3: 40003}
        telegram.public_key             # one RSA key for every DC, as Telegram uses
        telegram.server(2)              # DC 2's LoopbackServer (register handlers there)
        telegram.accounts               # users, bot tokens, authorizations (shared by all DCs)

As on Telegram, each DC has its own auth keys (a key made on DC 1 means
nothing to DC 2) and a key starts unauthorized on every DC; accounts and their
authorizations are shared.  A bot logs in on its home DC
(``auth.importBotAuthorization``; elsewhere ``303 USER_MIGRATE_<home>``), and a
logged-in key carries its login to another DC with
``auth.exportAuthorization`` / ``auth.importAuthorization``.  ``help.getConfig``
on any DC lists every DC's address (plain IPv4 ``dcOption``s).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from ..crypto.rsa import RSAPrivateKey, RSAPublicKey
from .accounts import DEFAULT_BOT_TOKEN, Accounts
from .app import LoopbackServer
from .keys import KEY_BITS

__all__ = ["LoopbackTelegram"]


class LoopbackTelegram:
    """DCs ``1..dcs`` of a loopback Telegram, each a :class:`LoopbackServer` on its own port.

    ``bots``: issued tokens (``TOKEN`` living on ``bot_home_dc``, or ``(TOKEN, home_dc)``);
    ``any_bot_token``: any well-formed ``<bot_id>:<secret>`` logs in.  ``bot_home_dc``
    (default 2) is clipped to the DCs that exist.  ``require_auth`` (default on) makes
    every call outside :data:`~tlruntime.server.login.ALLOWED_WITHOUT_LOGIN` need a login.
    ``port``: 0 lets each DC pick a free port; otherwise DC ``n`` listens on ``port + n - 1``.
    Other keyword arguments go to every :class:`LoopbackServer` (limits, ``install_defaults``...).
    """

    def __init__(
        self,
        dcs: int = 3,
        host: str = "127.0.0.1",
        *,
        port: int = 0,
        private_key: RSAPrivateKey | None = None,
        require_auth: bool = True,
        bots: Iterable[str | tuple[str, int]] = (DEFAULT_BOT_TOKEN,),
        any_bot_token: bool = False,
        bot_home_dc: int = 2,
        clock: Callable[[], float] = time.time,
        random_bytes: Callable[[int], bytes] = os.urandom,
        **server_options: Any,
    ) -> None:
        if not isinstance(dcs, int) or isinstance(dcs, bool) or dcs < 1:
            raise ValueError(f"dcs must be a positive number of DCs, got {dcs!r}")
        if port and not 0 < port + dcs - 1 <= 65535:
            raise ValueError(f"ports {port}..{port + dcs - 1} do not fit in 1..65535")
        clash = {"dc_id", "accounts", "dc_addresses", "state_path", "bots", "any_bot_token"} & set(server_options)
        if clash:
            # state_path: one SQLite file cannot hold several DCs' keys (and authorizations are not persisted).
            raise TypeError(f"LoopbackTelegram sets these itself: {', '.join(sorted(clash))}")
        self.host = host
        self.private_key = private_key if private_key is not None else RSAPrivateKey.generate(KEY_BITS)
        self.accounts = Accounts(
            range(1, dcs + 1),
            bots=bots,
            any_bot_token=any_bot_token,
            bot_home_dc=bot_home_dc,
            clock=clock,
            random_bytes=random_bytes,
        )
        self._servers = {
            dc_id: LoopbackServer(
                host,
                port + dc_id - 1 if port else 0,
                private_key=self.private_key,
                dc_id=dc_id,
                require_auth=require_auth,
                accounts=self.accounts,
                dc_addresses=self.addresses,
                clock=clock,
                random_bytes=random_bytes,
                **server_options,
            )
            for dc_id in range(1, dcs + 1)
        }
        self._started: list[LoopbackServer] = []

    # --- public surface -------------------------------------------------------------

    @property
    def dc_ids(self) -> tuple[int, ...]:
        return tuple(self._servers)

    def server(self, dc_id: int) -> LoopbackServer:
        """DC ``dc_id``'s server (``KeyError`` names the DCs that exist)."""
        try:
            return self._servers[dc_id]
        except KeyError:
            raise KeyError(f"no DC {dc_id!r}; this loopback Telegram has DCs {self.dc_ids}") from None

    def port_of(self, dc_id: int) -> int:
        return self.server(dc_id).port

    @property
    def ports(self) -> dict[int, int]:
        """``{dc_id: port}`` of every DC (once started)."""
        return {dc_id: server.port for dc_id, server in self._servers.items()}

    def addresses(self) -> dict[int, tuple[str, int]]:
        """``{dc_id: (host, port)}``: what ``help.getConfig`` lists."""
        return {dc_id: (self.host, server.port) for dc_id, server in self._servers.items()}

    @property
    def public_key(self) -> RSAPublicKey:
        return self.private_key.public_key

    @property
    def public_key_pem(self) -> str:
        return self._servers[1].public_key_pem

    @property
    def fingerprint(self) -> int:
        """The RSA key fingerprint (unsigned 64-bit), the same on every DC."""
        return self._servers[1].fingerprint

    def register(self, function_cls: type) -> Callable[[Any], Any]:
        """Decorator registering one handler on every DC."""

        def decorator(handler: Any) -> Any:
            for server in self._servers.values():
                server.register(function_cls)(handler)
            return handler

        return decorator

    async def start(self) -> None:
        try:
            for server in self._servers.values():
                await server.start()
                self._started.append(server)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        started, self._started = self._started, []
        for server in reversed(started):
            await server.close()

    async def drop_connections(self) -> int:
        """Close every open socket of every DC (keys, sessions and logins survive); returns how many."""
        return sum([await server.drop_connections() for server in self._servers.values()])

    async def __aenter__(self) -> LoopbackTelegram:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
