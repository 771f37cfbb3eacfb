"""Key-exchange derivations against Telethon's AuthKey and kurigram's inline formulas."""

from __future__ import annotations

import random
import struct
from hashlib import sha1

import pytest

from tlruntime.crypto.kdf import (
    auth_key_aux_hash,
    handshake_aes_key_iv,
    initial_server_salt,
    new_nonce_hash,
)
from tlruntime.errors import HandshakeError


def test_handshake_key_iv_matches_kurigram_formula() -> None:
    # kurigram derives tmp_aes_key/iv inline in Auth.create; the same expressions, evaluated here.
    rng = random.Random(1)
    for _ in range(10):
        new_nonce, server_nonce = rng.randbytes(32), rng.randbytes(16)
        key = sha1(new_nonce + server_nonce).digest() + sha1(server_nonce + new_nonce).digest()[:12]
        iv = (
            sha1(server_nonce + new_nonce).digest()[12:]
            + sha1(new_nonce + new_nonce).digest()
            + new_nonce[:4]
        )
        assert handshake_aes_key_iv(new_nonce, server_nonce) == (key, iv)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_new_nonce_hash_matches_telethon(number: int) -> None:
    from telethon.crypto import AuthKey

    rng = random.Random(number)
    auth_key, new_nonce = rng.randbytes(256), rng.randbytes(32)
    oracle = AuthKey(auth_key)
    expected = oracle.calc_new_nonce_hash(int.from_bytes(new_nonce, "little", signed=True), number)
    ours = new_nonce_hash(new_nonce, number, auth_key)
    assert int.from_bytes(ours, "little", signed=True) == expected
    assert auth_key_aux_hash(auth_key) == struct.pack("<Q", oracle.aux_hash)


def test_initial_salt_matches_kurigram() -> None:
    from pyrogram.crypto import aes

    rng = random.Random(3)
    for _ in range(10):
        new_nonce, server_nonce = rng.randbytes(32), rng.randbytes(16)
        expected = int.from_bytes(aes.xor(new_nonce[:8], server_nonce[:8]), "little", signed=True)
        assert initial_server_salt(new_nonce, server_nonce) == expected


def test_sizes_are_checked() -> None:
    with pytest.raises(HandshakeError, match="new_nonce must be 32"):
        handshake_aes_key_iv(bytes(16), bytes(16))
    with pytest.raises(HandshakeError, match="server_nonce must be 16"):
        initial_server_salt(bytes(32), bytes(32))
    with pytest.raises(HandshakeError, match="1, 2 or 3"):
        new_nonce_hash(bytes(32), 4, bytes(256))
