"""MTProto 2.0 message protection: oracles (Telethon, kurigram), round trips, tampering."""

from __future__ import annotations

import collections
import hashlib
import logging
import random
import struct
import time
from io import BytesIO
from typing import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tlruntime.crypto import message as mtmsg
from tlruntime.crypto.message import (
    CLIENT_TO_SERVER,
    SERVER_TO_CLIENT,
    aes_key_iv,
    auth_key_id,
    decrypt_message,
    encrypt_message,
    msg_key,
    padding_length,
)
from tlruntime.errors import EncodeError, MessageRejectedError

AUTH_KEY = random.Random(7).randbytes(256)


def counting_random(seed: int) -> Callable[[int], bytes]:
    """A deterministic stand-in for os.urandom."""
    return random.Random(seed).randbytes


# --- oracles -----------------------------------------------------------------


def test_auth_key_id_matches_telethon() -> None:
    from telethon.crypto import AuthKey

    oracle = AuthKey(AUTH_KEY)
    assert auth_key_id(AUTH_KEY) == struct.pack("<Q", oracle.key_id)


@pytest.mark.parametrize("x, client", [(CLIENT_TO_SERVER, True), (SERVER_TO_CLIENT, False)])
def test_aes_key_iv_matches_both_oracles(x: int, client: bool) -> None:
    from pyrogram.crypto.mtproto import kdf
    from telethon.network.mtprotostate import MTProtoState

    rng = random.Random(x)
    for _ in range(20):
        key = rng.randbytes(256)
        mk = rng.randbytes(16)
        ours = aes_key_iv(key, mk, x)
        assert ours == MTProtoState._calc_key(key, mk, client)
        assert ours == kdf(key, mk, client)


def test_encrypt_matches_kurigram_pack_byte_for_byte() -> None:
    from pyrogram import raw
    from pyrogram.crypto import mtproto
    from pyrogram.raw.core import Message

    body = raw.functions.Ping(ping_id=0x1122334455667788)
    message = Message(body=body, msg_id=(1_700_000_000 << 32) | 4, seq_no=1, length=len(body.write()))
    salt, session_id = 0x0102030405060708, bytes(range(8))
    expected = mtproto.pack(message, salt, session_id, AUTH_KEY, auth_key_id(AUTH_KEY))  # kurigram's own padding

    plaintext = struct.pack("<q", salt) + session_id + message.write()
    # We, as the server, read what kurigram sent; with the padding it chose, our bytes are its bytes.
    opened = decrypt_message(AUTH_KEY, expected, CLIENT_TO_SERVER)
    assert opened[: len(plaintext)] == plaintext
    ours = encrypt_message(AUTH_KEY, plaintext, CLIENT_TO_SERVER, opened[len(plaintext) :])
    assert ours == expected


def test_server_message_is_accepted_by_kurigram_unpack() -> None:
    from pyrogram import raw
    from pyrogram.crypto import mtproto
    from pyrogram.raw.core import Message

    body = raw.types.Pong(msg_id=(1_700_000_000 << 32) | 4, ping_id=42)
    session_id = b"\xaa" * 8
    payload = Message(body=body, msg_id=(1_700_000_000 << 32) | 1, seq_no=2, length=len(body.write())).write()
    plaintext = struct.pack("<q", 99) + session_id + payload
    padding = counting_random(2)(padding_length(len(plaintext), extra_blocks=3))
    wire = encrypt_message(AUTH_KEY, plaintext, SERVER_TO_CLIENT, padding)

    decoded = mtproto.unpack(BytesIO(wire), session_id, AUTH_KEY, auth_key_id(AUTH_KEY))
    assert decoded.body.ping_id == 42
    assert decoded.msg_id == (1_700_000_000 << 32) | 1


def _telethon_state() -> object:
    from telethon.crypto import AuthKey
    from telethon.network.mtprotostate import MTProtoState

    loggers = collections.defaultdict(lambda: logging.getLogger("telethon-oracle"))
    return MTProtoState(AuthKey(AUTH_KEY), loggers)


