"""The public surface of LoopbackTelegram, and LoopbackServer's login options (single DC)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.server import DEFAULT_BOT_TOKEN, DEFAULT_USER_ID, Accounts, AccountsError, LoopbackServer, LoopbackTelegram
from tlruntime.tl import functions, types
from tlruntime.tl.errors import AuthKeyUnregisteredError, UserMigrateError

from server_dc_support import BOT_ID, HOST, TOKEN, bot_login, client_on, run

INVITE = functions.messages.ExportChatInvite(peer=types.InputPeerChat(chat_id=8))


async def _surface(server_key: RSAPrivateKey) -> None:
    telegram = LoopbackTelegram(private_key=server_key)  # 3 DCs, the Bot API's example token on DC 2
    assert telegram.dc_ids == (1, 2, 3)
    assert telegram.accounts.bot_tokens == (DEFAULT_BOT_TOKEN,)
    with pytest.raises(RuntimeError):
        telegram.port_of(1)  # not listening yet
    async with telegram:
        ports = telegram.ports
        assert sorted(ports) == [1, 2, 3] and len(set(ports.values())) == 3
        assert all(telegram.port_of(dc) == ports[dc] == telegram.server(dc).port for dc in ports)
        assert telegram.addresses() == {dc: (HOST, port) for dc, port in ports.items()}
        for dc in ports:
            server = telegram.server(dc)
            assert server.dc_id == dc and server.require_auth and server.accounts is telegram.accounts
            assert server.fingerprint == telegram.fingerprint and server.public_key.n == telegram.public_key.n
        with pytest.raises(KeyError, match="DC 4"):
            telegram.server(4)

        @telegram.register(functions.help.GetNearestDc)
        def nearest(request: Any, ctx: Any) -> Any:
            return types.NearestDc(country="NL", this_dc=ctx.dc_id, nearest_dc=3)

        @telegram.register(functions.help.GetPromoData)
        def promo(request: Any) -> Any:
            return types.help.PromoDataEmpty(expires=1)

        # Each DC has its own keys: a key made on DC 1 is unknown to DC 3.
        async with client_on(telegram, 1) as dc1, client_on(telegram, 3) as dc3:
            assert (await dc1(functions.help.GetNearestDc())).country == "NL"
            # A handler registered later is behind the login too (the table lists what is allowed).
            with pytest.raises(AuthKeyUnregisteredError):
                await dc1(functions.help.GetPromoData())
            assert (await dc3(functions.help.GetNearestDc())).this_dc == 3
            assert telegram.server(1).auth_keys != telegram.server(3).auth_keys
            with pytest.raises(UserMigrateError):
                await dc3(bot_login(DEFAULT_BOT_TOKEN))
            assert await telegram.drop_connections() == 2  # one socket per DC dialled
            assert (await dc1(functions.help.GetConfig())).this_dc == 1  # the client reconnects; DC 1 still knows its key
    with pytest.raises(RuntimeError):
        telegram.port_of(1)  # closed again


def test_loopback_telegram_surface(server_key: RSAPrivateKey) -> None:
    run(_surface(server_key))


def _free_port_run(count: int) -> int:
    """A base port with ``count`` free ports after it (best effort: asked of the OS, then released)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            base = probe.getsockname()[1]
        if base + count > 65535:
            continue
        try:
            sockets = []
            for offset in range(count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind((HOST, base + offset))
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        return base
    raise AssertionError("no run of free ports found")


async def _fixed_ports(server_key: RSAPrivateKey) -> None:
    base = _free_port_run(2)
    async with LoopbackTelegram(dcs=2, port=base, private_key=server_key) as telegram:
        assert telegram.ports == {1: base, 2: base + 1}


def test_fixed_base_port(server_key: RSAPrivateKey) -> None:
    run(_fixed_ports(server_key))


def test_bad_arguments(server_key: RSAPrivateKey) -> None:
    for dcs in (0, -1, True, 2.0):
        with pytest.raises(ValueError):
            LoopbackTelegram(dcs=dcs, private_key=server_key)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        LoopbackTelegram(dcs=3, port=65534, private_key=server_key)
    for clash in ({"dc_id": 1}, {"state_path": "x"}, {"accounts": None}):
        with pytest.raises(TypeError):
            LoopbackTelegram(private_key=server_key, **clash)
    with pytest.raises(AccountsError):
        LoopbackTelegram(dcs=2, private_key=server_key, bots=[(TOKEN, 3)])
    with pytest.raises(TypeError):
        LoopbackTelegram(private_key=server_key, no_such_limit=1)
    with pytest.raises(TypeError):  # bots belong to the shared registry, not to one of its servers
        LoopbackServer(private_key=server_key, accounts=Accounts((1, 2)), bots=[TOKEN])


async def _single_dc(server_key: RSAPrivateKey) -> None:
    # The default stays open: every key is the default user, no login needed.
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        async with Client(HOST, server.port, server.public_key, timeout=10) as client:
            assert (await client(functions.users.GetUsers(id=[types.InputUserSelf()])))[0].id == DEFAULT_USER_ID
            assert (await client(INVITE)).admin_id == DEFAULT_USER_ID
            config = await client(functions.help.GetConfig())
            assert [(o.id, o.port) for o in config.dc_options] == [(2, server.port)]
    # require_auth: a login first; a bot issued to a single server lives on its DC.
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, dc_id=4, require_auth=True, bots=[TOKEN]) as server:
        async with Client(HOST, server.port, server.public_key, dc_id=4, timeout=10) as client:
            with pytest.raises(AuthKeyUnregisteredError):
                await client(INVITE)
            assert (await client(bot_login())).user.id == BOT_ID
            assert (await client(INVITE)).admin_id == BOT_ID
            assert (await client(functions.users.GetUsers(id=[types.InputUserSelf()])))[0].bot is True


def test_single_dc_server_open_by_default_and_require_auth(server_key: RSAPrivateKey) -> None:
    run(_single_dc(server_key))


def test_config_lists_every_dc_with_its_address_family() -> None:
    from tlruntime.server import HandlerRegistry, RequestContext, build_config

    ctx = RequestContext(registry=HandlerRegistry(), auth_key_id=1, session_id=1, msg_id=4, dc_id=2, clock=lambda: 1e9)
    ctx.extra["dc_addresses"] = lambda: {2: ("::1", 4002), 1: ("127.0.0.1", 4001)}
    config = build_config(ctx)
    assert config.this_dc == 2
    assert [(o.id, o.ip_address, o.port, bool(o.ipv6), bool(o.media_only), bool(o.cdn)) for o in config.dc_options] == [
        (1, "127.0.0.1", 4001, False, False, False),
        (2, "::1", 4002, True, False, False),
    ]
