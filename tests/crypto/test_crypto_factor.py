"""pq factorization, including the inputs that make cryptg hang or panic."""

from __future__ import annotations

import pytest

from tlruntime.crypto.factor import bytes_to_int, factorize_pq, int_to_bytes
from tlruntime.crypto.primes import is_probable_prime
from tlruntime.errors import HandshakeError


@pytest.mark.parametrize(
    "p, q",
    [
        (1008949199, 1455403679),
        (1229739323, 1402015859),  # pq from the older revision of samples-auth_key (0x17ED48941A08F981)
        (4294967279, 4294967291),  # the largest 32-bit primes: pq just below 2**64
        (2, 9223372036854775783),
        (65521, 281474976710597),
        (3, 5),
        (2, 3),
    ],
)
def test_factorizes_products_of_two_primes(p: int, q: int) -> None:
    assert factorize_pq(p * q) == (p, q)
    assert factorize_pq(q * p) == (p, q)


def test_old_sample_pq() -> None:
    assert factorize_pq(0x17ED48941A08F981) == (1229739323, 1402015859)


@pytest.mark.parametrize(
    "pq, reason",
    [
        (0, "not a number"),
        (1, "not a number"),  # cryptg loops forever on 1
        (-15, "not a number"),
        (2**64, "not a number"),
        (2**64 + 13, "not a number"),
        (1000000007, "is prime"),  # cryptg panics
        (18446744073709551557, "is prime"),  # the largest 64-bit prime: cryptg loops forever
        (4294967291**2, "square"),
        (1000003 * 1000033 * 1009, "not a product of two primes"),
        (8, "not a product of two primes"),
    ],
)
def test_rejects_hostile_pq(pq: int, reason: str) -> None:
    with pytest.raises(HandshakeError, match=reason):
        factorize_pq(pq)


def test_big_endian_helpers() -> None:
    assert bytes_to_int(b"\x01\x00") == 256
    assert int_to_bytes(256) == b"\x01\x00"
    assert int_to_bytes(0) == b"\x00"
    assert int_to_bytes(5, 4) == b"\x00\x00\x00\x05"
    with pytest.raises(HandshakeError):
        int_to_bytes(1 << 32, 4)
    with pytest.raises(HandshakeError):
        int_to_bytes(-1)


def test_primality_small_range_against_a_sieve() -> None:
    limit = 20000
    sieve = bytearray([1]) * limit
    sieve[0:2] = b"\x00\x00"
    for i in range(2, int(limit**0.5) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytes(len(range(i * i, limit, i)))
    assert [n for n in range(limit) if is_probable_prime(n)] == [n for n in range(limit) if sieve[n]]


@pytest.mark.parametrize(
    "n, prime",
    [
        (3215031751, False),  # strong pseudoprime to bases 2, 3, 5 and 7
        (3825123056546413051, False),  # strong pseudoprime to bases 2..23
        (318665857834031151167461, False),  # strong pseudoprime to bases 2..37
        (2**61 - 1, True),
        (2**89 - 1, True),
        (2**127 - 1, True),
        ((2**61 - 1) * (2**89 - 1), False),
    ],
)
def test_primality_on_known_hard_cases(n: int, prime: bool) -> None:
    assert is_probable_prime(n) is prime
