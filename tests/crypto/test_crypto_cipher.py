"""MessageCipher (the session's per-key form) against the one-shot functions and plain hashlib."""

from __future__ import annotations

import hashlib
import random

import pytest

from tlruntime.crypto._buffers import small_sha256
from tlruntime.crypto.message import (
    CLIENT_TO_SERVER,
    SERVER_TO_CLIENT,
    MessageCipher,
    decrypt_message,
    encrypt_message,
    padding_length,
)
from tlruntime.errors import EncodeError, MessageRejectedError

RNG_SEED = 20261129


def test_small_sha256_is_sha256() -> None:
    rng = random.Random(RNG_SEED)
    for size in (0, 1, 52, 55, 56, 63, 64, 65, 1040):
        data = rng.randbytes(size)
        assert small_sha256(data).digest() == hashlib.sha256(data).digest()


@pytest.mark.parametrize("x", [CLIENT_TO_SERVER, SERVER_TO_CLIENT])
@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_cipher_and_functions_agree(x: int, kind: type) -> None:
    rng = random.Random(f"{RNG_SEED}:{x}:{kind.__name__}")
    auth_key = rng.randbytes(256)
    cipher = MessageCipher(kind(auth_key))
    for size in (0, 4, 16, 1000, 1024, 4096):
        plaintext = rng.randbytes(size)
        padding = rng.randbytes(padding_length(size, rng.randrange(4)))
        wire = encrypt_message(auth_key, plaintext, x, padding)
        # padding passed apart, and appended by the caller (the session's way)
        assert cipher.encrypt(x, kind(plaintext), kind(padding)) == wire
        assert cipher.encrypt(x, kind(plaintext + padding)) == wire
        assert cipher.decrypt(x, kind(wire)) == plaintext + padding
        assert decrypt_message(auth_key, wire, x) == plaintext + padding
        # a message stays bound to its direction
        with pytest.raises(MessageRejectedError):
            cipher.decrypt(x ^ 8, wire)


def test_cipher_rejects_what_the_functions_reject() -> None:
    rng = random.Random(RNG_SEED)
    auth_key = rng.randbytes(256)
    cipher = MessageCipher(auth_key)
    wire = cipher.encrypt(SERVER_TO_CLIENT, rng.randbytes(48))
    with pytest.raises(EncodeError, match="x must be"):
        cipher.encrypt(4, bytes(16))
    with pytest.raises(EncodeError, match="x must be"):
        cipher.decrypt(1, wire)
    with pytest.raises(EncodeError, match="multiple of 16"):
        cipher.encrypt(CLIENT_TO_SERVER, bytes(20))
    with pytest.raises(MessageRejectedError, match="shorter"):
        cipher.decrypt(SERVER_TO_CLIENT, wire[:39])
    with pytest.raises(MessageRejectedError, match="multiple of 16"):
        cipher.decrypt(SERVER_TO_CLIENT, wire + b"\0")
    with pytest.raises(MessageRejectedError, match="auth_key_id"):
        MessageCipher(rng.randbytes(256)).decrypt(SERVER_TO_CLIENT, wire)
    for position in (8, 23, 24, len(wire) - 1):  # msg_key and ciphertext bytes
        tampered = bytearray(wire)
        tampered[position] ^= 0x40
        with pytest.raises(MessageRejectedError, match="msg_key"):
            cipher.decrypt(SERVER_TO_CLIENT, bytes(tampered))
    with pytest.raises(EncodeError, match="auth_key must be 256"):
        MessageCipher(auth_key[:255])
