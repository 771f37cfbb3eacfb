"""The unencrypted message envelope and the msg_id generator."""

from __future__ import annotations

import struct

import pytest

from auth_vectors import REQ_PQ_MULTI
from tlruntime.auth.plain import (
    MAX_PLAIN_BODY,
    MsgIdGenerator,
    NotPlainMessageError,
    pack_plain,
    unpack_plain,
)
from tlruntime.errors import DecodeError, LengthError, TrailingBytesError, TruncatedError


def test_pack_matches_published_req_pq_multi() -> None:
    body = REQ_PQ_MULTI[20:]
    msg_id = int.from_bytes(REQ_PQ_MULTI[8:16], "little")
    assert pack_plain(body, msg_id) == REQ_PQ_MULTI


def test_round_trip() -> None:
    payload = pack_plain(b"\x01\x02\x03\x04" * 5, 0x65ABC0FC000DF764)
    assert unpack_plain(payload) == (0x65ABC0FC000DF764, b"\x01\x02\x03\x04" * 5)


def test_padding_from_padded_intermediate_is_ignored() -> None:
    payload = pack_plain(b"abcd", 8) + b"\xff" * 15
    assert unpack_plain(payload) == (8, b"abcd")


def test_too_much_trailing_data() -> None:
    with pytest.raises(TrailingBytesError) as info:
        unpack_plain(pack_plain(b"abcd", 8) + b"\x00" * 16)
    assert info.value.offset == 24


@pytest.mark.parametrize("size", [0, 7, 19])
def test_too_short(size: int) -> None:
    with pytest.raises(TruncatedError):
        unpack_plain(b"\x00" * size)


def test_non_zero_auth_key_id_is_an_encrypted_message() -> None:
    payload = b"\x11" * 8 + pack_plain(b"abcd", 8)[8:]
    with pytest.raises(NotPlainMessageError) as info:
        unpack_plain(payload)
    assert info.value.auth_key_id == b"\x11" * 8
    assert isinstance(info.value, DecodeError)


def test_length_past_the_buffer() -> None:
    payload = bytes(8) + struct.pack("<qi", 8, 40) + b"abcd"
    with pytest.raises(LengthError) as info:
        unpack_plain(payload)
    assert isinstance(info.value, TruncatedError)  # LengthPastEndError is both
    assert "past" in str(info.value)


@pytest.mark.parametrize("length", [-4, MAX_PLAIN_BODY + 4, 2**31 - 1])
def test_hostile_length_prefix(length: int) -> None:
    payload = bytes(8) + struct.pack("<qi", 8, length) + b"abcd"
    with pytest.raises(LengthError):
        unpack_plain(payload)


def test_msg_ids_are_time_based_divisible_by_4_and_monotonic() -> None:
    now = [1705754876.25]
    ids = MsgIdGenerator(lambda: now[0])
    first = ids()
    assert first >> 32 == 1705754876
    assert first % 4 == 0
    assert abs((first & 0xFFFFFFFF) - 2**30) < 8  # .25 s -> 2**30
    second = ids()  # clock did not move
    now[0] -= 10  # clock went back
    third = ids()
    assert first < second < third
    assert second % 4 == 0 and third % 4 == 0


def test_server_msg_ids_are_one_mod_4() -> None:
    ids = MsgIdGenerator(lambda: 1705754876.5, remainder=1)
    values = [ids() for _ in range(3)]
    assert all(v % 4 == 1 for v in values)
    assert values == sorted(set(values))


def test_bad_remainder() -> None:
    with pytest.raises(ValueError):
        MsgIdGenerator(lambda: 0.0, remainder=2)
