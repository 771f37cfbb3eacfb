"""MTProxy fake TLS (ee secrets): client handshake and acceptor in memory, seeded; tampered hellos refused."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from transport_helpers import encrypted_message, seeded_random_bytes, unencrypted_message

from tlruntime.errors import SecurityError, TLError, TransportError
from tlruntime.transports import Frame, QuickAck
from tlruntime.transports.fake_tls import (
    MAX_RECORD_WRITE,
    FakeTlsClientHandshake,
    FakeTlsDigestError,
    FakeTlsError,
    FakeTlsHelloError,
    FakeTlsHelloVerifier,
    FakeTlsReplayError,
    FakeTlsServerHelloError,
    FakeTlsStaleHelloError,
    ReplayCache,
    build_client_hello,
    client_hello_length,
)
from tlruntime.transports.mtproxy import MTProxyAcceptance, MTProxyAcceptor, MTProxySecret

KEY = bytes(range(0x10, 0x20))
SECRET = MTProxySecret("ee", KEY, "www.example.com")
NOW = 1_764_400_000
MESSAGES = [unencrypted_message(40, seed=1), encrypted_message(3, seed=2), encrypted_message(2048, seed=3)]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _handshake(seed: int = 1, *, client_time: float = NOW, secret: MTProxySecret = SECRET) -> FakeTlsClientHandshake:
    return FakeTlsClientHandshake(secret, dc_id=2, clock=Clock(client_time), random_bytes=seeded_random_bytes(seed))


def _acceptor(verifier: FakeTlsHelloVerifier | None = None, *, now: float = NOW, seed: int = 100) -> MTProxyAcceptor:
    verifier = verifier or FakeTlsHelloVerifier(SECRET, clock=Clock(now))
    return MTProxyAcceptor(KEY, verifier=verifier, random_bytes=seeded_random_bytes(seed))


def _accept(acceptor: MTProxyAcceptor, hello: bytes, chunk: int = 1 << 20) -> MTProxyAcceptance:
    decision = None
    for start in range(0, len(hello), chunk):
        assert decision is None
        decision = acceptor.feed(hello[start : start + chunk])
    assert decision is not None
    return decision


def _feed(codec: object, data: bytes, chunk: int) -> list[object]:
    events: list[object] = []
    for start in range(0, len(data), chunk):
        events.extend(codec.feed(data[start : start + chunk]))  # type: ignore[attr-defined]
    return events


@pytest.mark.parametrize("chunk", [1, 5, 517, 1 << 20])
def test_round_trip_both_ways(chunk: int) -> None:
    handshake = _handshake(seed=chunk)
    decision = _accept(_acceptor(seed=chunk), handshake.client_hello, chunk)
    assert decision.kind == "fake-tls" and decision.events == []
    ready = None
    for start in range(0, len(decision.reply), chunk):
        assert ready is None
        ready = handshake.feed(decision.reply[start : start + chunk])
    assert ready is not None and ready.events == []
    client, server = ready.codec, decision.codec
    assert client.initial_bytes() == b""
    wire = b"".join(client.encode(m) for m in MESSAGES)
    assert wire.startswith(b"\x14\x03\x03\x00\x01\x01\x17\x03\x03")  # ChangeCipherSpec, then application data
    assert _feed(server, wire, chunk) == [Frame(m) for m in MESSAGES]
    assert server.dc_id == 2
    answers = b"".join(server.encode(m) for m in MESSAGES) + server.encode_quick_ack(7)
    assert answers[:3] == b"\x17\x03\x03"
    assert _feed(client, answers, chunk) == [*(Frame(m) for m in MESSAGES), QuickAck(0x8000_0007)]


def test_large_frames_are_split_into_records_of_at_most_max_record_write() -> None:
    handshake = _handshake()
    decision = _accept(_acceptor(), handshake.client_hello)
    ready = handshake.feed(decision.reply)
    assert ready is not None
    big = encrypted_message(20_000, seed=9)  # 320 KB
    sent = ready.codec.encode(big)
    assert sent[:6] == b"\x14\x03\x03\x00\x01\x01"
    wire = sent[6:]  # after the ChangeCipherSpec record
    position, sizes = 0, []
    while position < len(wire):
        assert wire[position : position + 3] == b"\x17\x03\x03"
        size = int.from_bytes(wire[position + 3 : position + 5], "big")
        sizes.append(size)
        position += 5 + size
    assert position == len(wire) and max(sizes) == MAX_RECORD_WRITE and len(sizes) > 100
    assert decision.codec.feed(sent) == [Frame(big)]


def test_client_hello_looks_like_a_browser_hello_for_the_domain() -> None:
    hello = _handshake().client_hello
    assert len(hello) == 517 and hello[:5] == b"\x16\x03\x01\x02\x00"  # the size MTProxy expects
    assert client_hello_length(hello) == 517
    assert b"\x00\x00\x00\x14\x00\x12\x00\x00\x0fwww.example.com" in hello  # SNI extension
    assert KEY not in hello
    # the random is the HMAC of the hello with the random zeroed, timestamp XORed into the last 4 bytes
    zeroed = hello[:11] + bytes(32) + hello[43:]
    digest = hmac.new(KEY, zeroed, hashlib.sha256).digest()
    assert hello[11:39] == digest[:28]
    assert int.from_bytes(bytes(a ^ b for a, b in zip(hello[39:43], digest[28:])), "little") == NOW


def test_hellos_differ_per_connection_but_replay_with_a_seed() -> None:
    assert _handshake(seed=1).client_hello == _handshake(seed=1).client_hello
    assert _handshake(seed=1).client_hello != _handshake(seed=2).client_hello


def test_long_domain_skips_padding_and_stays_readable() -> None:
    long_domain = ".".join(["a" * 60] * 4)  # 243 characters
    secret = MTProxySecret("ee", KEY, long_domain)
    hello = build_client_hello(KEY, long_domain, NOW, seeded_random_bytes(4))
    assert len(hello) > 517 and hello[3] == 0x02
    verifier = FakeTlsHelloVerifier(secret, clock=Clock(NOW))
    assert verifier.verify(hello).domain == long_domain


# --- tamper tests: each refused with its own typed error --------------------------------------


def test_wrong_secret_is_refused_as_a_digest_error() -> None:
    other = MTProxySecret("ee", bytes(16), "www.example.com")
    with pytest.raises(FakeTlsDigestError) as caught:
        _accept(_acceptor(), _handshake(secret=other).client_hello)
    assert isinstance(caught.value, SecurityError) and isinstance(caught.value, TransportError)


@pytest.mark.parametrize("offset", [12, 38, 42, 100, 300, 516])  # 42: the timestamp's high byte
def test_any_flipped_byte_breaks_the_digest(offset: int) -> None:
    hello = bytearray(_handshake().client_hello)
    hello[offset] ^= 0x01
    with pytest.raises(FakeTlsHelloError):  # the digest, or the structure it no longer has
        _accept(_acceptor(), bytes(hello))


@pytest.mark.parametrize("skew", [-601, -3600, 121, 86400])
def test_stale_or_future_timestamps_are_refused(skew: int) -> None:
    with pytest.raises(FakeTlsStaleHelloError) as caught:
        _accept(_acceptor(now=NOW - skew), _handshake().client_hello)
    assert caught.value.timestamp == NOW


@pytest.mark.parametrize("skew", [-600, -30, 0, 120])
def test_timestamps_inside_the_window_are_accepted(skew: int) -> None:
    assert _accept(_acceptor(now=NOW - skew), _handshake().client_hello).kind == "fake-tls"


def test_a_replayed_hello_is_refused_by_a_shared_verifier() -> None:
    verifier = FakeTlsHelloVerifier(SECRET, clock=Clock(NOW))
    hello = _handshake().client_hello
    _accept(_acceptor(verifier), hello)
    with pytest.raises(FakeTlsReplayError):
        _accept(_acceptor(verifier), hello)
    _accept(_acceptor(verifier), _handshake(seed=2).client_hello)  # a fresh hello still passes


def test_forged_hellos_do_not_fill_the_replay_cache() -> None:
    verifier = FakeTlsHelloVerifier(SECRET, clock=Clock(NOW))
    forged = _handshake(secret=MTProxySecret("ee", bytes(16), "www.example.com")).client_hello
    with pytest.raises(FakeTlsDigestError):
        verifier.verify(forged)
    assert len(verifier.replay_cache) == 0


def test_full_replay_cache_refuses_hellos_it_can_no_longer_vouch_for() -> None:
    clock = Clock(NOW)
    verifier = FakeTlsHelloVerifier(SECRET, clock=clock, replay_cache=ReplayCache(capacity=2))
    hellos = [_handshake(seed=s, client_time=NOW - 10 + s).client_hello for s in range(4)]
    verifier.verify(hellos[1])
    verifier.verify(hellos[2])
    verifier.verify(hellos[3])  # evicts hellos[1] (oldest stamp): the floor rises to NOW - 9
    assert len(verifier.replay_cache) == 2
    with pytest.raises(FakeTlsReplayError, match="cannot be proven new"):
        verifier.verify(hellos[1])  # its original was forgotten: refused all the same
    with pytest.raises(FakeTlsReplayError, match="cannot be proven new"):
        verifier.verify(hellos[0])  # older than the floor
    with pytest.raises(FakeTlsReplayError, match="already accepted"):
        verifier.verify(hellos[3])


def test_expired_entries_leave_the_cache_and_their_replays_are_stale() -> None:
    clock = Clock(NOW)
    verifier = FakeTlsHelloVerifier(SECRET, clock=clock)
    hello = _handshake().client_hello
    verifier.verify(hello)
    clock.now = NOW + 700
    verifier.verify(_handshake(seed=3, client_time=NOW + 700).client_hello)
    assert len(verifier.replay_cache) == 1
    with pytest.raises(FakeTlsStaleHelloError):
        verifier.verify(hello)


def test_wrong_domain_is_refused() -> None:
    other = MTProxySecret("ee", KEY, "evil.example.net")
    with pytest.raises(FakeTlsHelloError, match="evil.example.net"):
        _accept(_acceptor(), _handshake(secret=other).client_hello)


def test_data_before_the_server_hello_is_refused() -> None:
    with pytest.raises(FakeTlsHelloError, match="before the ServerHello"):
        _acceptor().feed(_handshake().client_hello + b"\x14\x03\x03\x00\x01\x01")


@pytest.mark.parametrize(
    "opening",
    [b"\x16\x03\x01\x00\x10", b"\x16\x03\x01\x7f\xff"],
    ids=("tiny", "huge"),
)
def test_malformed_record_headers_are_refused_once_a_header_size_is_in(opening: bytes) -> None:
    acceptor = _acceptor()
    assert acceptor.feed(opening) is None  # could still be an obfuscated2 header
    with pytest.raises(FakeTlsHelloError):
        acceptor.feed(bytes(64 - len(opening)))
    with pytest.raises(TransportError, match="already decided"):
        acceptor.feed(bytes(600))


def test_structurally_broken_hello_with_valid_digest_is_refused() -> None:
    hello = bytearray(_handshake().client_hello)
    hello[43] = 16  # session id length lies
    zeroed = bytes(hello[:11]) + bytes(32) + bytes(hello[43:])
    digest = bytearray(hmac.new(KEY, zeroed, hashlib.sha256).digest())
    hello[11:43] = digest
    with pytest.raises(FakeTlsHelloError, match="malformed"):
        _accept(_acceptor(), bytes(hello))


# --- the client checks the proxy too ---------------------------------------------------------


def test_client_refuses_an_answer_that_does_not_prove_the_secret() -> None:
    handshake = _handshake()
    reply = bytearray(_accept(_acceptor(), handshake.client_hello).reply)
    reply[-1] ^= 0xFF  # the random record is covered by the server's HMAC
    with pytest.raises(FakeTlsServerHelloError):
        handshake.feed(bytes(reply))


def test_client_refuses_an_answer_from_another_secret() -> None:
    other = MTProxySecret("ee", bytes(16), "www.example.com")
    stranger = MTProxyAcceptor(
        other, verifier=FakeTlsHelloVerifier(other, clock=Clock(NOW)), random_bytes=seeded_random_bytes(1)
    )
    handshake = _handshake(secret=other)
    reply = _accept(stranger, handshake.client_hello).reply
    mine = _handshake()
    with pytest.raises(FakeTlsServerHelloError):
        mine.feed(reply)


def test_client_refuses_a_non_tls_answer() -> None:
    with pytest.raises(FakeTlsServerHelloError):
        _handshake().feed(b"HTTP/1.1 400 Bad Request\r\n")


def test_record_layer_errors_are_typed_and_sticky() -> None:
    handshake = _handshake()
    decision = _accept(_acceptor(), handshake.client_hello)
    with pytest.raises(FakeTlsError, match="ChangeCipherSpec"):
        decision.codec.feed(b"\x17\x03\x03\x00\x40" + bytes(64))
    with pytest.raises(FakeTlsError):
        decision.codec.feed(b"")
    ready = handshake.feed(decision.reply)
    assert ready is not None
    with pytest.raises(FakeTlsError, match="application data"):
        ready.codec.feed(b"\x15\x03\x03\x00\x02\x02\x28")  # a TLS alert
    assert isinstance(FakeTlsError("x"), TLError)


def test_server_refuses_an_unpadded_obfuscated2_stream_inside_tls() -> None:
    from tlruntime.transports import Intermediate, Obfuscated2

    handshake = _handshake()
    decision = _accept(_acceptor(), handshake.client_hello)
    handshake.feed(decision.reply)
    opening = Obfuscated2(Intermediate("client"), secret=KEY, dc_id=2, random_bytes=seeded_random_bytes(8))
    stream = opening.initial_bytes() + opening.encode(unencrypted_message(40))
    with pytest.raises(FakeTlsError, match="header refused"):
        decision.codec.feed(b"\x14\x03\x03\x00\x01\x01\x17\x03\x03" + len(stream).to_bytes(2, "big") + stream)


def test_server_cannot_send_before_the_client_header() -> None:
    decision = _accept(_acceptor(), _handshake().client_hello)
    with pytest.raises(TransportError, match="nothing can be sent"):
        decision.codec.encode(unencrypted_message(40))


def test_handshake_needs_an_ee_secret() -> None:
    from tlruntime.transports.mtproxy import ProxySecretError

    with pytest.raises(ProxySecretError):
        FakeTlsClientHandshake(KEY, dc_id=2)
