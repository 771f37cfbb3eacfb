"""The loopback Telegram's accounts: bots, their home DCs, and which auth key is logged in as whom.

One :class:`Accounts` registry is shared by every DC of a
:class:`~tlruntime.server.LoopbackTelegram` (each DC keeps its own auth keys;
accounts and authorizations are the part Telegram shares between DCs).  It is
sans-IO: the clock and the randomness are injected, and every refusal is the
:class:`~tlruntime.errors.RPCError` Telegram answers, so a handler only passes
it on.

Authorization is per DC and per *permanent* auth key, as on Telegram: a key
starts unauthorized on every DC; ``auth.importBotAuthorization`` on the bot's
home DC, or ``auth.importAuthorization`` with bytes exported for that DC,
authorizes it there; ``auth.logOut`` takes it back.  (A temp key bound to a
permanent key by ``auth.bindTempAuthKey`` acts for that permanent key: callers
pass the permanent key's id, see :func:`tlruntime.server.login.authorization_key`.)

Facts from Telegram: a bot token is ``<bot_id>:<secret>``; a token nobody
issued is ``400 ACCESS_TOKEN_INVALID``; logging a bot in away from its home DC
is ``303 USER_MIGRATE_<home>``; exported authorization bytes imported with the
wrong id or on the wrong DC are ``400 AUTH_BYTES_INVALID``; exporting to a DC
that does not exist (or to the DC you are on) is ``400 DC_ID_INVALID``.
"""

from __future__ import annotations

import hmac
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import RPCError, TLError

__all__ = [
    "Account",
    "Accounts",
    "AccountsError",
    "DEFAULT_BOT_TOKEN",
    "EXPORTED_AUTHORIZATION_TTL",
    "parse_bot_token",
]

DEFAULT_BOT_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
"""The example token of Telegram's Bot API page; registered by default on a LoopbackTelegram."""

EXPORTED_AUTHORIZATION_TTL = 300
"""Seconds exported authorization bytes stay importable (Telegram does not publish its value)."""

_EXPORTED_BYTES = 32
_MAX_EXPORTS = 4096  # unused exports kept at once (a client exporting in a loop cannot grow memory)
_MAX_BOT_ID = (1 << 52) - 1  # user ids fit in 52 bits (Telegram's own bound for user ids)
# A bot id, a colon, then the secret: letters, digits, '-' and '_' (what BotFather issues, 35 chars today).
_TOKEN = re.compile(r"([1-9][0-9]{0,15}):([A-Za-z0-9_-]{1,128})")


class AccountsError(TLError, ValueError):
    """A registry configuration that cannot be: a malformed or clashing bot token, an unknown DC."""


def parse_bot_token(token: object) -> tuple[int, str] | None:
    """``(bot_id, secret)`` of a well-formed ``<bot_id>:<secret>`` token, else None."""
    match = _TOKEN.fullmatch(token) if isinstance(token, str) else None
    if match is None or int(match.group(1)) > _MAX_BOT_ID:
        return None
    return int(match.group(1)), match.group(2)


def _token_invalid(request: object) -> RPCError:
    return RPCError(400, "ACCESS_TOKEN_INVALID", request)


@dataclass(frozen=True, slots=True)
class Account:
    """One user of the loopback Telegram (today: bots; ``home_dc`` is where it must log in)."""

    user_id: int
    access_hash: int
    home_dc: int
    bot: bool = False
    first_name: str = ""
    username: str | None = None


@dataclass(frozen=True, slots=True)
class _Export:
    user_id: int
    target_dc: int
    expires_at: float


