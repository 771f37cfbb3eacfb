"""MTProxy dd mode: our client codec against the server-side acceptor, in memory, seeded."""

from __future__ import annotations

import pytest
from transport_helpers import encrypted_message, feed_in_chunks, seeded_random_bytes, unencrypted_message

from tlruntime.errors import TransportError
from tlruntime.transports import Abridged, Frame, Intermediate, Obfuscated2, PaddedIntermediate, QuickAck
from tlruntime.transports.mtproxy import (
    MTProxyAcceptor,
    MTProxyRefusedError,
    MTProxySecret,
    ProxySecretError,
    mtproxy_client_codec,
)

KEY = bytes(range(0x40, 0x50))
MESSAGES = [unencrypted_message(40, seed=1), encrypted_message(3, seed=2), encrypted_message(4096, seed=3)]


def _accept(client_bytes: bytes, acceptor: MTProxyAcceptor, chunk: int) -> tuple[object, list[object]]:
    decision = None
    events: list[object] = []
    for start in range(0, len(client_bytes), chunk):
        piece = client_bytes[start : start + chunk]
        if decision is None:
            decision = acceptor.feed(piece)
            if decision is not None:
                events.extend(decision.events)
        else:
            events.extend(decision.codec.feed(piece))
    assert decision is not None
    return decision, events


@pytest.mark.parametrize("secret", [KEY, "dd" + KEY.hex(), KEY.hex(), MTProxySecret("dd", KEY)])
@pytest.mark.parametrize("chunk", [1, 7, 65, 100_000])
@pytest.mark.parametrize("dc_id", [2, -4])
def test_dd_round_trip(secret: object, chunk: int, dc_id: int) -> None:
    randomness = seeded_random_bytes(chunk)
    client = mtproxy_client_codec(secret, dc_id=dc_id, random_bytes=randomness)  # type: ignore[arg-type]
    assert isinstance(client.inner, PaddedIntermediate)
    wire = client.initial_bytes() + b"".join(client.encode(m) for m in MESSAGES)
    assert KEY not in wire
    acceptor = MTProxyAcceptor("dd" + KEY.hex(), random_bytes=seeded_random_bytes(chunk + 1))
    decision, events = _accept(wire, acceptor, chunk)
    assert decision.kind == "obfuscated2" and decision.reply == b""  # type: ignore[attr-defined]
    assert events == [Frame(m) for m in MESSAGES]
    server = decision.codec  # type: ignore[attr-defined]
    assert server.dc_id == dc_id
    answers = b"".join(server.encode(m) for m in MESSAGES) + server.encode_quick_ack(0x1234)
    assert feed_in_chunks(client, answers, chunk) == [*(Frame(m) for m in MESSAGES), QuickAck(0x8000_1234)]


def test_wrong_secret_is_refused_with_a_typed_error() -> None:
    client = mtproxy_client_codec(KEY, dc_id=2, random_bytes=seeded_random_bytes(5))
    acceptor = MTProxyAcceptor(bytes(16))
    with pytest.raises(MTProxyRefusedError, match="wrong secret"):
        acceptor.feed(client.initial_bytes())
    with pytest.raises(TransportError, match="already decided"):
        acceptor.feed(b"more")


@pytest.mark.parametrize("framing", [Abridged, Intermediate])
def test_unpadded_obfuscated_clients_are_refused_unless_allowed(framing: type[Abridged]) -> None:
    def client() -> Obfuscated2:
        return Obfuscated2(framing("client"), secret=KEY, dc_id=1, random_bytes=seeded_random_bytes(9))

    with pytest.raises(MTProxyRefusedError, match=framing.name):
        MTProxyAcceptor(KEY).feed(client().initial_bytes())
    message = unencrypted_message(40)
    opened = client()
    decision = MTProxyAcceptor(KEY, allow=frozenset({"dd", "plain-obfuscated"})).feed(
        opened.initial_bytes() + opened.encode(message)
    )
    assert decision is not None and decision.events == [Frame(message)]


@pytest.mark.parametrize(
    "opening",
    [b"\xef" + bytes(63), b"\xee" * 4 + bytes(60), b"\xdd" * 4 + bytes(60), b"GET / HTTP/1.1\r\n".ljust(64, b"x")],
    ids=("abridged", "intermediate", "padded", "http"),
)
def test_plain_transports_and_http_are_refused(opening: bytes) -> None:
    with pytest.raises(MTProxyRefusedError):
        MTProxyAcceptor(KEY).feed(opening)


def test_acceptor_waits_for_a_whole_header() -> None:
    client = mtproxy_client_codec(KEY, dc_id=2, random_bytes=seeded_random_bytes(3))
    acceptor = MTProxyAcceptor(KEY)
    assert acceptor.feed(client.initial_bytes()[:63]) is None
    decision = acceptor.feed(client.initial_bytes()[63:])
    assert decision is not None and decision.events == []


def test_fake_tls_is_refused_when_only_dd_is_allowed() -> None:
    from tlruntime.transports.fake_tls import build_client_hello

    hello = build_client_hello(KEY, "example.com", 1_700_000_000, seeded_random_bytes(1))
    with pytest.raises(MTProxyRefusedError, match="fake-TLS"):
        MTProxyAcceptor(KEY, allow=frozenset({"dd"})).feed(hello)


def test_an_obfuscated2_header_that_opens_like_tls_is_still_obfuscated2() -> None:
    draws = iter([b"\x16\x03\x01\x07" + bytes(range(1, 61))])

    def random_bytes(count: int) -> bytes:
        return next(draws) if count == 64 else bytes(count)

    client = mtproxy_client_codec(KEY, dc_id=3, random_bytes=random_bytes)
    assert client.initial_bytes()[:3] == b"\x16\x03\x01"
    message = unencrypted_message(40)
    decision = MTProxyAcceptor(KEY).feed(client.initial_bytes() + client.encode(message))
    assert decision is not None and decision.kind == "obfuscated2" and decision.events == [Frame(message)]


def test_acceptor_configuration_errors() -> None:
    with pytest.raises(TransportError):
        MTProxyAcceptor(KEY, allow=frozenset({"socks"}))
    with pytest.raises(TransportError):
        MTProxyAcceptor(KEY, allow=frozenset())
    with pytest.raises(ProxySecretError):
        MTProxyAcceptor(b"short")
    with pytest.raises(ProxySecretError, match="fake-TLS"):
        mtproxy_client_codec(b"\xee" + KEY + b"example.com", dc_id=2)
    from tlruntime.transports.fake_tls import FakeTlsHelloVerifier

    with pytest.raises(TransportError, match="another secret"):
        MTProxyAcceptor(KEY, verifier=FakeTlsHelloVerifier(bytes(16)))
    with pytest.raises(TransportError, match="shared FakeTlsHelloVerifier"):
        MTProxyAcceptor(KEY, allow=frozenset({"dd", "ee"}))  # a per-connection verifier could never see a replay


def test_default_modes_follow_the_verifier() -> None:
    from tlruntime.transports.fake_tls import FakeTlsHelloVerifier, build_client_hello

    hello = build_client_hello(KEY, "example.com", 1_700_000_000, seeded_random_bytes(2))
    with pytest.raises(MTProxyRefusedError, match="fake-TLS"):
        MTProxyAcceptor(KEY).feed(hello)
    verifier = FakeTlsHelloVerifier(KEY, clock=lambda: 1_700_000_000)
    decision = MTProxyAcceptor(KEY, verifier=verifier).feed(hello)
    assert decision is not None and decision.kind == "fake-tls"
