"""auth.bindTempAuthKey's encrypted_message: built, opened, and every tampering refused with its reason."""

from __future__ import annotations

import hashlib
import random
import struct

import pytest

from tlruntime.crypto.ige import aes_ige_encrypt
from tlruntime.errors import SecurityError
from tlruntime.telegram.pfs import (
    BindAuthKeyInner,
    BindMessageError,
    auth_key_id,
    bind_message,
    open_bind_message,
    v1_aes_key_iv,
)

RNG = random.Random(8)
PERM = RNG.randbytes(256)
TEMP = RNG.randbytes(256)
MSG_ID = 0x6580_0000_1234_5678
INNER = BindAuthKeyInner(
    nonce=-0x1122_3344_5566_7788,
    temp_auth_key_id=auth_key_id(TEMP),
    perm_auth_key_id=auth_key_id(PERM),
    temp_session_id=0x0102_0304_0506_0708,
    expires_at=1_764_486_400,
)
REQUEST = dict(
    msg_id=MSG_ID,
    perm_auth_key_id=INNER.perm_auth_key_id,
    nonce=INNER.nonce,
    expires_at=INNER.expires_at,
    temp_auth_key_id=INNER.temp_auth_key_id,
    temp_session_id=INNER.temp_session_id,
)


def _message(seed: int = 1) -> bytes:
    return bind_message(PERM, INNER, msg_id=MSG_ID, random_bytes=random.Random(seed).randbytes)


def test_inner_bytes_match_our_layer_telethon_and_kurigram() -> None:
    from pyrogram.raw.types import BindAuthKeyInner as KurigramInner
    from telethon.tl.types import BindAuthKeyInner as TelethonInner

    from tlruntime.tl.types import BindAuthKeyInner as OurInner

    fields = dict(
        nonce=INNER.nonce,
        temp_auth_key_id=INNER.temp_auth_key_id,
        perm_auth_key_id=INNER.perm_auth_key_id,
        temp_session_id=INNER.temp_session_id,
        expires_at=INNER.expires_at,
    )
    ours = INNER.to_bytes()
    assert len(ours) == 40
    assert ours == bytes(OurInner(**fields))
    assert ours == bytes(TelethonInner(**fields))
    assert ours == KurigramInner(**fields).write()


def test_round_trip_returns_the_inner_message() -> None:
    encrypted = _message()
    assert len(encrypted) == 8 + 16 + 80  # 16 random + 8 msg_id + 4 seqno + 4 msg_len + 40 inner = 72, padded to 80
    assert struct.unpack_from("<q", encrypted)[0] == auth_key_id(PERM)
    assert open_bind_message(PERM, encrypted, **REQUEST) == INNER
    assert _message(1) == _message(1) and _message(1) != _message(2)  # seeded randomness replays


def test_msg_key_is_sha1_of_the_unpadded_plaintext_and_keys_are_v1() -> None:
    randomness = random.Random(3).randbytes
    encrypted = bind_message(PERM, INNER, msg_id=MSG_ID, random_bytes=randomness)
    again = random.Random(3).randbytes
    plaintext = again(16) + struct.pack("<qii", MSG_ID, 0, 40) + INNER.to_bytes()
    msg_key = hashlib.sha1(plaintext).digest()[4:20]
    assert encrypted[8:24] == msg_key
    key, iv = v1_aes_key_iv(PERM, msg_key)
    assert encrypted[24:] == aes_ige_encrypt(plaintext + again(8), key, iv)  # 8 random bytes pad 72 to 80
    assert v1_aes_key_iv(PERM, msg_key, from_client=False) != (key, iv)


def _forge(plaintext: bytes, perm: bytes = PERM) -> bytes:
    msg_key = hashlib.sha1(plaintext[: 32 + 40]).digest()[4:20]
    key, iv = v1_aes_key_iv(perm, msg_key)
    padded = plaintext + bytes(-len(plaintext) % 16)
    return struct.pack("<q", auth_key_id(perm)) + msg_key + aes_ige_encrypt(padded, key, iv)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"msg_id": MSG_ID + 4}, "msg_id"),
        ({"nonce": 1}, "nonce"),
        ({"expires_at": INNER.expires_at + 1}, "expires_at"),
        ({"temp_auth_key_id": 5}, "temp_auth_key_id"),
        ({"temp_session_id": 6}, "temp_session_id"),
        ({"perm_auth_key_id": 7}, "perm_auth_key_id"),
    ],
)
def test_each_request_field_is_checked(change: dict[str, int], reason: str) -> None:
    with pytest.raises(BindMessageError, match=reason) as caught:
        open_bind_message(PERM, _message(), **{**REQUEST, **change})
    assert isinstance(caught.value, SecurityError)


@pytest.mark.parametrize("offset", [8, 23, 24, 40, 87])
def test_flipped_bytes_are_refused(offset: int) -> None:
    tampered = bytearray(_message())
    tampered[offset] ^= 0x20
    with pytest.raises(BindMessageError):
        open_bind_message(PERM, bytes(tampered), **REQUEST)


def test_another_permanent_key_cannot_open_it() -> None:
    other = random.Random(99).randbytes(256)
    with pytest.raises(BindMessageError, match="perm_auth_key_id"):
        open_bind_message(other, _message(), **{**REQUEST, "perm_auth_key_id": auth_key_id(other)})


def test_forged_plaintexts_are_refused_with_their_reason() -> None:
    header = bytes(16)
    good_inner = INNER.to_bytes()
    cases = {
        "seqno": header + struct.pack("<qii", MSG_ID, 1, 40) + good_inner,
        "msg_len": header + struct.pack("<qii", MSG_ID, 0, 36) + good_inner,
        "constructor": header + struct.pack("<qii", MSG_ID, 0, 40) + b"\x00\x00\x00\x00" + good_inner[4:],
    }
    for reason, plaintext in cases.items():
        with pytest.raises(BindMessageError, match=reason):
            open_bind_message(PERM, _forge(plaintext), **REQUEST)
    mismatched = BindAuthKeyInner(INNER.nonce, INNER.temp_auth_key_id, 42, INNER.temp_session_id, INNER.expires_at)
    with pytest.raises(BindMessageError, match="perm_auth_key_id"):
        open_bind_message(PERM, _forge(header + struct.pack("<qii", MSG_ID, 0, 40) + mismatched.to_bytes()), **REQUEST)


@pytest.mark.parametrize("size", [0, 24, 103, 105, 120])
def test_wrong_sizes_are_refused(size: int) -> None:
    message = _message()
    resized = message[:size] if size <= len(message) else message + bytes(size - len(message))
    with pytest.raises(BindMessageError):
        open_bind_message(PERM, resized, **REQUEST)


def test_client_refuses_to_bind_to_a_key_it_does_not_encrypt_with() -> None:
    with pytest.raises(BindMessageError, match="perm_auth_key_id"):
        bind_message(TEMP, INNER, msg_id=MSG_ID)
    with pytest.raises(BindMessageError, match="256 bytes"):
        bind_message(PERM[:128], INNER, msg_id=MSG_ID)