class Accounts:
    """Users, bot tokens and authorizations of a (multi-DC) loopback Telegram.

    ``dc_ids``: the DCs that exist.  ``bots``: tokens issued, each ``TOKEN`` or
    ``(TOKEN, home_dc)``; a bare token lives on ``bot_home_dc`` (default 2; when that DC does not
    exist, the nearest lower one, else the lowest).  ``any_bot_token``: every well-formed token
    logs in (as a bot with that id, living on ``bot_home_dc``) unless its id was issued with
    another secret.
    """

    def __init__(
        self,
        dc_ids: Iterable[int],
        *,
        bots: Iterable[str | tuple[str, int]] = (),
        any_bot_token: bool = False,
        bot_home_dc: int = 2,
        clock: Callable[[], float] = time.time,
        random_bytes: Callable[[int], bytes] = os.urandom,
        export_ttl: float = EXPORTED_AUTHORIZATION_TTL,
    ) -> None:
        given = tuple(dc_ids)
        if not given or any(not isinstance(dc, int) or isinstance(dc, bool) or dc <= 0 for dc in given):
            raise AccountsError(f"dc_ids must be positive integers, got {given!r}")
        self.dc_ids = tuple(sorted(set(given)))
        self.any_bot_token = any_bot_token
        self.bot_home_dc = self._clip_dc(bot_home_dc)
        self.clock = clock
        self.random_bytes = random_bytes
        self.export_ttl = export_ttl
        self._secrets: dict[int, str] = {}  # bot id -> the secret its token was issued with
        self._accounts: dict[int, Account] = {}
        self._authorized: dict[tuple[int, int], int] = {}  # (dc_id, perm auth key id) -> user id
        self._exports: dict[bytes, _Export] = {}
        for entry in bots:
            token, home = (entry, None) if isinstance(entry, str) else entry
            self.add_bot(token, home)

    # --- accounts ---------------------------------------------------------------

    def add_bot(self, token: str, home_dc: int | None = None) -> Account:
        """Issue ``token`` (``<bot_id>:<secret>``), its bot living on ``home_dc`` (default ``bot_home_dc``)."""
        parsed = parse_bot_token(token)
        if parsed is None:
            raise AccountsError(f"not a bot token (<bot_id>:<secret>): {token!r}")
        bot_id, secret = parsed
        if home_dc is not None and home_dc not in self.dc_ids:
            raise AccountsError(f"bot {bot_id}: home DC {home_dc} is not one of DCs {self.dc_ids}")
        if bot_id in self._secrets and self._secrets[bot_id] != secret:
            raise AccountsError(f"bot {bot_id} was already issued with another secret")
        self._secrets[bot_id] = secret
        return self._bot_account(bot_id, home_dc if home_dc is not None else self.bot_home_dc)

    def account(self, user_id: int) -> Account | None:
        return self._accounts.get(user_id)

    @property
    def bot_tokens(self) -> tuple[str, ...]:
        """Every issued token, in the order issued."""
        return tuple(f"{bot_id}:{secret}" for bot_id, secret in self._secrets.items())

    # --- authorization per DC and key ---------------------------------------------

    def account_of(self, dc_id: int, auth_key_id: int) -> Account | None:
        """Who ``auth_key_id`` (a permanent key) is logged in as on ``dc_id``; None when unauthorized."""
        user_id = self._authorized.get((dc_id, auth_key_id))
        return None if user_id is None else self._accounts[user_id]

    def authorize(self, dc_id: int, auth_key_id: int, user_id: int) -> Account:
        account = self._accounts[user_id]
        self._authorized[(dc_id, auth_key_id)] = user_id
        return account

    def log_out(self, dc_id: int, auth_key_id: int) -> bool:
        """Unauthorize the key on that DC; True when it was logged in."""
        return self._authorized.pop((dc_id, auth_key_id), None) is not None

    @property
    def authorization_count(self) -> int:
        return len(self._authorized)

    # --- the login calls ------------------------------------------------------------

    def import_bot_authorization(self, dc_id: int, auth_key_id: int, token: str, request: object = None) -> Account:
        """``auth.importBotAuthorization``: authorize the key as the bot, on the bot's home DC only."""
        parsed = parse_bot_token(token)
        if parsed is None:
            raise _token_invalid(request)
        bot_id, secret = parsed
        issued = self._secrets.get(bot_id)
        if issued is None and not self.any_bot_token:
            raise _token_invalid(request)
        if issued is not None and not hmac.compare_digest(issued.encode(), secret.encode()):
            raise _token_invalid(request)
        account = self._bot_account(bot_id, self.bot_home_dc)
        if account.home_dc != dc_id:
            raise RPCError(303, f"USER_MIGRATE_{account.home_dc}", request)
        return self.authorize(dc_id, auth_key_id, bot_id)

    def export_authorization(self, dc_id: int, auth_key_id: int, target_dc: int, request: object = None) -> tuple[int, bytes]:
        """``auth.exportAuthorization``: ``(user_id, bytes)`` importable once on ``target_dc``, for a while."""
        account = self.account_of(dc_id, auth_key_id)
        if account is None:
            raise RPCError(401, "AUTH_KEY_UNREGISTERED", request)
        if target_dc not in self.dc_ids or target_dc == dc_id:
            raise RPCError(400, "DC_ID_INVALID", request)
        now = self.clock()
        self._forget_expired(now)
        data = self.random_bytes(_EXPORTED_BYTES)
        while len(self._exports) >= _MAX_EXPORTS:  # bounded: the oldest unused export goes first
            del self._exports[next(iter(self._exports))]
        self._exports[data] = _Export(account.user_id, target_dc, now + self.export_ttl)
        return account.user_id, data

    def import_authorization(self, dc_id: int, auth_key_id: int, user_id: int, data: bytes, request: object = None) -> Account:
        """``auth.importAuthorization``: authorize the key on ``dc_id`` with bytes exported for it (single use)."""
        self._forget_expired(self.clock())
        export = self._exports.get(bytes(data))
        if export is None or export.user_id != user_id or export.target_dc != dc_id:
            raise RPCError(400, "AUTH_BYTES_INVALID", request)
        del self._exports[bytes(data)]
        return self.authorize(dc_id, auth_key_id, user_id)

    # --- internals --------------------------------------------------------------------

    def _bot_account(self, bot_id: int, home_dc: int) -> Account:
        account = self._accounts.get(bot_id)
        if account is None:
            account = Account(
                user_id=bot_id,
                access_hash=int.from_bytes(self.random_bytes(8), "little") >> 1,
                home_dc=home_dc,
                bot=True,
                first_name=f"Loopback bot {bot_id}",
                username=f"loopback{bot_id}_bot",
            )
            self._accounts[bot_id] = account
        return account

    def _clip_dc(self, dc_id: int) -> int:
        """``dc_id`` if it exists; otherwise the highest DC below it, else the lowest DC."""
        if dc_id in self.dc_ids:
            return dc_id
        lower = [dc for dc in self.dc_ids if dc < dc_id]
        return lower[-1] if lower else self.dc_ids[0]

    def _forget_expired(self, now: float) -> None:
        expired = [data for data, export in self._exports.items() if export.expires_at <= now]
        for data in expired:
            del self._exports[data]
