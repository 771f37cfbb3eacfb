"""The server side of ``auth.bindTempAuthKey`` and what an unbound temporary key may call.

/api/pfs and the method's page: the request must arrive encrypted with the
temporary key it binds, in the session named inside the binding message, and
the binding message (encrypted with the permanent key) must repeat the
request's nonce, expires_at and perm_auth_key_id and carry the request's own
msg_id.  :func:`~tlruntime.telegram.pfs.open_bind_message` makes those checks;
this module adds what only the server knows (which keys are temporary, which
permanent keys exist, the clock) and answers a failure the way Telegram does:

* the call came over a permanent key: 400 ``TEMP_AUTH_KEY_EMPTY``;
* any check of the binding message fails, the permanent key is unknown (or is
  itself temporary), ``expires_at`` is already past, or the temporary key is
  already bound to another permanent key: 400 ``ENCRYPTED_MESSAGE_INVALID``
  (the one error the page names for a bad binding; the reason goes to the log).

Unbound temporary keys: /api/pfs lets them call only a few methods before the
binding.  This server lets through ``auth.bindTempAuthKey``, ``help.getConfig``
and ``help.getNearestDc``, and MTProto functions (``ping`` and the like, even
wrapped in ``invokeWithLayer``; unwrapped they never reach handlers); every other method on an unbound temporary key
is answered 401 ``AUTH_KEY_PERM_EMPTY``, Telegram's error for it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..errors import RPCError
from ..session.client import is_mtproto_function
from ..telegram.pfs import BindMessageError, open_bind_message
from ..tl import functions
from .handlers import HandlerRegistry, RequestContext

if TYPE_CHECKING:
    from ..endpoint import ServerEndpoint

__all__ = ["UNBOUND_METHODS", "check_unbound", "install_temp_key_handlers"]

log = logging.getLogger(__name__)

#: What an unbound temporary key may call (besides MTProto service messages).
UNBOUND_METHODS: frozenset[type] = frozenset(
    {functions.auth.BindTempAuthKey, functions.help.GetConfig, functions.help.GetNearestDc}
)


def check_unbound(endpoint: "ServerEndpoint", auth_key_id: int, request: object) -> None:
    """Raise 401 ``AUTH_KEY_PERM_EMPTY`` for a method an unbound temporary key may not call."""
    temp_keys = endpoint.temp_keys
    if (
        auth_key_id in temp_keys
        and temp_keys.perm_of(auth_key_id) is None
        and type(request) not in UNBOUND_METHODS
        and not is_mtproto_function(request)  # a wrapped ping is a service call too
    ):
        raise RPCError(401, "AUTH_KEY_PERM_EMPTY", request)


def install_temp_key_handlers(registry: HandlerRegistry, endpoint: "ServerEndpoint") -> None:
    """Register the ``auth.bindTempAuthKey`` handler of ``endpoint``."""

    def refuse(request: object, reason: str) -> RPCError:
        log.info("auth.bindTempAuthKey refused: %s", reason)
        return RPCError(400, "ENCRYPTED_MESSAGE_INVALID", request)

    def bind_temp_auth_key(request: functions.auth.BindTempAuthKey, ctx: RequestContext) -> bool:
        temp_keys = endpoint.temp_keys
        temp_key_id = ctx.auth_key_id
        if temp_key_id not in temp_keys:
            raise RPCError(400, "TEMP_AUTH_KEY_EMPTY", request)
        perm_key_id = request.perm_auth_key_id
        perm_key = endpoint.auth_key(perm_key_id)
        if perm_key is None or perm_key_id in temp_keys:
            raise refuse(request, f"permanent key {perm_key_id & ((1 << 64) - 1):016x} is unknown here")
        try:
            open_bind_message(
                perm_key,
                request.encrypted_message,
                msg_id=ctx.msg_id,
                perm_auth_key_id=perm_key_id,
                nonce=request.nonce,
                expires_at=request.expires_at,
                temp_auth_key_id=temp_key_id,
                temp_session_id=ctx.session_id,
            )
        except BindMessageError as error:
            raise refuse(request, error.reason) from None
        if request.expires_at <= ctx.now():
            raise refuse(request, f"expires_at {request.expires_at} is not in the future")
        bound_to = temp_keys.perm_of(temp_key_id)
        if bound_to is not None and bound_to != perm_key_id:
            raise refuse(request, "the temporary key is already bound to another permanent key")
        temp_keys.bind(temp_key_id, perm_key_id, request.expires_at)
        log.info(
            "temporary key %016x bound to permanent key %016x until %d",
            temp_key_id & ((1 << 64) - 1), perm_key_id & ((1 << 64) - 1), request.expires_at,
        )
        return True

    registry.add(functions.auth.BindTempAuthKey, bind_temp_auth_key)
