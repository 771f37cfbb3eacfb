"""RSA keys, fingerprints, RSA_PAD and the legacy scheme, checked against Telethon and kurigram."""

from __future__ import annotations

import hashlib
import random
from typing import Callable

import pytest
from rsa_test_key import TEST_SERVER_KEY_PEM

from tlruntime.crypto.rsa import (
    LEGACY_MAX_DATA,
    RSA_PAD_MAX_DATA,
    RSAPrivateKey,
    RSAPublicKey,
    legacy_rsa_encrypt,
    legacy_unwrap,
    rsa_decrypt_raw,
    rsa_encrypt_raw,
    rsa_pad_decrypt,
    rsa_pad_encrypt,
    rsa_pad_unwrap,
    verify_legacy_digest,
)
from tlruntime.errors import DecodeError, EncodeError, HandshakeError


@pytest.fixture(scope="module")
def server_key() -> RSAPrivateKey:
    return RSAPrivateKey.from_pem(TEST_SERVER_KEY_PEM)


def seeded(seed: int) -> Callable[[int], bytes]:
    return random.Random(seed).randbytes


# --- fingerprints and PEM ---------------------------------------------------------


def test_fingerprints_of_telethon_keys() -> None:
    from telethon.crypto import rsa as telethon_rsa

    assert telethon_rsa._server_keys
    for fingerprint, (key, _old) in telethon_rsa._server_keys.items():
        assert RSAPublicKey(key.n, key.e).fingerprint == fingerprint
        # Telethon's key objects re-exported as PKCS#1 PEM (by the `rsa` package) read back identically
        ours = RSAPublicKey.from_pem(key.save_pkcs1())
        assert (ours.n, ours.e, ours.fingerprint) == (key.n, key.e, fingerprint)


def test_fingerprints_of_kurigram_keys() -> None:
    from pyrogram.crypto import rsa as kurigram_rsa

    assert kurigram_rsa.server_public_keys
    for fingerprint, key in kurigram_rsa.server_public_keys.items():
        assert RSAPublicKey(key.m, key.e).fingerprint == fingerprint


def test_pem_round_trips_both_layouts() -> None:
    from telethon.crypto import rsa as telethon_rsa

    key, _old = next(iter(telethon_rsa._server_keys.values()))
    public = RSAPublicKey(key.n, key.e)
    pkcs1 = public.to_pem()
    spki = public.to_pem(spki=True)
    assert pkcs1.startswith("-----BEGIN RSA PUBLIC KEY-----")
    assert spki.startswith("-----BEGIN PUBLIC KEY-----")
    assert pkcs1.strip() == key.save_pkcs1().decode().strip()  # same bytes as the `rsa` package writes
    assert RSAPublicKey.from_pem(pkcs1) == public
    assert RSAPublicKey.from_pem(spki.encode()) == public


def test_bad_pem_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        RSAPublicKey.from_pem("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n")
    with pytest.raises(DecodeError):
        RSAPrivateKey.from_pem(b"not a key")


def test_non_rsa_pem_is_a_decode_error() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(DecodeError, match="not an RSA key"):
        RSAPublicKey.from_pem(pem)


def test_private_key_pem_round_trip(server_key: RSAPrivateKey) -> None:
    pem = server_key.to_pem()
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    again = RSAPrivateKey.from_pem(pem)
    assert again.public_key == server_key.public_key
    assert str(server_key.public_key.fingerprint) in repr(again)
    assert server_key.public_key.n.bit_length() == 2048


def test_public_key_validation() -> None:
    with pytest.raises(EncodeError):
        RSAPublicKey(10, 3)
    with pytest.raises(EncodeError):
        RSAPublicKey(35, 1)


# --- raw RSA -----------------------------------------------------------------------


def test_raw_rsa_round_trip_and_bounds(server_key: RSAPrivateKey) -> None:
    public = server_key.public_key
    block = random.Random(1).randbytes(255)
    encrypted = rsa_encrypt_raw(block, public)
    assert len(encrypted) == 256
    assert rsa_decrypt_raw(encrypted, server_key) == b"\x00" + block
    with pytest.raises(HandshakeError, match="below the modulus"):
        rsa_encrypt_raw(public.n.to_bytes(256, "big"), public)
    with pytest.raises(HandshakeError, match="below the modulus"):
        rsa_decrypt_raw(b"\xff" * 256, server_key)
    with pytest.raises(HandshakeError, match="256 bytes"):
        rsa_decrypt_raw(encrypted[1:], server_key)


