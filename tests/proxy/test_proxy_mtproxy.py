"""Our Client through our server's MTProxy mode (dd and ee secrets), and the mode's refusals, over 127.0.0.1.

The server in MTProxy mode (``LoopbackServer(proxy_secret=...)``) lets in
only MTProxy clients with its secret: ``dd`` (obfuscated2 with padded
intermediate keyed by the secret) and ``ee`` (the same inside fake TLS).
Tampered fake-TLS hellos — a wrong HMAC, a stale timestamp, a replay of a
hello recorded on the wire, another SNI — are closed at the socket level
without a byte, and counted by kind (``server.mtproxy.refusals``).
"""

from __future__ import annotations

import time

import pytest
from proxy_support import HOST, SECRET_HEX, UNREACHABLE_DC, first_answer, recording_relay, run

from tlruntime.auth import ClientHandshake
from tlruntime.client import Client
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import ConnectionLostError
from tlruntime.server import LoopbackServer
from tlruntime.telegram import MTProxy, parse_proxy_link
from tlruntime.tl import functions, types
from tlruntime.transports import Frame
from tlruntime.transports.fake_tls import (
    FakeTlsClientHandshake,
    FakeTlsDigestError,
    FakeTlsHelloError,
    FakeTlsStaleHelloError,
    client_hello_length,
)
from tlruntime.transports.mtproxy import mtproxy_client_codec
from tlruntime.transports.proxy_secret import MTProxyRefusedError, MTProxySecret

KEY = bytes.fromhex(SECRET_HEX)
OTHER_KEY = bytes(range(16))


async def _export(client: Client, title: str) -> types.ChatInviteExported:
    invite = await client(
        functions.messages.ExportChatInvite(peer=types.InputPeerChat(chat_id=3), title=title, usage_limit=4)
    )
    assert isinstance(invite, types.ChatInviteExported)
    assert invite.title == title and invite.usage_limit == 4
    return invite


@pytest.mark.parametrize("kind", ["dd", "ee"])
@pytest.mark.parametrize("transport", ["intermediate", "abridged"])
def test_our_client_through_mtproxy_mode(server_key: RSAPrivateKey, kind: str, transport: str) -> None:
    """The client's own transport choice is ignored behind an MTProxy; host/port are never dialled."""

    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key, proxy_secret=SECRET_HEX) as server:
            link = server.proxy_link(kind)  # type: ignore[arg-type]
            assert link == f"tg://proxy?server={HOST}&port={server.port}&secret={kind}{SECRET_HEX}" + (
                "localhost".encode().hex() if kind == "ee" else ""
            )
            async with Client(UNREACHABLE_DC, 443, server.public_key, transport=transport, proxy=link) as client:
                assert isinstance(client.proxy, MTProxy) and client.proxy.secret.kind == kind
                await _export(client, f"via {kind}")
                [connection] = server.endpoint.connections
                assert connection.kind == ("mtproxy-obfuscated2" if kind == "dd" else "mtproxy-fake-tls")
                assert connection.dc_id == 2  # the client's dc_id, from the obfuscated2 header
                assert await server.drop_connections() == 1
                await _export(client, f"via {kind} again")  # reconnects through the proxy opening again
                assert client.reconnects == 1
            assert server.handshakes == 1
            assert not server.mtproxy.refusals  # type: ignore[union-attr]

    run(scenario())


@pytest.mark.parametrize("kind", ["dd", "ee"])
def test_wrong_secret_is_refused_after_the_retries(server_key: RSAPrivateKey, kind: str) -> None:
    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key, proxy_secret=SECRET_HEX) as server:
            secret = MTProxySecret(kind, OTHER_KEY, "localhost" if kind == "ee" else None)
            proxy = MTProxy(HOST, server.port, secret)
            client = Client(UNREACHABLE_DC, 443, server.public_key, proxy=proxy, max_reconnects=2, reconnect_delay=0.01)
            with pytest.raises(ConnectionLostError) as caught:
                await client(functions.Ping(ping_id=1))
            await client.close()
            message = str(caught.value)
            assert f"gave up connecting to MTProxy {HOST}:{server.port} ({kind} secret) after 3 attempts" in message
            refusals = server.mtproxy.refusals  # type: ignore[union-attr]
            if kind == "dd":
                # The server closes after the 64-byte header; the client can only see the close.
                assert "the secret is wrong" in message
                assert refusals == {"MTProxyRefusedError": 3}
            else:
                assert isinstance(caught.value.__cause__, MTProxyRefusedError)
                assert "without answering our fake-TLS ClientHello" in message
                assert refusals == {"FakeTlsDigestError": 3}
            assert server.endpoint.rejects.total == 3
            assert server.handshakes == 0

    run(scenario())


def test_a_recorded_fake_tls_hello_replayed_is_refused_at_the_socket(server_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key, proxy_secret=SECRET_HEX) as server:
            async with recording_relay(server.port) as relay:
                proxy = parse_proxy_link(server.proxy_link("ee").replace(str(server.port), str(relay.port)))
                async with Client(UNREACHABLE_DC, 443, server.public_key, proxy=proxy) as client:
                    await _export(client, "recorded")
            [recorded] = relay.sent
            hello_length = client_hello_length(recorded)
            assert hello_length is not None and hello_length >= 517
            hello = bytes(recorded[:hello_length])
            assert await first_answer(server.port, hello) == b""  # closed without a ServerHello
            assert server.mtproxy.refusals == {"FakeTlsReplayError": 1}  # type: ignore[union-attr]
            # A fresh hello from the same client code still gets in: only the replay was refused.
            handshake = FakeTlsClientHandshake(server.mtproxy.secret("ee"), dc_id=2)  # type: ignore[union-attr]
            answer = await first_answer(server.port, handshake.client_hello)
            assert answer[:3] == b"\x16\x03\x03"

    run(scenario())


