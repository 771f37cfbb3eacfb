"""Telegram's published RSA keys: fingerprints pinned to the published values, and to the peers' own."""

from __future__ import annotations

import pytest

from tlruntime.crypto.rsa import RSAPublicKey
from tlruntime.telegram import PRODUCTION_KEY_PEMS, TEST_KEY_PEMS, telegram_public_key, telegram_public_keys

# Published fingerprints (unsigned 64-bit): the current production key is the one
# /mtproto/samples-auth_key's resPQ announces; the others are the older production
# keys the servers still list; the test DCs have one key of their own.
PRODUCTION_FINGERPRINTS = (
    0xD09D1D85DE64FD85,
    0xC3B42B026CE86B21,
    0x0BC35F3509F7B7A5,
    0x15AE5FA8B5529542,
    0xAEAE98E13CD7F94F,
    0x5A181B2235057D98,
)
TEST_FINGERPRINT = 0xB25898DF208D2603
MASK = (1 << 64) - 1


def test_production_fingerprints_are_the_published_ones_current_first() -> None:
    keys = telegram_public_keys()
    assert tuple(key.fingerprint & MASK for key in keys) == PRODUCTION_FINGERPRINTS
    assert len(PRODUCTION_KEY_PEMS) == len(keys)


def test_test_dc_fingerprint_is_the_published_one() -> None:
    (key,) = telegram_public_keys(test=True)
    assert key.fingerprint & MASK == TEST_FINGERPRINT
    assert len(TEST_KEY_PEMS) == 1


def test_samples_auth_key_res_pq_lists_the_current_key() -> None:
    # resPQ of /mtproto/samples-auth_key: vector of 3 longs ending "... 85 FD 64 DE 85 1D 9D D0".
    announced = bytes.fromhex("15C4B51C03000000A5B7F709355FC30B216BE86C022BB4C385FD64DE851D9DD0")
    count = int.from_bytes(announced[4:8], "little")
    fingerprints = [int.from_bytes(announced[8 + 8 * i : 16 + 8 * i], "little") for i in range(count)]
    assert fingerprints == [0x0BC35F3509F7B7A5, 0xC3B42B026CE86B21, 0xD09D1D85DE64FD85]
    assert all(telegram_public_key(fp) is not None for fp in fingerprints)


def test_keys_are_2048_bit_with_exponent_65537() -> None:
    for key in (*telegram_public_keys(), *telegram_public_keys(test=True)):
        assert key.n.bit_length() == 2048
        assert key.e == 65537


def test_pem_round_trips_through_our_reader() -> None:
    for pem in (*PRODUCTION_KEY_PEMS, *TEST_KEY_PEMS):
        key = RSAPublicKey.from_pem(pem)
        assert RSAPublicKey.from_pem(key.to_pem()) == key


def test_lookup_accepts_signed_and_unsigned_and_keeps_networks_apart() -> None:
    current = telegram_public_keys()[0]
    assert telegram_public_key(0xD09D1D85DE64FD85) == current
    assert telegram_public_key(0xD09D1D85DE64FD85 - (1 << 64)) == current
    assert telegram_public_key(TEST_FINGERPRINT) is None
    assert telegram_public_key(TEST_FINGERPRINT, test=True) == telegram_public_keys(test=True)[0]
    assert telegram_public_key(0x1234) is None


def test_keys_match_telethons_fingerprints() -> None:
    from telethon.crypto import rsa as telethon_rsa

    carried = {fp & MASK for fp in telethon_rsa._server_keys}
    for key in telegram_public_keys():
        if key.fingerprint & MASK in carried:
            assert telethon_rsa._server_keys[key.fingerprint][0].n == key.n  # type: ignore[attr-defined]
    # Telethon 1.45 carries every older production key we ship.
    assert set(PRODUCTION_FINGERPRINTS[1:]) <= carried


def test_keys_match_kurigrams_table() -> None:
    from pyrogram.crypto.rsa import server_public_keys

    theirs = {fp & MASK: key for fp, key in server_public_keys.items()}
    shared = [key for key in telegram_public_keys() if key.fingerprint & MASK in theirs]
    assert {key.fingerprint & MASK for key in shared} == set(PRODUCTION_FINGERPRINTS[1:])
    for key in shared:
        assert theirs[key.fingerprint & MASK].m == key.n
        assert theirs[key.fingerprint & MASK].e == key.e


@pytest.mark.parametrize("test", (False, True))
def test_key_tuple_is_cached_and_immutable(test: bool) -> None:
    assert telegram_public_keys(test) is telegram_public_keys(test)
    assert isinstance(telegram_public_keys(test), tuple)