def test_raw_decryption_matches_textbook_pow(server_key: RSAPrivateKey) -> None:
    from cryptography.hazmat.primitives import serialization

    numbers = serialization.load_pem_private_key(server_key.to_pem().encode(), None).private_numbers()  # type: ignore[union-attr]
    n = server_key.public_key.n
    value = random.Random(2).getrandbits(2040)
    ciphertext = pow(value, 65537, n).to_bytes(256, "big")
    assert rsa_decrypt_raw(ciphertext, server_key) == pow(
        int.from_bytes(ciphertext, "big"), numbers.d, n  # type: ignore[union-attr]
    ).to_bytes(256, "big")


def test_small_keys_are_refused() -> None:
    small = RSAPrivateKey.generate(1024)
    with pytest.raises(HandshakeError, match="2048-bit"):
        rsa_pad_encrypt(b"x", small.public_key, seeded(1))
    with pytest.raises(HandshakeError, match="2048-bit"):
        rsa_decrypt_raw(bytes(256), small)


# --- RSA_PAD -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 96, 100, RSA_PAD_MAX_DATA])
def test_rsa_pad_round_trip(server_key: RSAPrivateKey, size: int) -> None:
    data = random.Random(size).randbytes(size)
    encrypted = rsa_pad_encrypt(data, server_key.public_key, seeded(size))
    assert len(encrypted) == 256
    decrypted = rsa_pad_decrypt(encrypted, server_key)
    assert len(decrypted) == 192
    assert decrypted[:size] == data


def test_rsa_pad_is_deterministic_given_the_random_source(server_key: RSAPrivateKey) -> None:
    one = rsa_pad_encrypt(b"same", server_key.public_key, seeded(3))
    two = rsa_pad_encrypt(b"same", server_key.public_key, seeded(3))
    three = rsa_pad_encrypt(b"same", server_key.public_key, seeded(4))
    assert one == two != three


def test_rsa_pad_follows_the_spec_step_by_step(server_key: RSAPrivateKey) -> None:
    """Rebuild RSA_PAD from /mtproto/auth_key with kurigram's pure-Python IGE and compare."""
    from pyrogram.crypto import aes

    data = b"p_q_inner_data stand-in" * 4
    stream = random.Random(9)
    padding = stream.randbytes(192 - len(data))
    n = server_key.public_key.n
    data_with_padding = data + padding
    data_pad_reversed = data_with_padding[::-1]
    while True:
        temp_key = stream.randbytes(32)
        data_with_hash = data_pad_reversed + hashlib.sha256(temp_key + data_with_padding).digest()
        aes_encrypted = aes.ige256_encrypt(data_with_hash, temp_key, bytes(32))
        temp_key_xor = bytes(a ^ b for a, b in zip(temp_key, hashlib.sha256(aes_encrypted).digest()))
        key_aes_encrypted = temp_key_xor + aes_encrypted
        if int.from_bytes(key_aes_encrypted, "big") < n:
            break
    expected = pow(int.from_bytes(key_aes_encrypted, "big"), 65537, n).to_bytes(256, "big")
    assert rsa_pad_encrypt(data, server_key.public_key, random.Random(9).randbytes) == expected


def _temp_key(public: RSAPublicKey, *, below_n: bool) -> bytes:
    """A temp_key whose RSA_PAD block (empty data, zero padding) is below n, or not."""
    for seed in range(2000):
        temp_key = random.Random(seed).randbytes(32)
        try:
            rsa_pad_encrypt(b"", public, lambda n, k=temp_key: k if n == 32 else bytes(n))
        except HandshakeError as exc:
            assert "attempts" in str(exc)
            if not below_n:
                return temp_key
        else:
            if below_n:
                return temp_key
    raise AssertionError("no suitable temp_key among 2000 seeds")


def test_rsa_pad_retries_when_the_block_is_not_below_n(server_key: RSAPrivateKey) -> None:
    public = server_key.public_key
    bad = _temp_key(public, below_n=False)
    good = _temp_key(public, below_n=True)
    draws = iter([bytes(192), bad, bad, good])
    encrypted = rsa_pad_encrypt(b"", public, lambda n: next(draws))
    assert next(draws, None) is None  # all three temp_keys were drawn
    assert rsa_pad_decrypt(encrypted, server_key) == bytes(192)
    fresh = iter([bytes(192), good])
    assert rsa_pad_encrypt(b"", public, lambda n: next(fresh)) == encrypted


