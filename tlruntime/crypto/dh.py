"""Diffie-Hellman parameter and value checks required by Telegram's security guidelines.

See https://core.telegram.org/mtproto/security_guidelines and the notes in
https://core.telegram.org/mtproto/auth_key (step 6).  A client must refuse a
``dh_prime`` that is not a 2048-bit safe prime, a generator ``g`` that does
not generate the cyclic subgroup of prime order ``(p - 1) / 2``, and any
``g_a`` / ``g_b`` (or ``g``) too close to 1 or ``p - 1``.
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import HandshakeError
from .primes import is_probable_prime

__all__ = ["TELEGRAM_DH_PRIME", "check_dh_params", "check_dh_value", "is_safe_prime"]

#: The 2048-bit safe prime Telegram's servers use (g = 3), as published on
#: https://core.telegram.org/mtproto/samples-auth_key (big-endian hex).
TELEGRAM_DH_PRIME = int(
    "C71CAEB9C6B1C9048E6C522F70F13F73980D40238E3E21C14934D037563D930F"
    "48198A0AA7C14058229493D22530F4DBFA336F6E0AC925139543AED44CCE7C37"
    "20FD51F69458705AC68CD4FE6B6B13ABDC9746512969328454F18FAF8C595F64"
    "2477FE96BB2A941D5BCD1D4AC8CC49880708FA9B378E3C4F3A9060BEE67CF9A4"
    "A4A695811051907E162753B56B0F6B410DBA74D8A84B2A14B3144E0EF1284754"
    "FD17ED950D5965B4B9DD46582DB1178D169C6BC465B0D6FF9CA3928FEF5B9AE4"
    "E418FC15E83EBEA0F87FA9FF5EED70050DED2849F47BF959D956850CE929851F"
    "0D8115F635B105EE2E4E15D04B2454BF6F4FADF034B10403119CD8E3B92FCC5B",
    16,
)

_BITS = 2048
#: g_a, g_b and g must stay at least this far from 0 and from p (2**(2048-64)).
_MARGIN = 1 << (_BITS - 64)


def _generator_ok(p: int, g: int) -> bool:
    """Does ``g`` generate the subgroup of order ``(p - 1) / 2``? (quadratic-residue rules)"""
    if g == 2:
        return p % 8 == 7
    if g == 3:
        return p % 3 == 2
    if g == 4:
        return True
    if g == 5:
        return p % 5 in (1, 4)
    if g == 6:
        return p % 24 in (19, 23)
    if g == 7:
        return p % 7 in (3, 5, 6)
    return False


@lru_cache(maxsize=8)
def is_safe_prime(p: int) -> bool:
    """True if ``p`` and ``(p - 1) / 2`` are both (probable) primes.

    About 35 modular exponentiations per call for a true 2048-bit safe prime
    (well under a second); results are cached because a server reuses its prime.
    """
    if p < 5 or p % 2 == 0:
        return False
    q = (p - 1) // 2
    # q is checked first: for a random prime p it is the part that fails, and
    # trial division of q rejects most candidates before any exponentiation.
    return is_probable_prime(q) and is_probable_prime(p)


def check_dh_params(dh_prime: int, g: int) -> None:
    """Raise :class:`HandshakeError` unless ``(dh_prime, g)`` is an acceptable DH group.

    Requires 2**2047 < dh_prime < 2**2048, dh_prime a safe prime, and g in
    2..7 satisfying the matching congruence on dh_prime.  Telegram's own prime
    is recognised without the primality test.
    """
    if not (1 << (_BITS - 1)) < dh_prime < (1 << _BITS):
        raise HandshakeError(
            f"dh_prime is {dh_prime.bit_length()} bits; a 2048-bit prime (2**2047 < p < 2**2048) is required"
        )
    if not 2 <= g <= 7:
        raise HandshakeError(f"g={g} is not in 2..7")
    if not _generator_ok(dh_prime, g):
        raise HandshakeError(
            f"g={g} does not generate the prime-order subgroup of this dh_prime "
            f"(dh_prime mod 8={dh_prime % 8}, mod 3={dh_prime % 3}, mod 5={dh_prime % 5}, "
            f"mod 24={dh_prime % 24}, mod 7={dh_prime % 7})"
        )
    if dh_prime != TELEGRAM_DH_PRIME and not is_safe_prime(dh_prime):
        raise HandshakeError("dh_prime is not a safe prime (p and (p - 1) / 2 must both be prime)")


def check_dh_value(value: int, dh_prime: int) -> None:
    """Raise :class:`HandshakeError` unless ``value`` (g_a or g_b) is safely inside the group.

    Requires 1 < value < dh_prime - 1 and
    2**(2048-64) <= value <= dh_prime - 2**(2048-64); the message names the
    bound that failed.
    """
    if value <= 1:
        raise HandshakeError(f"DH value must be > 1, got {value}")
    if value >= dh_prime - 1:
        raise HandshakeError("DH value must be < dh_prime - 1")
    if value < _MARGIN:
        raise HandshakeError(
            f"DH value is {value.bit_length()} bits; it must be >= 2**{_BITS - 64}"
        )
    if value > dh_prime - _MARGIN:
        raise HandshakeError(f"DH value must be <= dh_prime - 2**{_BITS - 64}")