async def _refused(port: int, hello: bytes) -> None:
    assert await first_answer(port, hello) == b""


def test_tampered_fake_tls_hellos_are_refused(server_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key, proxy_secret=SECRET_HEX) as server:
            gate = server.mtproxy
            assert gate is not None
            secret = gate.secret("ee")
            # A wrong HMAC: one bit of the random flipped.
            hello = bytearray(FakeTlsClientHandshake(secret, dc_id=2).client_hello)
            hello[11 + 3] ^= 0x01
            await _refused(server.port, bytes(hello))
            # Made with another key.
            await _refused(server.port, FakeTlsClientHandshake(MTProxySecret("ee", OTHER_KEY, "localhost"), dc_id=2).client_hello)
            # Stale: stamped an hour ago (the window is 600 s), and too far ahead.
            await _refused(server.port, FakeTlsClientHandshake(secret, dc_id=2, clock=lambda: time.time() - 3600).client_hello)
            await _refused(server.port, FakeTlsClientHandshake(secret, dc_id=2, clock=lambda: time.time() + 3600).client_hello)
            # Data sent before the ServerHello (a real TLS client waits for it).
            await _refused(server.port, FakeTlsClientHandshake(secret, dc_id=2).client_hello + b"\x14\x03\x03\x00\x01\x01")
            assert gate.refusals == {
                FakeTlsDigestError.__name__: 2,
                FakeTlsStaleHelloError.__name__: 2,
                FakeTlsHelloError.__name__: 1,
            }
            assert server.handshakes == 0
            # An untampered hello is answered, and the answer proves the secret.
            handshake = FakeTlsClientHandshake(secret, dc_id=2)
            answer = await first_answer(server.port, handshake.client_hello)
            assert handshake.feed(answer) is not None

    run(scenario())


def test_proxy_domain_refuses_hellos_for_another_host(server_key: RSAPrivateKey) -> None:
    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key, proxy_secret=SECRET_HEX, proxy_domain="cdn.example.org") as server:
            link = server.proxy_link("ee")
            assert link.endswith(SECRET_HEX + b"cdn.example.org".hex())
            async with Client(UNREACHABLE_DC, 443, server.public_key, proxy=link) as client:
                await _export(client, "right domain")
            other = FakeTlsClientHandshake(MTProxySecret("ee", KEY, "other.example.org"), dc_id=2)
            await _refused(server.port, other.client_hello)
            assert server.mtproxy.refusals == {"FakeTlsHelloError": 1}  # type: ignore[union-attr]

    run(scenario())


@pytest.mark.parametrize("dc_id", [5, -2])
def test_the_header_dc_id_is_exposed_and_any_is_accepted(server_key: RSAPrivateKey, dc_id: int) -> None:
    """Single-DC mode serves whatever DC the header names; a multi-DC server can route by ``dc_id``."""

    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key, proxy_secret="dd" + SECRET_HEX) as server:
            codec = mtproxy_client_codec(server.mtproxy.secret("dd"), dc_id=dc_id)  # type: ignore[union-attr]
            handshake = ClientHandshake([server.public_key], dc_id=2)
            answer = await first_answer(server.port, codec.initial_bytes() + codec.encode(handshake.start()))
            [frame] = [event for event in codec.feed(answer) if type(event) is Frame]
            assert handshake.receive(frame.payload)  # resPQ, answered: the connection was accepted
            [connection] = server.endpoint.connections
            assert connection.dc_id == dc_id

    run(scenario())


@pytest.mark.parametrize("transport", ["intermediate", "obfuscated-intermediate", "obfuscated-padded"])
def test_clients_without_the_proxy_opening_are_refused(server_key: RSAPrivateKey, transport: str) -> None:
    async def scenario() -> None:
        async with LoopbackServer(private_key=server_key, proxy_secret=SECRET_HEX, header_timeout=0.3) as server:
            client = Client(
                HOST, server.port, server.public_key, transport=transport, max_reconnects=1, reconnect_delay=0.01,
                connect_timeout=5,
            )
            with pytest.raises(ConnectionLostError, match="after 2 attempts"):
                await client.connect()
            await client.close()
            assert server.handshakes == 0
            refusals = server.mtproxy.refusals  # type: ignore[union-attr]
            if transport == "intermediate":
                # 48 bytes: MTProxy waits for a 64-byte header that never comes, until the header timeout.
                assert not refusals and server.endpoint.rejects.total == 2
            else:
                assert refusals == {"MTProxyRefusedError": 2}  # no secret in the obfuscation keys

    run(scenario())


def test_bad_mtproxy_arguments_are_typed_errors(server_key: RSAPrivateKey) -> None:
    from tlruntime.transports.proxy_secret import ProxySecretError

    with pytest.raises(ProxySecretError):
        LoopbackServer(private_key=server_key, proxy_secret="abcd")
    with pytest.raises(ProxySecretError):
        LoopbackServer(private_key=server_key, proxy_secret=SECRET_HEX, proxy_domain="not a domain")
    with pytest.raises(ValueError, match="proxy_domain needs proxy_secret"):
        LoopbackServer(private_key=server_key, proxy_domain="example.org")
    with pytest.raises(RuntimeError, match="not in MTProxy mode"):
        LoopbackServer(private_key=server_key).proxy_link()