def test_rsa_pad_gives_up_on_a_stuck_random_source(server_key: RSAPrivateKey) -> None:
    public = server_key.public_key
    bad = _temp_key(public, below_n=False)
    with pytest.raises(HandshakeError, match="64 attempts"):
        rsa_pad_encrypt(b"", public, lambda n: bad if n == 32 else bytes(n))


def test_rsa_pad_rejects_long_data_and_short_random(server_key: RSAPrivateKey) -> None:
    with pytest.raises(EncodeError, match="at most 144"):
        rsa_pad_encrypt(bytes(145), server_key.public_key, seeded(1))
    with pytest.raises(EncodeError, match="random source"):
        rsa_pad_encrypt(b"x", server_key.public_key, lambda n: bytes(n - 1))


def test_rsa_pad_tampering_is_a_handshake_error(server_key: RSAPrivateKey) -> None:
    public = server_key.public_key
    encrypted = rsa_pad_encrypt(b"inner", public, seeded(5))
    block = bytearray(rsa_decrypt_raw(encrypted, server_key))
    for position in (0, 31, 32, 100, 255):
        damaged = bytearray(block)
        damaged[position] ^= 0x01
        with pytest.raises(HandshakeError, match="hash check"):
            rsa_pad_unwrap(bytes(damaged))
    other = RSAPrivateKey.generate()
    with pytest.raises(HandshakeError):
        rsa_pad_decrypt(encrypted, other)
    with pytest.raises(HandshakeError, match="256 bytes"):
        rsa_pad_unwrap(bytes(block[:-1]))


# --- legacy scheme -----------------------------------------------------------------


def test_legacy_round_trip(server_key: RSAPrivateKey) -> None:
    data = b"legacy p_q_inner_data" * 5
    encrypted = legacy_rsa_encrypt(data, server_key.public_key, seeded(1))
    digest, rest = legacy_unwrap(rsa_decrypt_raw(encrypted, server_key))
    assert rest[: len(data)] == data and len(rest) == LEGACY_MAX_DATA
    verify_legacy_digest(digest, rest[: len(data)])
    with pytest.raises(HandshakeError, match="SHA1"):
        verify_legacy_digest(digest, rest[: len(data) + 1])
    with pytest.raises(EncodeError, match="at most 235"):
        legacy_rsa_encrypt(bytes(236), server_key.public_key, seeded(1))


def test_telethon_legacy_ciphertext_is_readable(server_key: RSAPrivateKey) -> None:
    from telethon.crypto import rsa as telethon_rsa

    public = server_key.public_key
    telethon_rsa.add_key(public.to_pem(), old=False)  # Telethon's public way to add a server key
    data = bytes(range(100, 200))
    encrypted = telethon_rsa.encrypt(public.fingerprint, data)
    digest, rest = legacy_unwrap(rsa_decrypt_raw(encrypted, server_key))
    assert rest[: len(data)] == data
    verify_legacy_digest(digest, data)


def test_kurigram_legacy_ciphertext_is_readable(server_key: RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyrogram.crypto import rsa as kurigram_rsa

    public = server_key.public_key
    monkeypatch.setitem(kurigram_rsa.server_public_keys, public.fingerprint, kurigram_rsa.PublicKey(public.n, public.e))
    data = bytes(range(150))
    # kurigram's Auth.create builds the block itself: sha1 + data + padding to 255 bytes
    sha = hashlib.sha1(data).digest()
    block = sha + data + random.Random(4).randbytes(-(len(data) + len(sha)) % 255)
    encrypted = kurigram_rsa.encrypt(block, public.fingerprint)
    digest, rest = legacy_unwrap(rsa_decrypt_raw(encrypted, server_key))
    assert rest[: len(data)] == data
    verify_legacy_digest(digest, rest[: len(data)])


def test_legacy_unwrap_rejects_wide_blocks() -> None:
    with pytest.raises(HandshakeError, match="not a legacy"):
        legacy_unwrap(b"\x01" + bytes(255))
    with pytest.raises(HandshakeError, match="256 bytes"):
        legacy_unwrap(bytes(255))


def test_rsa_pad_payload_is_not_taken_for_legacy(server_key: RSAPrivateKey) -> None:
    """What a server does: try legacy first; an RSA_PAD block fails its digest (or its zero byte)."""
    encrypted = rsa_pad_encrypt(bytes(100), server_key.public_key, seeded(8))
    block = rsa_decrypt_raw(encrypted, server_key)
    try:
        digest, rest = legacy_unwrap(block)
    except HandshakeError:
        pass
    else:
        with pytest.raises(HandshakeError):
            verify_legacy_digest(digest, rest[:100])
    assert rsa_pad_unwrap(block)[:100] == bytes(100)
