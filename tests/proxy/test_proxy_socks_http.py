"""Our Client through real SOCKS5 and HTTP CONNECT proxies (pproxy) to the loopback server, 127.0.0.1 only.

The tunnel is opened by python-socks; the MTProto transport inside is the
client's own.  pproxy's log proves each connection went through it.  A proxy
that refuses our credentials, or is down, goes through the client's one
reconnect policy and ends in ConnectionLostError naming the cause.
"""

from __future__ import annotations

import pytest
from proxy_support import HOST, pproxy_server, run

from tlruntime.client import Client, ProxyConnectError
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import ConnectionLostError
from tlruntime.server import LoopbackServer
from tlruntime.telegram import HttpProxy, Socks5Proxy
from tlruntime.tl import functions, types


async def _export(client: Client, title: str) -> types.ChatInviteExported:
    invite = await client(functions.messages.ExportChatInvite(peer=types.InputPeerChat(chat_id=7), title=title))
    assert isinstance(invite, types.ChatInviteExported)
    return invite


def _relayed(log: list[str], port: int) -> int:
    """How many connections pproxy relayed to our server's port."""
    return sum(1 for line in log if line.endswith(f"-> {HOST}:{port}") or f"-> {HOST}:{port} " in line)


@pytest.mark.parametrize("transport", ["intermediate", "obfuscated-padded", "full"])
def test_socks5_without_credentials(server_key: RSAPrivateKey, transport: str) -> None:
    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key) as server, pproxy_server("socks5") as proxy:
            setting = Socks5Proxy(HOST, proxy.port)
            async with Client(HOST, server.port, server.public_key, transport=transport, proxy=setting) as client:
                invite = await _export(client, f"socks5 {transport}")
                assert invite.title == f"socks5 {transport}"
                assert client.proxy == setting
            assert _relayed(proxy.log, server.port) == 1, proxy.log

    run(scenario())


def test_socks5_with_credentials_from_a_tg_link(server_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key) as server, pproxy_server("socks5", "alice:s3cret") as proxy:
            link = f"tg://socks?server={HOST}&port={proxy.port}&user=alice&pass=s3cret"
            async with Client(HOST, server.port, server.public_key, proxy=link) as client:
                assert client.proxy == Socks5Proxy(HOST, proxy.port, "alice", "s3cret")
                assert (await _export(client, "socks5 auth")).title == "socks5 auth"
            assert _relayed(proxy.log, server.port) == 1, proxy.log

    run(scenario())


def test_socks5_refusing_our_credentials_ends_in_connection_lost(server_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key) as server, pproxy_server("socks5", "alice:s3cret") as proxy:
            client = Client(
                HOST, server.port, server.public_key, proxy=f"socks5://alice:wrong@{HOST}:{proxy.port}",
                max_reconnects=2, reconnect_delay=0.01,
            )
            with pytest.raises(ConnectionLostError) as caught:
                await client.connect()
            await client.close()
            message = str(caught.value)
            assert f"via SOCKS5 proxy {HOST}:{proxy.port}" in message
            assert "after 3 attempts" in message
            assert "ProxyConnectError" in message and "refused the tunnel" in message
            assert isinstance(caught.value.__cause__, ProxyConnectError)
            # Every attempt reached the proxy and was refused there; none reached our server.
            assert sum("Unauthorized" in line for line in proxy.log) == 3, proxy.log
            assert server.handshakes == 0 and _relayed(proxy.log, server.port) == 0

    run(scenario())


def test_http_connect(server_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key) as server, pproxy_server("http") as proxy:
            async with Client(HOST, server.port, server.public_key, proxy=HttpProxy(HOST, proxy.port)) as client:
                assert (await _export(client, "http connect")).title == "http connect"
                await client.ping()
            assert _relayed(proxy.log, server.port) == 1, proxy.log

    run(scenario())


def test_http_connect_with_basic_auth_url(server_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key) as server, pproxy_server("http", "bob:pa ss") as proxy:
            url = f"http://bob:pa%20ss@{HOST}:{proxy.port}"
            async with Client(HOST, server.port, server.public_key, proxy=url) as client:
                assert client.proxy == HttpProxy(HOST, proxy.port, "bob", "pa ss")
                assert (await _export(client, "http auth")).title == "http auth"

    run(scenario())


def test_a_reconnect_goes_through_the_proxy_again(server_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key) as server, pproxy_server("socks5") as proxy:
            async with Client(HOST, server.port, server.public_key, proxy=Socks5Proxy(HOST, proxy.port)) as client:
                await _export(client, "before")
                assert await server.drop_connections() == 1
                assert (await _export(client, "after")).title == "after"
                assert client.reconnects == 1
            assert _relayed(proxy.log, server.port) == 2, proxy.log
            assert server.handshakes == 1  # the same auth key over the new tunnel

    run(scenario())


def test_a_proxy_that_is_down_ends_in_connection_lost(server_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key) as server:
            async with pproxy_server("socks5") as proxy:
                closed_port = proxy.port  # free again once pproxy stops
            client = Client(
                HOST, server.port, server.public_key, proxy=Socks5Proxy(HOST, closed_port),
                max_reconnects=1, reconnect_delay=0.01,
            )
            with pytest.raises(ConnectionLostError, match=rf"via SOCKS5 proxy {HOST}:{closed_port} after 2 attempts.*unreachable"):
                await client.connect()
            await client.close()

    run(scenario())
