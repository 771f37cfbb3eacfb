"""TL primitives in tlruntime.binary: exact byte forms, edge lengths, range errors."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tlruntime import binary
from tlruntime.errors import EncodeError, LengthError, TruncatedError, UnknownConstructorError


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 252, 253, 254, 255, 256, 1000, 65536])
def test_bytes_round_trip_and_length_forms(n: int) -> None:
    data = bytes(range(256)) * (n // 256) + bytes(range(n % 256))
    packed = binary.pack_bytes(data)
    assert len(packed) % 4 == 0
    if n < 254:
        assert packed[0] == n
        assert packed[1 : 1 + n] == data
    else:  # 0xfe + 3-byte little-endian length
        assert packed[0] == 0xFE
        assert int.from_bytes(packed[1:4], "little") == n
        assert packed[4 : 4 + n] == data
    padding = packed[(1 if n < 254 else 4) + n :]
    assert len(padding) < 4 and padding == bytes(len(padding))
    value, end = binary.read_bytes(packed, 0)
    assert value == data and end == len(packed)


def test_known_encodings() -> None:
    assert binary.pack_bytes(b"") == b"\x00\x00\x00\x00"
    assert binary.pack_bytes(b"abc") == b"\x03abc"
    assert binary.pack_bytes(b"abcd") == b"\x04abcd\x00\x00\x00"
    assert binary.pack_bytes(b"x" * 254)[:4] == b"\xfe\xfe\x00\x00"
    assert binary.pack_string("héllo") == b"\x06h\xc3\xa9llo\x00"


@given(st.text())
def test_string_round_trip(text: str) -> None:
    value, end = binary.read_string(binary.pack_string(text), 0)
    assert value == text


@given(st.binary(max_size=600))
def test_arbitrary_bytes_survive_string_decode_and_encode(raw: bytes) -> None:
    """Non-UTF-8 bytes read as a TL string are written back unchanged (surrogateescape)."""
    text, _ = binary.read_string(binary.pack_bytes(raw), 0)
    assert binary.pack_string(text) == binary.pack_bytes(raw)


@pytest.mark.parametrize(
    "pack, bits",
    [(binary.pack_int, 32), (binary.pack_long, 64), (binary.pack_int128, 128), (binary.pack_int256, 256)],
)
def test_signed_integer_ranges(pack: object, bits: int) -> None:
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    assert callable(pack)
    assert int.from_bytes(pack(lo), "little", signed=True) == lo
    assert int.from_bytes(pack(hi), "little", signed=True) == hi
    for bad in (lo - 1, hi + 1):
        with pytest.raises(EncodeError):
            pack(bad)


def test_wide_integers_read_signed_little_endian() -> None:
    assert binary.read_int128(b"\xff" * 16, 0) == (-1, 16)
    assert binary.read_int256((5).to_bytes(32, "little"), 0) == (5, 32)
    with pytest.raises(TruncatedError):
        binary.read_int128(b"\x00" * 15, 0)


def test_bool() -> None:
    assert binary.pack_bool(True) == struct.pack("<I", 0x997275B5)
    assert binary.pack_bool(False) == struct.pack("<I", 0xBC799737)
    assert binary.read_bool(binary.pack_bool(True), 0) is True
    assert binary.read_bool(binary.pack_bool(False), 0) is False
    with pytest.raises(UnknownConstructorError) as info:
        binary.read_bool(b"\x00\x00\x00\x00", 0)
    assert info.value.expected == "Bool" and info.value.constructor_id == 0


@given(st.lists(st.integers(-(1 << 63), (1 << 63) - 1), max_size=50))
def test_vector_long_round_trip(values: list[int]) -> None:
    packed = binary.pack_vector_long(values)
    assert packed[:4] == struct.pack("<I", 0x1CB5C415)
    assert binary.read_vector_long(packed, 0) == (values, len(packed))


@given(st.lists(st.text(max_size=300), max_size=10))
def test_vector_string_round_trip(values: list[str]) -> None:
    packed = binary.pack_vector_string(values)
    assert binary.read_vector_string(packed, 0) == (values, len(packed))


def test_bare_vector_header() -> None:
    assert binary.read_bare_vector_header(b"\x02\x00\x00\x00" + b"\x00" * 8, 0) == (2, 4)


def test_hostile_lengths() -> None:
    # 0xfe ff ff ff: a 16 MiB string in a 4-byte buffer
    with pytest.raises(LengthError) as info:
        binary.read_bytes(b"\xfe\xff\xff\xff", 0)
    assert isinstance(info.value, TruncatedError)  # LengthPastEndError is both
    with pytest.raises(LengthError):
        binary.read_vector_int(struct.pack("<II", 0x1CB5C415, 0xFFFFFFFF), 0)
    with pytest.raises(LengthError):
        binary.read_vector_int(struct.pack("<II", 0x1CB5C415, 5) + b"\x00" * 8, 0)
    with pytest.raises(UnknownConstructorError):
        binary.read_vector_int(struct.pack("<II", 0x12345678, 0), 0)


def test_exactness_checks() -> None:
    binary.check_exact(b"1234", 4)
    with pytest.raises(TruncatedError):
        binary.check_exact(b"1234", 8)
    from tlruntime.errors import TrailingBytesError

    with pytest.raises(TrailingBytesError) as info:
        binary.check_exact(b"12345678", 4)
    assert info.value.offset == 4
