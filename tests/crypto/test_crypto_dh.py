"""dh_prime / g / g_a / g_b checks (mtproto/security_guidelines, mtproto/auth_key step 6)."""

from __future__ import annotations

import pytest

from tlruntime.crypto import dh
from tlruntime.crypto.dh import TELEGRAM_DH_PRIME, check_dh_params, check_dh_value, is_safe_prime
from tlruntime.crypto.primes import is_probable_prime
from tlruntime.errors import HandshakeError

P = TELEGRAM_DH_PRIME
MARGIN = 1 << (2048 - 64)

#: RFC 3526 group 14: an independent, published 2048-bit safe prime (p = 7 mod 8, so g = 2 fits).
RFC3526_2048 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22"
    "514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6"
    "F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E8603"
    "9B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF",
    16,
)

#: A 2048-bit prime (checked with `openssl prime`) that is NOT safe: (p-1)/2 is odd, has no
#: factor below 1000 (so only Miller-Rabin can tell) and is composite; p = 11 mod 12 so g = 3 fits.
NON_SAFE_PRIME = int(
    "e1b6c9111cfbce51a3ddb387021e6fa70d545649722bbee5143cd3c0ac1e6bdf7ad0821afab6a6e07f32004b585dca46"
    "a7a1254465b40e051b884e22d4497dd7581db767be119a7f7815eb5cb8bcb05b3aac49a938433f69c5e39391bb3d62b3"
    "301172f773c0feddaef096185bf6788a4e471845d6a0ec2006102c903634db9982a2c30f3dd3d7a22aba67af71179cee"
    "9387ed760b38a6c471c41452a177c6722567fcbba5db04947a49d9e4c65c77945592bb3fe3c84101a43cffed22d371a8"
    "6ae6899b89f15f6b36b3d8198b12e28f374c90ce5402e7e89c417f3eebc59fd7837cdc99e2f5c6e2e3ab1e43b6096fe7"
    "876a8700aecefbdb2717b3241a961197",
    16,
)


def test_telegram_prime_is_the_one_kurigram_demands() -> None:
    from pyrogram.crypto.prime import CURRENT_DH_PRIME

    assert P == CURRENT_DH_PRIME


def test_telegram_prime_is_really_a_safe_prime() -> None:
    """The fast path must not hide a wrong constant: run the full test on it too."""
    is_safe_prime.cache_clear()
    assert is_safe_prime(P)


@pytest.mark.parametrize("g", [3, 4, 7])
def test_telegram_prime_accepts_the_fitting_generators(g: int) -> None:
    check_dh_params(P, g)


@pytest.mark.parametrize("g", [2, 5, 6])
def test_telegram_prime_rejects_generators_of_the_wrong_subgroup(g: int) -> None:
    with pytest.raises(HandshakeError, match=f"g={g} does not generate"):
        check_dh_params(P, g)


@pytest.mark.parametrize("g", [-1, 0, 1, 8, 256])
def test_generators_outside_2_to_7_are_rejected(g: int) -> None:
    with pytest.raises(HandshakeError, match="not in 2..7"):
        check_dh_params(P, g)


@pytest.mark.parametrize("g", range(2, 8))
def test_every_generator_on_another_safe_prime(g: int) -> None:
    # RFC 3526's prime satisfies all six congruences; it goes through the full safe-prime test.
    check_dh_params(RFC3526_2048, g)


_RULES = {2: (8, {7}), 3: (3, {2}), 5: (5, {1, 4}), 6: (24, {19, 23}), 7: (7, {3, 5, 6})}


def _odd_2048_bit_number(modulus: int, residue: int) -> int:
    n = (1 << 2047) + 1
    while n % modulus != residue or n % 2 == 0:
        n += 1
    return n


@pytest.mark.parametrize(
    "g, residue",
    [(g, r) for g, (m, _ok) in _RULES.items() for r in range(m) if not (m % 2 == 0 and r % 2 == 0)],
)
def test_generator_congruence_table(g: int, residue: int) -> None:
    modulus, allowed = _RULES[g]
    candidate = _odd_2048_bit_number(modulus, residue)
    # the congruence is checked before primality, so the error says which test failed
    expected = "not a safe prime" if residue in allowed else f"g={g} does not generate"
    with pytest.raises(HandshakeError, match=expected):
        check_dh_params(candidate, g)


def test_g4_has_no_congruence_condition() -> None:
    for residue in (1, 3, 5, 7):
        with pytest.raises(HandshakeError, match="not a safe prime"):
            check_dh_params(_odd_2048_bit_number(8, residue), 4)


def test_p_minus_2_is_rejected() -> None:
    candidate = P - 2
    g = next(g for g in range(2, 8) if dh._generator_ok(candidate, g))
    with pytest.raises(HandshakeError, match="not a safe prime"):
        check_dh_params(candidate, g)


def test_prime_that_is_not_safe_is_rejected() -> None:
    assert is_probable_prime(NON_SAFE_PRIME)
    assert not is_probable_prime((NON_SAFE_PRIME - 1) // 2)
    with pytest.raises(HandshakeError, match="not a safe prime"):
        check_dh_params(NON_SAFE_PRIME, 3)


def test_2047_bit_prime_is_rejected() -> None:
    # 2**2047 - 1 is not prime, but the size check comes first and must name the size
    with pytest.raises(HandshakeError, match="2047 bits"):
        check_dh_params((1 << 2047) - 1, 3)
    with pytest.raises(HandshakeError, match="2048-bit"):
        check_dh_params(1 << 2047, 3)
    with pytest.raises(HandshakeError, match="2049 bits"):
        check_dh_params(P << 1 | 1, 3)


def test_a_real_2047_bit_safe_prime_is_rejected_for_its_size() -> None:
    # The 1536-bit RFC 3526 group 5 would do too; halving keeps us offline: any safe prime
    # below 2**2047 must fail on size alone, before primality is considered.
    with pytest.raises(HandshakeError, match="bits"):
        check_dh_params(RFC3526_2048 >> 1, 3)


@pytest.mark.parametrize(
    "value, bound",
    [
        (0, "> 1"),
        (1, "> 1"),
        (P - 1, "< dh_prime - 1"),
        (P, "< dh_prime - 1"),
        (MARGIN - 1, ">= 2\\*\\*1984"),
        (2, ">= 2\\*\\*1984"),
        (P - MARGIN + 1, "<= dh_prime - 2\\*\\*1984"),
        (P - 2, "<= dh_prime - 2\\*\\*1984"),
    ],
)
def test_dh_values_out_of_bounds(value: int, bound: str) -> None:
    with pytest.raises(HandshakeError, match=bound):
        check_dh_value(value, P)


@pytest.mark.parametrize("value", [MARGIN, MARGIN + 1, P // 2, P - MARGIN])
def test_dh_values_inside_bounds(value: int) -> None:
    check_dh_value(value, P)


def test_safe_prime_helper_on_small_numbers() -> None:
    safe = [5, 7, 11, 23, 47, 59, 83, 107, 167, 179, 227, 263]
    assert [n for n in range(300) if is_safe_prime(n)] == safe
