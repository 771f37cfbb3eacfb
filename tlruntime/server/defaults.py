"""Default handlers of the loopback server: enough of Telegram for real clients to connect.

Telethon and kurigram both send ``invokeWithLayer(initConnection(help.getConfig))``
on connect, ping the server, and Telethon asks ``users.getUsers([inputUserSelf])``
then ``updates.getState``/``updates.getDifference``.  Each gets a well-formed
answer here; ``messages.exportChatInvite`` answers from the request's own fields.
Login (``auth.*``) is :mod:`.login`'s; a logged-in key sees its own account as
``inputUserSelf`` (``users.getUsers``, ``users.getFullUser``), any other key the
server's default user.  Everything else is ``METHOD_INVALID`` (see :mod:`.handlers`).  The
``invokeWithLayer``/``initConnection``/``invoke*`` wrappers never reach a
handler: the server session unwraps them once and hands their fields to the
handler's context (``ctx.layer``, ``ctx.init``); a bare ``ping`` is
answered by the session itself, a wrapped one by the handler here.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from typing import Any

from ..errors import RPCError
from ..telegram.dcs import DcEndpoint, DcTable
from ..tl import functions, types
from .handlers import HandlerRegistry, RequestContext
from .login import account_user

__all__ = ["install_default_handlers", "build_config", "INVITE_LINK_PREFIX"]

INVITE_LINK_PREFIX = "https://t.me/+"
_MAX_USAGE_LIMIT = 99_999  # the documented upper bound of usage_limit
_MAX_TITLE_LENGTH = 32


# --- service queries --------------------------------------------------------


def _pong(request: Any, ctx: RequestContext) -> Any:
    """A ``ping`` inside ``invokeWithLayer(initConnection(...))`` (Telethon's first call) reaches here."""
    return types.Pong(msg_id=ctx.msg_id, ping_id=request.ping_id)


def build_config(ctx: RequestContext) -> Any:
    """A ``config`` with every required field set to the values Telegram itself uses, and one
    plain ``dcOption`` per DC (IPv4 unless the server listens on an IPv6 address): this server's own address, or every DC of its LoopbackTelegram
    (``ctx.extra["dc_addresses"]``, a callable returning ``{dc_id: (host, port)}``)."""
    now = ctx.now()
    addresses = ctx.extra.get("dc_addresses")
    dcs = addresses() if addresses is not None else {ctx.dc_id: (ctx.server_host, ctx.server_port)}
    table = DcTable(
        endpoints=tuple(
            DcEndpoint(dc, host, port, ipv6=":" in host, static=True) for dc, (host, port) in sorted(dcs.items())
        )
    )
    return types.Config(
        date=now,
        expires=now + 3600,
        test_mode=False,
        this_dc=ctx.dc_id,
        dc_options=table.to_dc_options(),
        dc_txt_domain_name="localhost",
        chat_size_max=200,
        megagroup_size_max=200_000,
        forwarded_count_max=100,
        online_update_period_ms=210_000,
        offline_blur_timeout_ms=5_000,
        offline_idle_timeout_ms=30_000,
        online_cloud_timeout_ms=300_000,
        notify_cloud_delay_ms=30_000,
        notify_default_delay_ms=1_500,
        push_chat_period_ms=60_000,
        push_chat_limit=2,
        edit_time_limit=172_800,
        revoke_time_limit=2_147_483_647,
        revoke_pm_time_limit=2_147_483_647,
        rating_e_decay=2_419_200,
        stickers_recent_limit=200,
        channels_read_media_period=604_800,
        call_receive_timeout_ms=20_000,
        call_ring_timeout_ms=90_000,
        call_connect_timeout_ms=30_000,
        call_packet_timeout_ms=10_000,
        me_url_prefix="https://t.me/",
        caption_length_max=1_024,
        message_length_max=4_096,
        webfile_dc_id=ctx.dc_id,
    )


def _get_config(request: Any, ctx: RequestContext) -> Any:
    return build_config(ctx)


def _nearest_dc(request: Any, ctx: RequestContext) -> Any:
    """Every loopback DC is as near as any other: the nearest is the one asked."""
    return types.NearestDc(country="ZZ", this_dc=ctx.dc_id, nearest_dc=ctx.dc_id)


def _self_user(ctx: RequestContext) -> Any:
    account = ctx.extra.get("account")
    if account is not None:
        return account_user(account, self_=True, now=ctx.now())
    return types.User(
        self_=True,
        id=ctx.user_id,
        access_hash=ctx.user_id * 7919,
        first_name="Loopback",
        last_name="User",
        username="loopback",
        status=types.UserStatusOnline(expires=ctx.now() + 300),
    )


def _user_for(input_user: Any, ctx: RequestContext) -> Any:
    if isinstance(input_user, types.InputUserSelf) or (
        isinstance(input_user, (types.InputUser, types.InputUserFromMessage)) and input_user.user_id == ctx.user_id
    ):
        return _self_user(ctx)
    if isinstance(input_user, types.InputUser):
        return types.User(id=input_user.user_id, access_hash=input_user.access_hash, first_name=f"User {input_user.user_id}")
    if isinstance(input_user, types.InputUserFromMessage):
        return types.User(id=input_user.user_id, first_name=f"User {input_user.user_id}", min=True)
    return types.UserEmpty(id=0)


def _get_users(request: Any, ctx: RequestContext) -> list[Any]:
    return [_user_for(input_user, ctx) for input_user in request.id]


def _get_full_user(request: Any, ctx: RequestContext) -> Any:
    """``users.getFullUser``: the user's ``userFull`` (empty settings) and the user itself."""
    user = _user_for(request.id, ctx)
    if isinstance(user, types.UserEmpty):
        raise RPCError(400, "USER_ID_INVALID", request)
    full = types.UserFull(
        id=user.id,
        settings=types.PeerSettings(),
        notify_settings=types.PeerNotifySettings(),
        common_chats_count=0,
    )
    return types.users.UserFull(full_user=full, chats=[], users=[user])


def _get_state(request: Any, ctx: RequestContext) -> Any:
    return types.updates.State(pts=1, qts=0, date=ctx.now(), seq=0, unread_count=0)


def _get_difference(request: Any, ctx: RequestContext) -> Any:
    return types.updates.DifferenceEmpty(date=ctx.now(), seq=0)


# --- the seed method ----------------------------------------------------------


def _random_invite_hash(randbytes: Callable[[int], bytes] = os.urandom) -> str:
    """12 random bytes as URL-safe base64: a 16-character hash like Telegram's."""
    return base64.urlsafe_b64encode(randbytes(12)).decode("ascii")


def export_chat_invite(request: Any, ctx: RequestContext) -> Any:
    """``messages.exportChatInvite``: a ``chatInviteExported`` built from the request.

    Validates like the real server does for the values it can judge alone:
    an empty peer, a usage limit outside 1..99999, an expiry date in the past
    and an overlong title are ``400`` errors.
    """
    now = ctx.now()
    if isinstance(request.peer, types.InputPeerEmpty):
        raise RPCError(400, "PEER_ID_INVALID", request)
    if request.usage_limit is not None and not 1 <= request.usage_limit <= _MAX_USAGE_LIMIT:
        raise RPCError(400, "USAGE_LIMIT_INVALID", request)
    if request.expire_date is not None and request.expire_date < now:
        raise RPCError(400, "EXPIRE_DATE_INVALID", request)
    if request.title is not None and len(request.title) > _MAX_TITLE_LENGTH:
        raise RPCError(400, "INVITE_TITLE_INVALID", request)
    randbytes = ctx.extra.get("randbytes", os.urandom)
    return types.ChatInviteExported(
        permanent=bool(request.legacy_revoke_permanent),
        request_needed=bool(request.request_needed),
        link=INVITE_LINK_PREFIX + _random_invite_hash(randbytes),
        admin_id=ctx.user_id,
        date=now,
        expire_date=request.expire_date,
        usage_limit=request.usage_limit,
        title=request.title,
        subscription_pricing=request.subscription_pricing,
    )


def install_default_handlers(registry: HandlerRegistry) -> None:
    """Register every default handler (a later ``register`` replaces any of them)."""
    registry.add(functions.Ping, _pong)
    registry.add(functions.PingDelayDisconnect, _pong)
    registry.add(functions.help.GetConfig, _get_config)
    registry.add(functions.help.GetNearestDc, _nearest_dc)
    registry.add(functions.users.GetUsers, _get_users)
    registry.add(functions.users.GetFullUser, _get_full_user)
    registry.add(functions.updates.GetState, _get_state)
    registry.add(functions.updates.GetDifference, _get_difference)
    registry.add(functions.messages.ExportChatInvite, export_chat_invite)
