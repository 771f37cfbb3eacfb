"""Our client against our loopback server over real 127.0.0.1 sockets.

Every transport (obfuscated variants included) does a real handshake and the
seed call; the heavy scenarios (1,000 concurrent calls, a dropped connection
mid-flight, a restart that reuses the stored key) run on one or two transports.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from e2e_support import ALL_TRANSPORTS, HOST, future_date, run
from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import ConnectionLostError, FloodWaitError, RPCError
from tlruntime.server import LoopbackServer, RequestContext
from tlruntime.tl import functions, types


def seed_request(**overrides: Any) -> Any:
    """``messages.exportChatInvite`` with every parameter set."""
    fields: dict[str, Any] = dict(
        legacy_revoke_permanent=True,
        request_needed=True,
        peer=types.InputPeerChannel(channel_id=1234567, access_hash=-987654321),
        expire_date=future_date(),
        usage_limit=50,
        title="e2e team",
        subscription_pricing=types.StarsSubscriptionPricing(period=2_592_000, amount=250),
    )
    fields.update(overrides)
    return functions.messages.ExportChatInvite(**fields)


def check_invite(invite: Any, request: Any) -> None:
    assert isinstance(invite, types.ChatInviteExported)
    assert invite.link.startswith("https://t.me/+") and len(invite.link) > len("https://t.me/+")
    assert invite.title == request.title
    assert invite.expire_date == request.expire_date
    assert invite.usage_limit == request.usage_limit
    assert invite.request_needed == request.request_needed
    assert invite.permanent == request.legacy_revoke_permanent
    assert invite.subscription_pricing == request.subscription_pricing
    assert invite.revoked is False


# --- every transport ---------------------------------------------------------------


async def _seed_call(server_key: RSAPrivateKey, transport: str) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        async with Client(HOST, server.port, server.public_key, transport=transport, timeout=10) as client:
            assert client.handshakes == 1
            assert server.handshakes == 1
            request = seed_request()
            check_invite(await client(request), request)
            config = await client(functions.help.GetConfig())
            assert isinstance(config, types.Config)
            assert config.dc_options[0].ip_address == HOST
            assert config.dc_options[0].port == server.port
            pong = await client.ping()
            assert isinstance(pong, types.Pong)


@pytest.mark.parametrize("transport", ALL_TRANSPORTS)
def test_handshake_and_seed_call(server_key: RSAPrivateKey, transport: str) -> None:
    run(_seed_call(server_key, transport))


def _record_nearest_dc(server: LoopbackServer) -> list[RequestContext]:
    """Answer help.getNearestDc and record each call's context (layer, initConnection)."""
    seen: list[RequestContext] = []

    @server.register(functions.help.GetNearestDc)
    def nearest(request: Any, ctx: RequestContext) -> Any:
        seen.append(ctx)
        return types.NearestDc(country="NL", this_dc=ctx.dc_id, nearest_dc=ctx.dc_id)

    return seen


async def _pem_and_init_connection(server_key: RSAPrivateKey) -> None:
    """The public key may be given as PEM; ``api_id`` wraps the first call in initConnection."""
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        seen = _record_nearest_dc(server)
        async with Client(HOST, server.port, server.public_key_pem, api_id=12345, timeout=10) as client:
            nearest_dc = await client(functions.help.GetNearestDc())
    assert nearest_dc == types.NearestDc(country="NL", this_dc=2, nearest_dc=2)
    assert seen[0].layer == 229
    assert seen[0].init is not None and seen[0].init.api_id == 12345


def test_pem_key_and_init_connection(server_key: RSAPrivateKey) -> None:
    run(_pem_and_init_connection(server_key))


async def _default_init_connection(server_key: RSAPrivateKey) -> None:
    """Without api_id the first call of a connection is still wrapped (api_id 0)."""
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        seen = _record_nearest_dc(server)
        async with Client(HOST, server.port, server.public_key, timeout=10) as client:
            await client(functions.help.GetNearestDc())
            await client(functions.help.GetNearestDc())
    assert seen[0].layer == 229 and seen[0].init is not None and seen[0].init.api_id == 0
    assert seen[1].layer is None and seen[1].init is None  # only the first call of a connection


def test_first_call_wrapped_by_default(server_key: RSAPrivateKey) -> None:
    run(_default_init_connection(server_key))


# --- errors ----------------------------------------------------------------------------


async def _typed_errors(server_key: RSAPrivateKey) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:

        @server.register(functions.help.GetNearestDc)
        async def flooded(request: Any) -> Any:
            raise RPCError(420, "FLOOD_WAIT_17")

        async with Client(HOST, server.port, server.public_key, timeout=10) as client:
            with pytest.raises(RPCError) as unknown:
                await client(functions.help.GetAppConfig(hash=0))
            assert (unknown.value.code, unknown.value.message) == (400, "METHOD_INVALID")

            with pytest.raises(FloodWaitError) as flood:
                await client(functions.help.GetNearestDc())
            assert flood.value.seconds == 17 and flood.value.code == 420

            with pytest.raises(RPCError) as bad_limit:
                await client(seed_request(usage_limit=100_000))
            assert bad_limit.value.message == "USAGE_LIMIT_INVALID"

            with pytest.raises(RPCError) as empty_peer:
                await client(seed_request(peer=types.InputPeerEmpty()))
            assert empty_peer.value.message == "PEER_ID_INVALID"

            # The connection is still fine after errors.
            request = seed_request()
            check_invite(await client(request), request)


