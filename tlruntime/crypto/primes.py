"""Probabilistic primality testing (Miller-Rabin) for the handshake checks.

Only two callers need it: :mod:`.factor` (is ``pq`` itself prime? are the
factors prime?) and :mod:`.dh` (is a server-chosen ``dh_prime`` a safe prime?).
Neither library we depend on exposes a primality test, so this is the one
piece of number theory written here.  It is short on purpose:

* trial division by the small primes below 1000 rejects most composites
  without a single big modular exponentiation;
* below 3.3 * 10**24 the witnesses 2..41 make Miller-Rabin deterministic
  (Sorenson & Webster 2015), which covers every 64-bit ``pq``;
* above that, the extra witnesses are derived from SHA-256 of the candidate.
  They are fixed for a given number (so results are reproducible), yet a
  server cannot pick them, so it cannot tune a composite against them the way
  it could against a published fixed base list.  Each round lets a composite
  through with probability at most 1/4.
"""

from __future__ import annotations

import hashlib

__all__ = ["SMALL_PRIMES", "is_probable_prime"]


def _sieve(limit: int) -> tuple[int, ...]:
    flags = bytearray([1]) * limit
    flags[0:2] = b"\x00\x00"
    for i in range(2, int(limit**0.5) + 1):
        if flags[i]:
            flags[i * i :: i] = bytes(len(range(i * i, limit, i)))
    return tuple(i for i in range(limit) if flags[i])


#: Primes below 1000, used for trial division.
SMALL_PRIMES: tuple[int, ...] = _sieve(1000)

_DETERMINISTIC_WITNESSES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41)
_DETERMINISTIC_LIMIT = 3_317_044_064_679_887_385_961_981


def _is_strong_probable_prime(n: int, d: int, s: int, witness: int) -> bool:
    """One Miller-Rabin round: ``n - 1 == d * 2**s`` with ``d`` odd."""
    x = pow(witness, d, n)
    if x == 1 or x == n - 1:
        return True
    for _ in range(s - 1):
        x = x * x % n
        if x == n - 1:
            return True
    return False


def _hashed_witnesses(n: int, count: int) -> list[int]:
    """``count`` witnesses in ``[2, n - 2]`` derived from SHA-256 of ``n``."""
    seed = n.to_bytes((n.bit_length() + 7) // 8, "big")
    width = (n.bit_length() + 7) // 8 + 8  # extra bytes make the modulo bias negligible
    witnesses = []
    for counter in range(count):
        stream = b""
        block = 0
        while len(stream) < width:
            stream += hashlib.sha256(
                seed + counter.to_bytes(4, "big") + block.to_bytes(4, "big")
            ).digest()
            block += 1
        witnesses.append(2 + int.from_bytes(stream[:width], "big") % (n - 3))
    return witnesses


def is_probable_prime(n: int, rounds: int = 16) -> bool:
    """True if ``n`` is prime (certainly below 3.3e24, else with error below ``4**-rounds``)."""
    if n < 2:
        return False
    for p in SMALL_PRIMES:
        if n % p == 0:
            return n == p
    if n < SMALL_PRIMES[-1] ** 2:
        return True
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    if n < _DETERMINISTIC_LIMIT:
        witnesses = list(_DETERMINISTIC_WITNESSES)
    else:
        witnesses = [2, *_hashed_witnesses(n, rounds)]
    return all(_is_strong_probable_prime(n, d, s, w) for w in witnesses)
