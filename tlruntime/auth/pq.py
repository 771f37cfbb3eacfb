"""The server's proof-of-work puzzle: ``pq``, a product of two random primes.

Telegram sends a ``pq`` of about 2**60..2**63 whose factors are ~31-bit primes
(the published sample: 1008949199 * 1455403679).  We do the same: each factor
is the first prime at or above a random odd 31-bit start (2**30 <= x < 2**31),
found by stepping through odd numbers and testing each with the crypto
package's Miller-Rabin, which is deterministic in this range.  Primes below
2**31 also keep kurigram happy: it sends p and q as exactly 4 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..crypto.primes import is_probable_prime
from ._wire import RandomBytes, be_int, draw

__all__ = ["PQ", "FACTOR_BITS", "random_prime", "generate_pq"]

#: Bit length of each factor of pq.
FACTOR_BITS = 31


@dataclass(frozen=True)
class PQ:
    """The puzzle and its answer: ``p < q``, both prime, ``p * q == pq``."""

    p: int
    q: int

    @property
    def pq(self) -> int:
        return self.p * self.q


def random_prime(bits: int, random_bytes: RandomBytes) -> int:
    """A prime of exactly ``bits`` bits (2**(bits-1) <= p < 2**bits) from a random start."""
    low, high = 1 << (bits - 1), 1 << bits
    start = be_int(draw(random_bytes, (bits + 7) // 8)) % low
    candidate = (low + start) | 1
    # Prime gaps below 2**31 are under 300, so this walks a few dozen odd numbers;
    # wrapping around keeps the result inside the bit range.
    while not is_probable_prime(candidate):
        candidate += 2
        if candidate >= high:
            candidate = low + 1
    return candidate


def generate_pq(random_bytes: RandomBytes, bits: int = FACTOR_BITS) -> PQ:
    """Two distinct random ``bits``-bit primes, smaller first."""
    p = random_prime(bits, random_bytes)
    q = random_prime(bits, random_bytes)
    while q == p:
        q = random_prime(bits, random_bytes)
    return PQ(min(p, q), max(p, q))
