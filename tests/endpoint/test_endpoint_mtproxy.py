"""MTProxy mode in the sans-IO endpoint: the acceptor sits in each connection's transport detection.

No sockets and an injected clock: the endpoint writes the fake-TLS ServerHello
as a raw Send before any framed byte, exposes the header's DC id, counts
refusals by kind, holds opening bytes against the buffer cap and closes
openings that never complete.
"""

from __future__ import annotations

import pytest
from endpoint_helpers import FakeClock, seeded

from tlruntime.auth import ClientHandshake
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.endpoint import Close, EndpointConnection, MTProxyGate, Send, ServerEndpoint, ServerLimits
from tlruntime.transports import Frame, TransportCodec
from tlruntime.transports.fake_tls import FakeTlsClientHandshake
from tlruntime.transports.mtproxy import mtproxy_client_codec

KEY = bytes(range(100, 116))


def _endpoint(key: RSAPrivateKey, clock: FakeClock, **limits: object) -> ServerEndpoint:
    gate = MTProxyGate(KEY, domain="cdn.example.org", clock=clock, random_bytes=seeded(3))
    return ServerEndpoint(
        [key], limits=ServerLimits(**limits), clock=clock, random_bytes=seeded(7), mtproxy=gate  # type: ignore[arg-type]
    )


def _frames(codec: TransportCodec, actions: list[object]) -> list[bytes]:
    payloads = []
    for action in actions:
        assert isinstance(action, Send)
        payloads += [event.payload for event in codec.feed(action.data) if type(event) is Frame]
    return payloads


def _req_pq(key: RSAPrivateKey, clock: FakeClock) -> bytes:
    return ClientHandshake([key.public_key], dc_id=2, random_bytes=seeded(11), clock=clock).start()


def test_fake_tls_client_gets_the_server_hello_first_then_frames(server_key: RSAPrivateKey) -> None:
    clock = FakeClock()
    endpoint = _endpoint(server_key, clock)
    connection = endpoint.connect(("127.0.0.1", 1))
    secret = endpoint.mtproxy.secret("ee")  # type: ignore[union-attr]
    handshake = FakeTlsClientHandshake(secret, dc_id=4, clock=clock, random_bytes=seeded(5))
    hello = handshake.client_hello
    assert connection.receive(hello[:100]) == []  # undecided: held, and counted against the buffer cap
    assert endpoint.buffered_total == 100
    [reply] = connection.receive(hello[100:])
    assert isinstance(reply, Send) and reply.data[:3] == b"\x16\x03\x03"  # raw TLS records, not a frame
    assert endpoint.buffered_total == 0
    assert connection.kind == "mtproxy-fake-tls" and connection.dc_id is None  # the header is still to come
    ready = handshake.feed(reply.data)
    assert ready is not None  # the ServerHello proved the secret
    actions = connection.receive(ready.codec.initial_bytes() + ready.codec.encode(_req_pq(server_key, clock)))
    assert connection.dc_id == 4
    [res_pq] = _frames(ready.codec, actions)
    assert res_pq[:8] == bytes(8)  # an unencrypted answer: the handshake runs behind the proxy opening
    assert not endpoint.mtproxy.refusals  # type: ignore[union-attr]


def test_dd_client_in_one_chunk(server_key: RSAPrivateKey) -> None:
    clock = FakeClock()
    endpoint = _endpoint(server_key, clock)
    connection = endpoint.connect(("127.0.0.1", 2))
    codec = mtproxy_client_codec(endpoint.mtproxy.secret("dd"), dc_id=-3, random_bytes=seeded(9))  # type: ignore[union-attr]
    actions = connection.receive(codec.initial_bytes() + codec.encode(_req_pq(server_key, clock)))
    assert connection.kind == "mtproxy-obfuscated2" and connection.dc_id == -3
    assert len(_frames(codec, actions)) == 1


def _refused(connection: EndpointConnection, data: bytes) -> str:
    [close] = connection.receive(data)
    assert isinstance(close, Close) and connection.closed
    return close.reason


def test_replays_and_stale_hellos_are_refused_across_connections(server_key: RSAPrivateKey) -> None:
    clock = FakeClock()
    endpoint = _endpoint(server_key, clock)
    secret = endpoint.mtproxy.secret("ee")  # type: ignore[union-attr]
    hello = FakeTlsClientHandshake(secret, dc_id=2, clock=clock, random_bytes=seeded(1)).client_hello
    [reply] = endpoint.connect(("127.0.0.1", 3)).receive(hello)
    assert isinstance(reply, Send)
    assert "replay" in _refused(endpoint.connect(("127.0.0.1", 4)), hello).lower()
    clock.now += 601  # past MTProxy's 600 s window
    stale = FakeTlsClientHandshake(secret, dc_id=2, clock=lambda: clock.now - 601, random_bytes=seeded(2)).client_hello
    _refused(endpoint.connect(("127.0.0.1", 5)), stale)
    assert endpoint.mtproxy.refusals == {"FakeTlsReplayError": 1, "FakeTlsStaleHelloError": 1}  # type: ignore[union-attr]
    assert endpoint.rejects.total == 2


@pytest.mark.parametrize("opening", [b"\xef" + bytes(63), b"\xee" * 4 + bytes(60), b"POST / HTTP/1.1\r\n" + bytes(50)])
def test_plain_openings_are_refused(server_key: RSAPrivateKey, opening: bytes) -> None:
    endpoint = _endpoint(server_key, FakeClock())
    assert "MTProxy opening refused" in _refused(endpoint.connect(("127.0.0.1", 6)), opening)
    assert endpoint.mtproxy.refusals == {"MTProxyRefusedError": 1}  # type: ignore[union-attr]


def test_an_opening_that_never_completes_is_closed_at_the_header_timeout(server_key: RSAPrivateKey) -> None:
    clock = FakeClock()
    endpoint = _endpoint(server_key, clock, header_timeout=5.0)
    connection = endpoint.connect(("127.0.0.1", 7))
    assert connection.receive(b"\x16\x03\x01\x02\x00" + bytes(20)) == []
    clock.now += 6
    [close] = endpoint.poll()
    assert isinstance(close, Close) and "header" in close.reason
    assert endpoint.buffered_total == 0
