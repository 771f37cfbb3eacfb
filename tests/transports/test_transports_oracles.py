"""Wire bytes cross-checked against Telethon's packet codecs and kurigram's obfuscated2 header.

Randomness is pinned on both sides (padding, obfuscation init), so frames must
match byte for byte; Telethon's readers must also accept what our servers send.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Callable

import pytest
from telethon.network.connection import tcpintermediate, tcpmtproxy, tcpobfuscated
from telethon.network.connection.tcpabridged import AbridgedPacketCodec
from telethon.network.connection.tcpfull import FullPacketCodec
from telethon.network.connection.tcpintermediate import IntermediatePacketCodec, RandomizedIntermediatePacketCodec
from transport_helpers import MIB, encrypted_message, seeded_random_bytes, unencrypted_message

from tlruntime.transports import (
    Abridged,
    Frame,
    Full,
    Intermediate,
    Obfuscated2,
    PaddedIntermediate,
)

SIZES = (4, 8, 252, 504, 508, 512, 4096, MIB)


def _payload(size: int) -> bytes:
    return seeded_random_bytes(size)(size)


def _telethon_read(codec: object, wire: bytes, count: int) -> list[bytes]:
    async def read_all() -> list[bytes]:
        reader = asyncio.StreamReader()
        reader.feed_data(wire)
        reader.feed_eof()
        return [await codec.read_packet(reader) for _ in range(count)]  # type: ignore[attr-defined]

    return asyncio.run(read_all())


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("ours", "theirs"), [(Abridged, AbridgedPacketCodec), (Intermediate, IntermediatePacketCodec)]
)
def test_plain_frames_match_telethon(ours: type[Abridged], theirs: type[AbridgedPacketCodec], size: int) -> None:
    payload = _payload(size)
    assert ours("client").encode(payload) == theirs(None).encode_packet(payload)
    server_wire = ours("server").encode(payload)
    assert _telethon_read(theirs(None), server_wire, 1) == [payload]
    assert ours("server").feed(theirs(None).encode_packet(payload)) == [Frame(payload)]


def test_full_frames_match_telethon_across_seq_nos() -> None:
    ours, theirs = Full("client"), FullPacketCodec(None)
    payloads = [_payload(size) for size in SIZES]
    wire = b""
    for payload in payloads:
        frame = ours.encode(payload)
        assert frame == theirs.encode_packet(payload)
        wire += frame
    assert Full("server").feed(wire) == [Frame(p) for p in payloads]
    server = Full("server")
    server_wire = b"".join(server.encode(p) for p in payloads)
    assert _telethon_read(FullPacketCodec(None), server_wire, len(payloads)) == payloads  # Telethon checks our CRC


@pytest.mark.parametrize("padding_length", range(4))  # Telethon pads 0..3 bytes
@pytest.mark.parametrize("message", [unencrypted_message(52), encrypted_message(5)], ids=("plain", "encrypted"))
def test_padded_frames_match_telethon(
    monkeypatch: pytest.MonkeyPatch, message: bytes, padding_length: int
) -> None:
    padding = bytes(range(0xA0, 0xA0 + padding_length))
    monkeypatch.setattr(tcpintermediate, "random", types.SimpleNamespace(randint=lambda a, b: padding_length))
    monkeypatch.setattr(tcpintermediate, "os", types.SimpleNamespace(urandom=lambda n: padding[:n]))
    answers = iter((bytes((padding_length,)), padding))
    ours = PaddedIntermediate("client", random_bytes=lambda n: next(answers))
    assert ours.encode(message) == RandomizedIntermediatePacketCodec(None).encode_packet(message)


def _pinned(block: bytes) -> Callable[[int], bytes]:
    def random_bytes(n: int) -> bytes:
        assert n == 64
        return block

    return random_bytes


OBFUSCATED_INIT = bytes.fromhex("5d2bc3a19e0f7c44") + bytes(range(0x10, 0x48))  # 64 bytes, not forbidden


INNER = [
    (Abridged, AbridgedPacketCodec, encrypted_message(5)),
    (Intermediate, IntermediatePacketCodec, encrypted_message(5)),
    (PaddedIntermediate, RandomizedIntermediatePacketCodec, encrypted_message(5)),
]


@pytest.mark.parametrize(("inner", "telethon_codec", "message"), INNER, ids=("abridged", "intermediate", "padded"))
def test_obfuscated2_matches_telethon(
    monkeypatch: pytest.MonkeyPatch, inner: type[Abridged], telethon_codec: type[AbridgedPacketCodec], message: bytes
) -> None:
    assert len(OBFUSCATED_INIT) == 64
    monkeypatch.setattr(tcpobfuscated, "os", types.SimpleNamespace(urandom=_pinned(OBFUSCATED_INIT)))
    header, encrypt, decrypt = tcpobfuscated.ObfuscatedIO.init_header(telethon_codec)
    no_padding = iter((b"\x00",) * 8)
    ours = Obfuscated2(inner("client", random_bytes=lambda n: next(no_padding)), random_bytes=_pinned(OBFUSCATED_INIT))
    assert ours.initial_bytes() == bytes(header)
    # client -> server: Telethon's stream and ours stay in step frame after frame
    frame = (AbridgedPacketCodec if inner is Abridged else IntermediatePacketCodec)(None).encode_packet(message)
    for _ in range(3):
        assert ours.encode(message) == encrypt.encrypt(frame)
    # server -> client: our server codec, Telethon's decryptor
    server = Obfuscated2.from_client_header(header, random_bytes=lambda n: b"\x00")
    assert decrypt.encrypt(server.encode(message)) == frame


@pytest.mark.parametrize("dc_id", (2, -4))
def test_mtproxy_header_matches_telethon(monkeypatch: pytest.MonkeyPatch, dc_id: int) -> None:
    secret = bytes(range(100, 116))
    monkeypatch.setattr(tcpmtproxy, "os", types.SimpleNamespace(urandom=_pinned(OBFUSCATED_INIT)))
    header, encrypt, _ = tcpmtproxy.MTProxyIO.init_header(b"\xdd" + secret, dc_id, RandomizedIntermediatePacketCodec)
    no_padding = iter((b"\x00",) * 8)
    ours = Obfuscated2(
        PaddedIntermediate("client", random_bytes=lambda n: next(no_padding)),
        secret=b"\xdd" + secret,
        dc_id=dc_id,
        random_bytes=_pinned(OBFUSCATED_INIT),
    )
    assert ours.initial_bytes() == bytes(header)
    message = unencrypted_message(40)
    assert ours.encode(message) == encrypt.encrypt(len(message).to_bytes(4, "little") + message)
    server = Obfuscated2.from_client_header(bytes(header), secret=secret)
    assert server.dc_id == dc_id


@pytest.mark.parametrize("inner", (Abridged, Intermediate, PaddedIntermediate))
def test_mtproxy_header_matches_kurigram(monkeypatch: pytest.MonkeyPatch, inner: type[Abridged]) -> None:
    from pyrogram.connection.transport.tcp import tcp as kurigram_tcp
    from pyrogram.crypto import aes as kurigram_aes

    secret = bytes(range(200, 216))
    monkeypatch.setattr(kurigram_tcp, "os", types.SimpleNamespace(urandom=_pinned(OBFUSCATED_INIT)))
    built = kurigram_tcp.build_obfuscated2_header(secret, dc_id=4, obfuscate_tag=inner.obfuscation_tag)
    ours = Obfuscated2(inner("client"), secret=secret, dc_id=4, random_bytes=_pinned(OBFUSCATED_INIT))
    assert ours.initial_bytes() == built.header
    server = Obfuscated2.from_client_header(built.header, secret=secret, random_bytes=lambda n: b"\x00")
    assert type(server.inner) is inner and server.dc_id == 4
    # kurigram's decrypt state continues where ours would: read what our server sends
    message = unencrypted_message(40)
    plain_frame = inner("server", random_bytes=lambda n: b"\x00").encode(message)
    assert kurigram_aes.ctr256_decrypt(server.encode(message), *built.decrypt) == plain_frame