def test_rpc_errors_are_typed(server_key: RSAPrivateKey) -> None:
    run(_typed_errors(server_key))


async def _handler_crash_is_500(server_key: RSAPrivateKey) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:

        @server.register(functions.help.GetNearestDc)
        def broken(request: Any) -> Any:
            raise KeyError("bug in a handler")

        async with Client(HOST, server.port, server.public_key, timeout=10) as client:
            with pytest.raises(RPCError) as caught:
                await client(functions.help.GetNearestDc())
            assert caught.value.code == 500


def test_handler_crash_answers_internal_error(server_key: RSAPrivateKey) -> None:
    run(_handler_crash_is_500(server_key))


async def _call_timeout(server_key: RSAPrivateKey) -> None:
    release = asyncio.Event()
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:

        @server.register(functions.help.GetNearestDc)
        async def slow(request: Any, ctx: RequestContext) -> Any:
            await release.wait()
            return types.NearestDc(country="NL", this_dc=2, nearest_dc=2)

        async with Client(HOST, server.port, server.public_key, timeout=10) as client:
            with pytest.raises(TimeoutError):
                await client(functions.help.GetNearestDc(), timeout=0.3)
            release.set()
            # A late answer to the abandoned call does not disturb the next one.
            request = seed_request()
            check_invite(await client(request), request)


def test_per_call_timeout(server_key: RSAPrivateKey) -> None:
    run(_call_timeout(server_key))


# --- load ------------------------------------------------------------------------------


async def _many_concurrent(server_key: RSAPrivateKey, transport: str) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        async with Client(HOST, server.port, server.public_key, transport=transport, timeout=30) as client:
            requests = [seed_request(title=f"invite {i}", usage_limit=i + 1) for i in range(1000)]
            results = await asyncio.gather(*(client(request) for request in requests))
            assert server.connection_count == 1
    assert len(results) == 1000
    for request, invite in zip(requests, results):
        check_invite(invite, request)
    assert len({invite.link for invite in results}) == 1000


@pytest.mark.parametrize("transport", ["intermediate", "obfuscated-padded"])
def test_thousand_concurrent_calls_on_one_connection(server_key: RSAPrivateKey, transport: str) -> None:
    run(_many_concurrent(server_key, transport))


# --- dropped connections -----------------------------------------------------------------


async def _drop_mid_flight(server_key: RSAPrivateKey, transport: str) -> None:
    started = asyncio.Event()
    in_flight = 0
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:

        @server.register(functions.messages.ExportChatInvite)
        async def slow_export(request: Any, ctx: RequestContext) -> Any:
            nonlocal in_flight
            in_flight += 1
            if in_flight >= 50:
                started.set()
            await asyncio.sleep(0.05)
            from tlruntime.server.defaults import export_chat_invite

            return export_chat_invite(request, ctx)

        async with Client(HOST, server.port, server.public_key, transport=transport, timeout=30) as client:
            requests = [seed_request(title=f"call {i}") for i in range(200)]
            calls = [asyncio.ensure_future(client(request)) for request in requests]
            await asyncio.wait_for(started.wait(), 10)
            dropped = await server.drop_connections()
            assert dropped == 1
            results = await asyncio.gather(*calls)
            assert client.reconnects >= 1
            # Still usable afterwards, on the new connection.
            after = seed_request(title="after the drop")
            check_invite(await client(after), after)
    assert server.handshakes == 1  # reconnecting reuses the auth key
    for request, invite in zip(requests, results):
        check_invite(invite, request)


@pytest.mark.parametrize("transport", ["abridged", "obfuscated-intermediate"])
def test_dropped_connection_loses_nothing(server_key: RSAPrivateKey, transport: str) -> None:
    run(_drop_mid_flight(server_key, transport))


async def _gives_up(server_key: RSAPrivateKey) -> None:
    server = LoopbackServer(host=HOST, port=0, private_key=server_key)
    await server.start()
    hold = asyncio.Event()

    @server.register(functions.help.GetNearestDc)
    async def never(request: Any) -> Any:
        await hold.wait()
        return types.NearestDc(country="NL", this_dc=2, nearest_dc=2)

    client = Client(
        HOST, server.port, server.public_key, timeout=30, max_reconnects=2, reconnect_delay=0.05, connect_timeout=2
    )
    await client.connect()
    try:
        call = asyncio.ensure_future(client(functions.help.GetNearestDc()))
        await asyncio.sleep(0.2)
        await server.close()  # the listener is gone: every reconnect attempt is refused
        with pytest.raises(ConnectionLostError):
            await call
    finally:
        hold.set()
        await client.close()


