"""Wire bytes cross-checked against Telethon's packet codecs and kurigram's obfuscated2 header.

The peers run as published, with their own randomness: we read back what they
chose (the padding of a frame, the random block under an obfuscated2 header)
and give our encoder the same choice, so frames must match byte for byte;
Telethon's readers must also accept what our servers send.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from telethon.network.connection import tcpmtproxy, tcpobfuscated
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


@pytest.mark.parametrize("attempt", range(8))  # Telethon pads 0..3 random bytes: eight of its frames
@pytest.mark.parametrize("message", [unencrypted_message(52), encrypted_message(5)], ids=("plain", "encrypted"))
def test_padded_frames_match_telethon(message: bytes, attempt: int) -> None:
    theirs = RandomizedIntermediatePacketCodec(None).encode_packet(message)
    padding = theirs[4 + len(message) :]
    assert theirs[4 : 4 + len(message)] == message and len(padding) <= 3
    answers = iter((bytes((len(padding),)), padding))
    ours = PaddedIntermediate("client", random_bytes=lambda n: next(answers))
    assert ours.encode(message) == theirs


def _peer_init(header: bytes, secret: bytes | None = None) -> Callable[[int], bytes]:
    """The random 64-byte block a peer drew under ``header``, as ``random_bytes`` for our client.

    Bytes 0..56 travel in clear; 56..64 are decrypted with the key and IV the
    header itself carries (bytes 8..56; keyed with the MTProxy secret if any).
    """
    key, iv = header[8:40], header[40:56]
    if secret is not None:
        key = hashlib.sha256(key + secret).digest()
    plain = Cipher(algorithms.AES(key), modes.CTR(iv)).decryptor().update(header)
    block = header[:56] + plain[56:]

    def random_bytes(n: int) -> bytes:
        assert n == 64
        return block

    return random_bytes


INNER = [
    (Abridged, AbridgedPacketCodec, encrypted_message(5)),
    (Intermediate, IntermediatePacketCodec, encrypted_message(5)),
    (PaddedIntermediate, RandomizedIntermediatePacketCodec, encrypted_message(5)),
]


@pytest.mark.parametrize(("inner", "telethon_codec", "message"), INNER, ids=("abridged", "intermediate", "padded"))
def test_obfuscated2_matches_telethon(
    inner: type[Abridged], telethon_codec: type[AbridgedPacketCodec], message: bytes
) -> None:
    header, encrypt, decrypt = tcpobfuscated.ObfuscatedIO.init_header(telethon_codec)
    no_padding = iter((b"\x00",) * 8)
    ours = Obfuscated2(inner("client", random_bytes=lambda n: next(no_padding)), random_bytes=_peer_init(bytes(header)))
    assert ours.initial_bytes() == bytes(header)
    # client -> server: Telethon's stream and ours stay in step frame after frame
    frame = (AbridgedPacketCodec if inner is Abridged else IntermediatePacketCodec)(None).encode_packet(message)
    for _ in range(3):
        assert ours.encode(message) == encrypt.encrypt(frame)
    # server -> client: our server codec, Telethon's decryptor
    server = Obfuscated2.from_client_header(header, random_bytes=lambda n: b"\x00")
    assert decrypt.encrypt(server.encode(message)) == frame


@pytest.mark.parametrize("dc_id", (2, -4))
def test_mtproxy_header_matches_telethon(dc_id: int) -> None:
    secret = bytes(range(100, 116))
    header, encrypt, _ = tcpmtproxy.MTProxyIO.init_header(b"\xdd" + secret, dc_id, RandomizedIntermediatePacketCodec)
    no_padding = iter((b"\x00",) * 8)
    ours = Obfuscated2(
        PaddedIntermediate("client", random_bytes=lambda n: next(no_padding)),
        secret=b"\xdd" + secret,
        dc_id=dc_id,
        random_bytes=_peer_init(bytes(header), secret),
    )
    assert ours.initial_bytes() == bytes(header)
    message = unencrypted_message(40)
    assert ours.encode(message) == encrypt.encrypt(len(message).to_bytes(4, "little") + message)
    server = Obfuscated2.from_client_header(bytes(header), secret=secret)
    assert server.dc_id == dc_id


@pytest.mark.parametrize("inner", (Abridged, Intermediate, PaddedIntermediate))
def test_mtproxy_header_matches_kurigram(inner: type[Abridged]) -> None:
    from pyrogram.connection.transport.tcp import tcp as kurigram_tcp
    from pyrogram.crypto import aes as kurigram_aes

    secret = bytes(range(200, 216))
    built = kurigram_tcp.build_obfuscated2_header(secret, dc_id=4, obfuscate_tag=inner.obfuscation_tag)
    ours = Obfuscated2(inner("client"), secret=secret, dc_id=4, random_bytes=_peer_init(built.header, secret))
    assert ours.initial_bytes() == built.header
    server = Obfuscated2.from_client_header(built.header, secret=secret, random_bytes=lambda n: b"\x00")
    assert type(server.inner) is inner and server.dc_id == 4
    # kurigram's decrypt state continues where ours would: read what our server sends
    message = unencrypted_message(40)
    plain_frame = inner("server", random_bytes=lambda n: b"\x00").encode(message)
    assert kurigram_aes.ctr256_decrypt(server.encode(message), *built.decrypt) == plain_frame
