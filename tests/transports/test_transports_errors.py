"""Typed failures: transport error codes, Full CRC/seq_no, hostile lengths, bad payloads to encode."""

from __future__ import annotations

import zlib

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from transport_helpers import ALL_NAMES, PADDED_NAMES, connect, payload_for, seeded_random_bytes

from tlruntime.errors import FrameError, TransportCodeError, TransportError
from tlruntime.transports import (
    Abridged,
    Frame,
    Full,
    Intermediate,
    Obfuscated2,
    PaddedIntermediate,
    make_client_codec,
)

CODES = (-404, -429, -444, -1)


def _code(code: int) -> bytes:
    return code.to_bytes(4, "little", signed=True)


# --- transport error codes ------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("name", ALL_NAMES)
def test_error_code_raises_on_client(name: str, code: int) -> None:
    client, server = connect(name)
    with pytest.raises(TransportCodeError) as caught:
        client.feed(server.encode(_code(code)))
    assert caught.value.code == code


@pytest.mark.parametrize("name", ALL_NAMES)
def test_error_code_byte_at_a_time(name: str) -> None:
    client, server = connect(name)
    wire = server.encode(_code(-404))
    for index in range(len(wire) - 1):
        assert client.feed(wire[index : index + 1]) == []
    with pytest.raises(TransportCodeError) as caught:
        client.feed(wire[-1:])
    assert caught.value.code == -404


@pytest.mark.parametrize("name", ALL_NAMES)
def test_negative_word_is_an_ordinary_frame_on_the_server(name: str) -> None:
    client, server = connect(name)
    assert server.feed(client.encode(_code(-404))) == [Frame(_code(-404))]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_frames_before_an_error_are_delivered_then_the_codec_stays_failed(name: str) -> None:
    client, server = connect(name)
    payload = payload_for(name, 64)
    wire = server.encode(payload) + server.encode(_code(-429)) + server.encode(payload)
    assert client.feed(wire) == [Frame(payload)]
    for _ in range(2):  # the pending error, then the same error for ever after
        with pytest.raises(TransportCodeError) as caught:
            client.feed(b"")
        assert caught.value.code == -429


def test_full_bare_negative_length_is_a_transport_code() -> None:
    # Telegram has been seen sending -429 where the full frame's length belongs.
    client, _ = connect("full")
    with pytest.raises(TransportCodeError) as caught:
        client.feed(_code(-429))
    assert caught.value.code == -429
    server = Full("server")
    with pytest.raises(FrameError):
        server.feed(_code(-429))


# --- Full: checksum and sequence numbers ----------------------------------------


def test_full_wire_layout() -> None:
    codec = Full("client")
    payload = bytes(range(8))
    first, second = codec.encode(payload), codec.encode(payload)
    assert first[:8] == (20).to_bytes(4, "little") + (0).to_bytes(4, "little")
    assert second[4:8] == (1).to_bytes(4, "little")
    assert first[8:16] == payload
    assert int.from_bytes(first[16:], "little") == zlib.crc32(first[:16])


@pytest.mark.parametrize("corrupt_at", (5, 8, 15, -1))
def test_full_crc_mismatch(corrupt_at: int) -> None:
    client, server = connect("full")
    wire = bytearray(client.encode(payload_for("full", 8)))
    wire[corrupt_at] ^= 0x01
    with pytest.raises(FrameError, match="CRC32"):
        server.feed(bytes(wire))


def test_full_seq_no_mismatch_dropped_and_replayed_frames() -> None:
    client, server = connect("full")  # handshake frame used seq_no 0 on both sides' counters
    payload = payload_for("full", 8)
    client.encode(payload)  # seq_no 1 never arrives
    with pytest.raises(FrameError, match="seq_no 2.*expected 1"):
        server.feed(client.encode(payload))

    client, server = connect("full")
    frame = client.encode(payload)
    assert server.feed(frame) == [Frame(payload)]
    with pytest.raises(FrameError, match="seq_no 1.*expected 2"):
        server.feed(frame)  # replay


def test_full_server_to_client_counts_from_zero() -> None:
    client, server = connect("full")
    first = server.encode(payload_for("full", 8))
    assert first[4:8] == bytes(4)
    assert client.feed(first) == [Frame(payload_for("full", 8))]


# --- hostile length prefixes: rejected as soon as the prefix is complete ----------

HOSTILE = [
    (Abridged, "server", b"\x7f\xff\xff\xff"),
    (Abridged, "client", b"\x7f\xff\xff\xff"),
    (Abridged, "server", b"\xff\xff\xff\xff"),  # quick-ack flag + long form
    (Abridged, "server", b"\x00"),
    (Abridged, "client", b"\x7f\x00\x00\x00"),
    (Intermediate, "server", b"\xff\xff\xff\x7f"),
    (Intermediate, "client", b"\xff\xff\xff\x7f"),
    (Intermediate, "server", b"\xff\xff\xff\xff"),  # quick-ack flag + 2 GiB
    (Intermediate, "server", b"\x00\x00\x00\x00"),
    (Intermediate, "server", b"\x05\x00\x00\x00"),  # not a multiple of 4
    (PaddedIntermediate, "server", b"\xff\xff\xff\x7f"),
    (PaddedIntermediate, "client", b"\x00\x00\x00\x00"),
    (Full, "server", b"\xff\xff\xff\x7f"),
    (Full, "client", b"\x0c\x00\x00\x00"),  # 12: no payload
    (Full, "server", b"\x08\x00\x00\x00"),
    (Full, "server", b"\x12\x00\x00\x00"),  # 18: not a multiple of 4
]