def test_encrypt_matches_telethon_byte_for_byte() -> None:
    state = _telethon_state()
    state.salt = -5  # type: ignore[attr-defined]
    data = b"telethon body " * 9
    expected = state.encrypt_message_data(data)  # type: ignore[attr-defined]  # Telethon's own padding
    plaintext = struct.pack("<qq", -5, state.id) + data  # type: ignore[attr-defined]
    # We, as the server, read what Telethon sent; with the padding it chose, our bytes are its bytes.
    opened = decrypt_message(AUTH_KEY, expected, CLIENT_TO_SERVER)
    assert opened[: len(plaintext)] == plaintext
    assert encrypt_message(AUTH_KEY, plaintext, CLIENT_TO_SERVER, opened[len(plaintext) :]) == expected


def test_server_message_is_accepted_by_telethon() -> None:
    from telethon.tl.types import Pong

    state = _telethon_state()
    body = bytes(Pong(msg_id=12, ping_id=34))
    msg_id = (int(time.time()) << 32) | 1  # Telethon checks that msg_id is near its clock
    plaintext = struct.pack("<qqqii", 7, state.id, msg_id, 1, len(body)) + body  # type: ignore[attr-defined]
    padding = counting_random(4)(padding_length(len(plaintext)))
    wire = encrypt_message(AUTH_KEY, plaintext, SERVER_TO_CLIENT, padding)
    decoded = state.decrypt_message_data(wire)  # type: ignore[attr-defined]
    assert decoded.msg_id == msg_id
    assert decoded.obj.ping_id == 34


# --- round trips and argument checks ----------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    plaintext=st.binary(max_size=600),
    x=st.sampled_from([CLIENT_TO_SERVER, SERVER_TO_CLIENT]),
    extra=st.integers(min_value=0, max_value=10),
    kind=st.sampled_from([bytes, bytearray, memoryview]),
)
def test_round_trip_any_buffer_type(plaintext: bytes, x: int, extra: int, kind: type) -> None:
    padding = counting_random(len(plaintext))(padding_length(len(plaintext), extra))
    wire = encrypt_message(kind(AUTH_KEY), kind(plaintext), x, kind(padding))
    assert len(wire) == 24 + len(plaintext) + len(padding)
    assert wire[:8] == auth_key_id(AUTH_KEY)
    assert wire[8:24] == msg_key(AUTH_KEY, plaintext + padding, x)
    assert decrypt_message(kind(AUTH_KEY), kind(wire), x) == plaintext + padding


def test_msg_key_is_the_middle_of_sha256() -> None:
    data = bytes(range(48))
    for x in (CLIENT_TO_SERVER, SERVER_TO_CLIENT):
        full = hashlib.sha256(AUTH_KEY[88 + x : 120 + x] + data).digest()
        assert msg_key(AUTH_KEY, data, x) == full[8:24]


@pytest.mark.parametrize("n", range(0, 64))
def test_padding_length_rules(n: int) -> None:
    pad = padding_length(n)
    assert 12 <= pad < 28 and (n + pad) % 16 == 0
    assert padding_length(n, 2) == pad + 32


def test_padding_length_rejects_nonsense() -> None:
    with pytest.raises(EncodeError):
        padding_length(-1)
    with pytest.raises(EncodeError):
        padding_length(0, -1)
    assert padding_length(0, 63) == 1024
    with pytest.raises(EncodeError, match="exceeds 1024"):
        padding_length(0, 64)


@pytest.mark.parametrize("size", [0, 11, 1025, 1040])
def test_encrypt_rejects_padding_out_of_range(size: int) -> None:
    plaintext = bytes((16 - size % 16) % 16)
    with pytest.raises(EncodeError, match="padding must be 12..1024"):
        encrypt_message(AUTH_KEY, plaintext, CLIENT_TO_SERVER, bytes(size))


def test_encrypt_rejects_unaligned_total() -> None:
    with pytest.raises(EncodeError, match="multiple of 16"):
        encrypt_message(AUTH_KEY, b"abc", CLIENT_TO_SERVER, bytes(12))