def test_gives_up_with_connection_lost_error(server_key: RSAPrivateKey) -> None:
    run(_gives_up(server_key))


# --- stored sessions ---------------------------------------------------------------------


async def _restart_reuses_key(server_key: RSAPrivateKey, session_path: Path) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        async with Client(HOST, server.port, server.public_key, session_path=session_path, timeout=10) as first:
            request = seed_request()
            check_invite(await first(request), request)
            first_key = first.auth_key_id
        assert server.handshakes == 1

        async with Client(HOST, server.port, server.public_key, session_path=session_path, timeout=10) as second:
            assert second.handshakes == 0
            assert second.auth_key_id == first_key
            request = seed_request(title="after restart")
            check_invite(await second(request), request)
        assert server.handshakes == 1  # no second handshake on the server either


def test_restart_reuses_stored_key(server_key: RSAPrivateKey, tmp_path: Path) -> None:
    run(_restart_reuses_key(server_key, tmp_path / "client.session"))


async def _forgotten_key_is_replaced(server_key: RSAPrivateKey, session_path: Path) -> None:
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        async with Client(HOST, server.port, server.public_key, session_path=session_path, timeout=10) as client:
            await client(seed_request())
            old_key = client.auth_key_id
    # A new server (no --state) does not know the stored key: -404, then a fresh handshake.
    async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
        async with Client(HOST, server.port, server.public_key, session_path=session_path, timeout=10) as client:
            request = seed_request(title="new key")
            check_invite(await client(request), request)
            assert client.auth_key_id != old_key
            assert server.handshakes == 1


def test_unknown_stored_key_is_replaced(server_key: RSAPrivateKey, tmp_path: Path) -> None:
    run(_forgotten_key_is_replaced(server_key, tmp_path / "client.session"))


async def _server_state_file(server_key: RSAPrivateKey, tmp_path: Path) -> None:
    state, session_path = tmp_path / "server.state", tmp_path / "client.session"
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, state_path=state) as server:
        async with Client(HOST, server.port, server.public_key, session_path=session_path, timeout=10) as client:
            await client(seed_request())
    async with LoopbackServer(host=HOST, port=0, private_key=server_key, state_path=state) as server:
        async with Client(HOST, server.port, server.public_key, session_path=session_path, timeout=10) as client:
            request = seed_request(title="server restarted")
            check_invite(await client(request), request)
            assert client.handshakes == 0
        assert server.handshakes == 0


def test_server_state_file_keeps_keys(server_key: RSAPrivateKey, tmp_path: Path) -> None:
    run(_server_state_file(server_key, tmp_path))


# --- connection set-up failures ------------------------------------------------------------


def test_unreachable_server_raises_connection_lost(server_key: RSAPrivateKey) -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]

    async def scenario() -> None:
        client = Client(HOST, port, server_key.public_key, max_reconnects=1, reconnect_delay=0.01, connect_timeout=2)
        with pytest.raises(ConnectionLostError):
            await client.connect()
        await client.close()

    run(scenario())


def test_wrong_server_key_fails_the_handshake(server_key: RSAPrivateKey) -> None:
    from tlruntime.errors import HandshakeError

    other_key = RSAPrivateKey.generate(2048)

    async def scenario() -> None:
        async with LoopbackServer(host=HOST, port=0, private_key=server_key) as server:
            client = Client(HOST, server.port, other_key.public_key, timeout=5)
            with pytest.raises(HandshakeError):
                await client.connect()
            await client.close()
            assert server.handshakes == 0

    run(scenario())


def test_default_handlers_answer_what_clients_ask_on_connect(server_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with LoopbackServer(host=HOST, port=0, private_key=server_key, user_id=4242) as server:
            async with Client(HOST, server.port, server.public_key, timeout=10) as client:
                users = await client(
                    functions.users.GetUsers(
                        id=[types.InputUserSelf(), types.InputUser(user_id=7, access_hash=8), types.InputUserEmpty()]
                    )
                )
                state = await client(functions.updates.GetState())
                difference = await client(functions.updates.GetDifference(pts=state.pts, date=state.date, qts=state.qts))
                wrapped = await client(
                    functions.InvokeWithLayer(layer=229, query=functions.InvokeWithoutUpdates(query=functions.help.GetConfig()))
                )
        me, other, empty = users
        assert isinstance(me, types.User) and me.self_ and me.id == 4242
        assert isinstance(other, types.User) and (other.id, other.access_hash) == (7, 8)
        assert isinstance(empty, types.UserEmpty)
        assert isinstance(state, types.updates.State) and state.pts >= 1
        assert isinstance(difference, types.updates.DifferenceEmpty)
        assert isinstance(wrapped, types.Config) and wrapped.this_dc == 2

    run(scenario())