@pytest.mark.parametrize(("codec_class", "side", "prefix"), HOSTILE)
def test_hostile_length_prefix_fails_immediately(codec_class: type[Abridged], side: str, prefix: bytes) -> None:
    codec = codec_class(side)  # type: ignore[arg-type]
    for byte in prefix[:-1]:
        assert codec.feed(bytes((byte,))) == []
    with pytest.raises(FrameError):
        codec.feed(prefix[-1:])
    with pytest.raises(FrameError):  # stays failed
        codec.feed(b"\x00" * 8)


def test_configurable_cap() -> None:
    codec = Intermediate("server", max_frame_size=1024)
    assert codec.feed((1024).to_bytes(4, "little")) == []
    codec = Intermediate("server", max_frame_size=1024)
    with pytest.raises(FrameError, match="exceeds max_frame_size 1024"):
        codec.feed((1028).to_bytes(4, "little"))
    with pytest.raises(TransportError, match="exceeds max_frame_size"):
        Intermediate("client", max_frame_size=1024).encode(bytes(1028))
    with pytest.raises(TransportError):
        Intermediate("client", max_frame_size=2)


@pytest.mark.parametrize("name", ("obfuscated-abridged", "obfuscated-intermediate", "obfuscated-padded"))
def test_hostile_length_inside_obfuscation(name: str) -> None:
    client, server = connect(name)
    assert isinstance(server, Obfuscated2)
    header = client.initial_bytes()
    # Server -> client keystream, derived here from the spec: key/IV are header[8:56] reversed.
    material = header[8:56][::-1]
    server_stream = Cipher(algorithms.AES(material[:32]), modes.CTR(material[32:48])).encryptor()
    hostile = b"\x7f\xff\xff\xff" if name.endswith("abridged") else b"\xff\xff\xff\x7f"
    with pytest.raises(FrameError):
        client.feed(server_stream.update(hostile))


# --- padded intermediate: frames that hold no recoverable message -----------------


@pytest.mark.parametrize(
    "body",
    [
        bytes(8) + bytes(8) + (100).to_bytes(4, "little") + bytes(20),  # data length past the frame
        bytes(8) + bytes(8) + (0).to_bytes(4, "little") + bytes(16),  # 16 bytes of "padding"
        bytes(8) + bytes(8) + (-4).to_bytes(4, "little", signed=True) + bytes(4),
        b"\x01" + bytes(30),  # encrypted but shorter than 24 + 16
        b"\x01\x02\x03",
    ],
)
def test_padded_rejects_unrecoverable_frames(body: bytes) -> None:
    codec = PaddedIntermediate("server")
    with pytest.raises(FrameError):
        codec.feed(len(body).to_bytes(4, "little") + body)


# --- encode-side validation -------------------------------------------------------


@pytest.mark.parametrize("name", ALL_NAMES)
def test_encode_rejects_empty_and_unaligned(name: str) -> None:
    codec = make_client_codec(name, random_bytes=seeded_random_bytes(0))
    with pytest.raises(TransportError, match="empty"):
        codec.encode(b"")
    with pytest.raises(TransportError, match="multiple of 4"):
        codec.encode(bytes(22))


@pytest.mark.parametrize("name", PADDED_NAMES)
def test_padded_encode_rejects_non_mtproto_payloads(name: str) -> None:
    codec = make_client_codec(name, random_bytes=seeded_random_bytes(0))
    with pytest.raises(TransportError, match="not an MTProto message"):
        codec.encode(bytes(8))
    with pytest.raises(TransportError, match="not an MTProto message"):
        codec.encode(b"\x01" + bytes(51))  # encrypted shape needs 24 + 16k


def test_quick_ack_misuse() -> None:
    client, server = connect("intermediate")
    with pytest.raises(TransportError, match="only the client"):
        server.encode(bytes(8), quick_ack=True)
    with pytest.raises(TransportError, match="only the server"):
        client.encode_quick_ack(1)
    with pytest.raises(TransportError, match="unsigned 32-bit"):
        server.encode_quick_ack(1 << 32)
    full_client, full_server = connect("full")
    with pytest.raises(TransportError, match="no quick acks"):
        full_client.encode(bytes(8), quick_ack=True)
    with pytest.raises(TransportError, match="no quick acks"):
        full_server.encode_quick_ack(1)


def test_factory_rejects_unknown_names_and_stray_options() -> None:
    for bad in ("http", "obfuscated-full", "Abridged", ""):
        with pytest.raises(TransportError, match="unknown transport"):
            make_client_codec(bad)
    with pytest.raises(TransportError, match="obfuscated transport"):
        make_client_codec("abridged", dc_id=2)
    with pytest.raises(TransportError, match="side"):
        Abridged("middle")  # type: ignore[arg-type]
