"""Hostile openings: the MTProxy acceptor and fake-TLS codecs either decide or raise a TLError, never hang."""

from __future__ import annotations

import random

import pytest

from tlruntime.errors import TLError
from tlruntime.transports.fake_tls import FakeTlsClientHandshake, FakeTlsHelloVerifier
from tlruntime.transports.mtproxy import MTProxyAcceptor
from tlruntime.transports.proxy_secret import MTProxySecret

KEY = bytes(range(16))
SECRET = MTProxySecret("ee", KEY, "example.com")


@pytest.mark.parametrize("seed", range(40))
def test_random_and_mutated_openings_fail_typed(seed: int) -> None:
    rng = random.Random(seed)
    handshake = FakeTlsClientHandshake(SECRET, dc_id=2, clock=lambda: 1_700_000_000, random_bytes=rng.randbytes)
    hello = bytearray(handshake.client_hello)
    if seed % 2:
        data = bytearray(rng.randbytes(rng.randrange(1, 700)))
        data[:3] = b"\x16\x03\x01"  # always take the fake-TLS path
    else:
        data = hello
        for _ in range(rng.randrange(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    verifier = FakeTlsHelloVerifier(SECRET, clock=lambda: 1_700_000_000)
    acceptor = MTProxyAcceptor(SECRET, verifier=verifier, random_bytes=rng.randbytes)
    try:
        decision = None
        for start in range(0, len(data), 97):
            decision = acceptor.feed(bytes(data[start : start + 97]))
            if decision is not None:
                break
    except TLError:
        return
    # Undecided means the record header asks for more bytes than were sent, within the hello cap.
    if decision is None:
        assert int.from_bytes(data[3:5], "big") + 5 > len(data)


@pytest.mark.parametrize("seed", range(20))
def test_random_answers_to_the_client_fail_typed(seed: int) -> None:
    rng = random.Random(seed)
    handshake = FakeTlsClientHandshake(SECRET, dc_id=2, random_bytes=rng.randbytes)
    answer = b"\x16\x03\x03" + rng.randbytes(rng.randrange(0, 3000))
    try:
        assert handshake.feed(answer) is None
    except TLError:
        pass
