"""The client's one socket-opening path: names resolved address by address, and a forged MTProxy answer refused."""

from __future__ import annotations

import pytest
from proxy_support import HOST, SECRET_HEX, UNREACHABLE_DC, recording_relay, run

from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import ConnectionLostError
from tlruntime.server import LoopbackServer
from tlruntime.telegram import parse_proxy_link
from tlruntime.tl import functions
from tlruntime.transports.fake_tls import FakeTlsServerHelloError


def test_a_host_name_is_dialled_address_by_address(server_key: RSAPrivateKey) -> None:
    """``localhost`` may resolve to ::1 first while the server listens on 127.0.0.1 only."""

    async def scenario() -> None:
        async with LoopbackServer(HOST, 0, private_key=server_key) as server:
            async with Client("localhost", server.port, server.public_key) as client:
                pong = await client(functions.Ping(ping_id=5))
                assert pong.ping_id == 5

    run(scenario())


def test_a_server_hello_that_does_not_prove_the_secret_is_refused(server_key: RSAPrivateKey) -> None:
    """A man in the middle who flips one byte of the ServerHello random: the client never sends MTProto."""

    def forge(answer: bytes) -> bytes:
        forged = bytearray(answer)
        forged[11 + 5] ^= 0x80  # inside the ServerHello random (record 5 + handshake 4 + version 2)
        return bytes(forged)

    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key, proxy_secret=SECRET_HEX) as server:
            async with recording_relay(server.port, mangle_first_answer=forge) as relay:
                proxy = parse_proxy_link(server.proxy_link("ee").replace(str(server.port), str(relay.port)))
                client = Client(UNREACHABLE_DC, 443, server.public_key, proxy=proxy, max_reconnects=1,
                                reconnect_delay=0.01)
                with pytest.raises(ConnectionLostError, match="after 2 attempts: FakeTlsServerHelloError") as caught:
                    await client.connect()
                await client.close()
            assert isinstance(caught.value.__cause__, FakeTlsServerHelloError)
            assert len(relay.sent) == 2
            # Each connection carried the ClientHello only: nothing followed the forged answer.
            assert all(len(sent) == 517 for sent in relay.sent)
            assert server.handshakes == 0

    run(scenario())


@pytest.mark.parametrize("kind", ["socks5", "http", "ee"])
def test_a_proxy_that_never_answers_is_bounded_by_connect_timeout(kind: str) -> None:
    """Accepts TCP, reads, never answers: each attempt ends at connect_timeout, then ConnectionLostError."""
    import asyncio

    from tlruntime.crypto.rsa import RSAPrivateKey as Key

    async def scenario() -> None:
        accepted = 0

        async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal accepted
            accepted += 1
            await reader.read()  # until the client gives up and closes
            writer.close()

        server = await asyncio.start_server(silent, HOST, 0)
        port = server.sockets[0].getsockname()[1]
        proxy = {
            "socks5": f"socks5://{HOST}:{port}",
            "http": f"http://{HOST}:{port}",
            "ee": f"tg://proxy?server={HOST}&port={port}&secret=ee{SECRET_HEX}{b'localhost'.hex()}",
        }[kind]
        client = Client(HOST, 1, Key.generate(1024).public_key, proxy=proxy, connect_timeout=0.3, max_reconnects=1,
                        reconnect_delay=0.01)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            with pytest.raises(ConnectionLostError, match="after 2 attempts"):
                await client.connect()
        finally:
            await client.close()
            server.close()
            await server.wait_closed()
        assert accepted == 2
        assert 0.6 <= loop.time() - started < 5

    run(scenario())


@pytest.mark.parametrize("route", ["direct", "socks5", "http", "dd", "ee"])
def test_every_route_gets_tcp_nodelay(server_key: RSAPrivateKey, route: str) -> None:
    """asyncio sets TCP_NODELAY only on sockets made with proto IPPROTO_TCP; python-socks' are proto 0.

    Without it the transport's opening and first frame (two writes) wait for a delayed ACK, 40 ms.
    """
    import socket

    from proxy_support import pproxy_server

    from tlruntime.client.dial import dial, proxy_setting
    from tlruntime.transports import make_client_codec

    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key, proxy_secret=SECRET_HEX) as mtproxy_server, \
                pproxy_server("socks5") as socks, pproxy_server("http") as http:
            proxy = {
                "direct": None,
                "socks5": f"socks5://{HOST}:{socks.port}",
                "http": f"http://{HOST}:{http.port}",
                "dd": mtproxy_server.proxy_link("dd"),
                "ee": mtproxy_server.proxy_link("ee"),
            }[route]
            dialed = await dial(
                HOST, mtproxy_server.port, proxy=proxy_setting(proxy), dc_id=2,
                make_codec=lambda: make_client_codec("intermediate"), timeout=5,
            )
            try:
                assert dialed.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
            finally:
                dialed.sock.close()

    run(scenario())
