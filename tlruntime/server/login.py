"""Login on the loopback Telegram: which calls need a logged-in key, and the ``auth.*`` handlers.

Which methods need authorization is one table, :data:`ALLOWED_WITHOUT_LOGIN`:
the TL names of the calls Telegram answers on a key nobody logged in with.
Everything else needs a login (``401 AUTH_KEY_UNREGISTERED`` otherwise).  An
allow-list, not a deny-list, because that is how Telegram behaves (a fresh key
may only configure itself and log in), and because it is safe by default: a
method added later, or a handler a test registers, is refused on an
unauthorized key until someone decides otherwise here.  The table is consulted
only when the server runs with ``require_auth`` (always on a multi-DC
:class:`~tlruntime.server.LoopbackTelegram`); the single-DC default server stays
open, every key acting as its one default user.
"""

from __future__ import annotations

from typing import Any

from ..errors import RPCError
from ..tl import functions, types
from .accounts import Account, Accounts
from .handlers import HandlerRegistry, RequestContext

__all__ = [
    "ALLOWED_WITHOUT_LOGIN",
    "account_user",
    "auth_key_unregistered",
    "authorization_key",
    "install_login_handlers",
    "needs_login",
]

ALLOWED_WITHOUT_LOGIN: frozenset[str] = frozenset(
    {
        # Service calls (bare ones are answered by the session; wrapped ones reach handlers).
        "ping",
        "ping_delay_disconnect",
        "destroy_session",
        "destroy_auth_key",
        "get_future_salts",
        "rpc_drop_answer",
        # What a client asks before it logs in: where the DCs are, which one is near.
        "help.getConfig",
        "help.getNearestDc",
        "help.getCdnConfig",
        "help.getAppConfig",
        "help.getCountriesList",
        "help.getTermsOfServiceUpdate",
        "langpack.getLangPack",
        "langpack.getStrings",
        "langpack.getDifference",
        "langpack.getLanguages",
        "langpack.getLanguage",
        # Logging in, in each of Telegram's ways, and keys for it.
        "auth.sendCode",
        "auth.resendCode",
        "auth.cancelCode",
        "auth.signIn",
        "auth.signUp",
        "auth.checkPassword",
        "auth.requestPasswordRecovery",
        "auth.recoverPassword",
        "auth.importBotAuthorization",
        "auth.importAuthorization",
        "auth.importWebTokenAuthorization",
        "auth.exportLoginToken",
        "auth.importLoginToken",
        "auth.bindTempAuthKey",
        "auth.dropTempAuthKeys",
        "auth.logOut",
        "account.getPassword",
    }
)
"""TL names of the functions an unauthorized key may call when the server requires a login."""


def needs_login(request: object) -> bool:
    """True when ``request`` (a TL function) is refused on a key nobody logged in with."""
    return getattr(type(request), "TL_NAME", "") not in ALLOWED_WITHOUT_LOGIN


def auth_key_unregistered(request: object) -> RPCError:
    """Telegram's answer to a call that needs a login, on a key that has none."""
    return RPCError(401, "AUTH_KEY_UNREGISTERED", request)


def authorization_key(ctx: RequestContext) -> int:
    """The key authorizations hang on: the permanent key a bound temp key stands for, else the key itself."""
    return ctx.perm_auth_key_id if ctx.perm_auth_key_id is not None else ctx.auth_key_id


def account_user(account: Account, *, self_: bool, now: int) -> Any:
    """The ``user`` object of an account, as its own session (``self_``) or another user sees it."""
    return types.User(
        self_=self_,
        bot=account.bot,
        bot_info_version=1 if account.bot else None,  # Telegram sets it on every bot (same flag as 'bot')
        id=account.user_id,
        access_hash=account.access_hash,
        first_name=account.first_name,
        username=account.username,
        status=None if account.bot else types.UserStatusOnline(expires=now + 300),
    )


def install_login_handlers(registry: HandlerRegistry, accounts: Accounts) -> None:
    """Register ``auth.importBotAuthorization``, ``auth.exportAuthorization``,
    ``auth.importAuthorization`` and ``auth.logOut`` answering from ``accounts``."""

    def authorization(account: Account, ctx: RequestContext) -> Any:
        return types.auth.Authorization(user=account_user(account, self_=True, now=ctx.now()))

    def import_bot_authorization(request: Any, ctx: RequestContext) -> Any:
        account = accounts.import_bot_authorization(ctx.dc_id, authorization_key(ctx), request.bot_auth_token, request)
        return authorization(account, ctx)

    def export_authorization(request: Any, ctx: RequestContext) -> Any:
        user_id, data = accounts.export_authorization(ctx.dc_id, authorization_key(ctx), request.dc_id, request)
        return types.auth.ExportedAuthorization(id=user_id, bytes=data)

    def import_authorization(request: Any, ctx: RequestContext) -> Any:
        account = accounts.import_authorization(ctx.dc_id, authorization_key(ctx), request.id, request.bytes, request)
        return authorization(account, ctx)

    def log_out(request: Any, ctx: RequestContext) -> Any:
        accounts.log_out(ctx.dc_id, authorization_key(ctx))
        return types.auth.LoggedOut()

    registry.add(functions.auth.ImportBotAuthorization, import_bot_authorization)
    registry.add(functions.auth.ExportAuthorization, export_authorization)
    registry.add(functions.auth.ImportAuthorization, import_authorization)
    registry.add(functions.auth.LogOut, log_out)