def test_bad_direction_and_key_size_are_rejected() -> None:
    with pytest.raises(EncodeError, match="x must be"):
        encrypt_message(AUTH_KEY, bytes(4), 4, bytes(12))
    with pytest.raises(EncodeError, match="x must be"):
        decrypt_message(AUTH_KEY, bytes(64), 1)
    with pytest.raises(EncodeError, match="auth_key must be 256"):
        auth_key_id(AUTH_KEY[:255])
    with pytest.raises(EncodeError, match="msg_key must be 16"):
        aes_key_iv(AUTH_KEY, bytes(15), 0)


# --- tampering: every kind of damage is a MessageRejectedError ------------------------------


@pytest.fixture(scope="module")
def sealed() -> tuple[bytes, bytes]:
    plaintext = bytes(range(256)) * 2 + b"tail"
    padding = counting_random(9)(padding_length(len(plaintext), 1))
    return encrypt_message(AUTH_KEY, plaintext, SERVER_TO_CLIENT, padding), plaintext + padding


def _flip(data: bytes, bit: int) -> bytes:
    damaged = bytearray(data)
    damaged[bit // 8] ^= 1 << (bit % 8)
    return bytes(damaged)


def test_untampered_message_decrypts(sealed: tuple[bytes, bytes]) -> None:
    wire, padded = sealed
    assert decrypt_message(AUTH_KEY, wire, SERVER_TO_CLIENT) == padded


def test_every_flipped_bit_of_auth_key_id_is_rejected(sealed: tuple[bytes, bytes]) -> None:
    wire, _ = sealed
    for bit in range(64):
        with pytest.raises(MessageRejectedError, match="auth_key_id"):
            decrypt_message(AUTH_KEY, _flip(wire, bit), SERVER_TO_CLIENT)


def test_every_flipped_bit_of_msg_key_is_rejected(sealed: tuple[bytes, bytes]) -> None:
    wire, _ = sealed
    for bit in range(64, 192):
        with pytest.raises(MessageRejectedError, match="msg_key"):
            decrypt_message(AUTH_KEY, _flip(wire, bit), SERVER_TO_CLIENT)


def test_flipped_bit_in_every_ciphertext_byte_is_rejected(sealed: tuple[bytes, bytes]) -> None:
    wire, _ = sealed
    rng = random.Random(11)
    for byte in range(24, len(wire)):
        with pytest.raises(MessageRejectedError, match="msg_key"):
            decrypt_message(AUTH_KEY, _flip(wire, byte * 8 + rng.randrange(8)), SERVER_TO_CLIENT)


def test_every_truncation_is_rejected(sealed: tuple[bytes, bytes]) -> None:
    wire, _ = sealed
    for size in range(len(wire)):
        with pytest.raises(MessageRejectedError):
            decrypt_message(AUTH_KEY, wire[:size], SERVER_TO_CLIENT)


def test_extended_or_redirected_messages_are_rejected(sealed: tuple[bytes, bytes]) -> None:
    wire, _ = sealed
    with pytest.raises(MessageRejectedError, match="multiple of 16"):
        decrypt_message(AUTH_KEY, wire + b"\x00", SERVER_TO_CLIENT)
    with pytest.raises(MessageRejectedError, match="msg_key"):
        decrypt_message(AUTH_KEY, wire + bytes(16), SERVER_TO_CLIENT)
    # a server-to-client message replayed towards the server fails the msg_key check
    with pytest.raises(MessageRejectedError, match="msg_key"):
        decrypt_message(AUTH_KEY, wire, CLIENT_TO_SERVER)
    other_key = bytes(255) + b"\x01"
    with pytest.raises(MessageRejectedError, match="auth_key_id"):
        decrypt_message(other_key, wire, SERVER_TO_CLIENT)


def test_swapped_ciphertext_blocks_are_rejected(sealed: tuple[bytes, bytes]) -> None:
    wire, _ = sealed
    blocks = [wire[i : i + 16] for i in range(24, len(wire), 16)]
    blocks[1], blocks[2] = blocks[2], blocks[1]
    with pytest.raises(MessageRejectedError, match="msg_key"):
        decrypt_message(AUTH_KEY, wire[:24] + b"".join(blocks), SERVER_TO_CLIENT)


def test_module_exports_are_documented() -> None:
    for name in mtmsg.__all__:
        assert getattr(mtmsg, name) is not None
