"""The proof-of-work step: splitting the server's ``pq`` into primes ``p < q``.

cryptg does the factoring natively, but it hangs on a prime (or 1) and panics
on some small composites, so hostile input is screened here first: ``pq`` must
be a 64-bit composite, and the answer must be two primes whose product is
``pq``.  A server that sends anything else gets a :class:`HandshakeError`.
"""

from __future__ import annotations

import cryptg

from ..errors import HandshakeError
from ._buffers import Buffer
from .primes import SMALL_PRIMES, is_probable_prime

__all__ = ["factorize_pq", "bytes_to_int", "int_to_bytes"]

_PQ_LIMIT = 1 << 64


def bytes_to_int(data: Buffer) -> int:
    """A big-endian unsigned number as Telegram sends pq, p, q, dh_prime, g_a."""
    return int.from_bytes(data, "big")


def int_to_bytes(value: int, length: int | None = None) -> bytes:
    """``value`` as big-endian bytes: minimal length (pq, p, q) or exactly ``length`` (g_b)."""
    if value < 0:
        raise HandshakeError(f"cannot encode negative number {value} as big-endian bytes")
    minimal = max(1, (value.bit_length() + 7) // 8)
    if length is None:
        length = minimal
    elif minimal > length:
        raise HandshakeError(f"number of {minimal} bytes does not fit in {length} bytes")
    return value.to_bytes(length, "big")


def _split(pq: int) -> int:
    """Some nontrivial factor of the composite ``pq`` (``1 < pq < 2**64``)."""
    for small in SMALL_PRIMES:
        if pq % small == 0:
            return small
    try:
        first, second = cryptg.factorize_pq_pair(pq)
    except BaseException as exc:  # cryptg reports failure as a pyo3 PanicException (a BaseException)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise HandshakeError(f"could not factorize pq={pq}: {exc}") from None
    if first * second != pq:
        raise HandshakeError(f"factorization of pq={pq} returned {first} * {second}")
    return first


def factorize_pq(pq: int) -> tuple[int, int]:
    """``(p, q)`` with ``p < q``, both prime, ``p * q == pq``; HandshakeError otherwise."""
    if not 1 < pq < _PQ_LIMIT:
        raise HandshakeError(f"pq={pq} is not a number in 2..2**64-1")
    if is_probable_prime(pq):
        raise HandshakeError(f"pq={pq} is prime, not a product of two primes")
    factor = _split(pq)
    p, q = sorted((factor, pq // factor))
    if p <= 1 or p * q != pq:
        raise HandshakeError(f"pq={pq} did not split into two factors above 1")
    if not (is_probable_prime(p) and is_probable_prime(q)):
        raise HandshakeError(f"pq={pq} = {p} * {q} is not a product of two primes")
    if p == q:
        raise HandshakeError(f"pq={pq} is the square of {p}; Telegram requires p < q")
    return p, q
