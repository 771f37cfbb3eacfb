"""Shared helpers for the transport codec tests: deterministic randomness, MTProto-shaped payloads,
connection set-up through the server-side detector, and chunked feeding."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

from tlruntime.transports import (
    CLIENT_CODEC_NAMES,
    Event,
    Frame,
    TransportCodec,
    TransportDetector,
    make_client_codec,
)

ALL_NAMES = CLIENT_CODEC_NAMES
QUICK_ACK_NAMES = tuple(name for name in ALL_NAMES if name != "full")
PADDED_NAMES = ("padded", "obfuscated-padded")
MIB = 1024 * 1024


def seeded_random_bytes(seed: int) -> Callable[[int], bytes]:
    """A reproducible stand-in for os.urandom."""
    rng = random.Random(seed)
    return rng.randbytes


def unencrypted_message(size: int, seed: int = 0) -> bytes:
    """An MTProto plaintext message (auth_key_id 0) of exactly ``size`` >= 20 bytes."""
    rng = random.Random(seed)
    data_length = size - 20
    return bytes(8) + rng.randbytes(8) + data_length.to_bytes(4, "little") + rng.randbytes(data_length)


def encrypted_message(blocks: int, seed: int = 0) -> bytes:
    """An MTProto encrypted message shape: non-zero auth_key_id, msg_key, ``blocks`` AES blocks."""
    rng = random.Random(seed)
    return b"\x01" + rng.randbytes(7) + rng.randbytes(16) + rng.randbytes(16 * blocks)


def payload_for(name: str, size: int, seed: int = 0) -> bytes:
    """A payload of ``size`` bytes the transport ``name`` can carry.

    Padded intermediate only carries real MTProto shapes (it must find the
    message end again), so there the size is rounded up to the smallest
    plaintext message (20 bytes); 4 bytes stays a positive (non-error) word.
    """
    rng = random.Random(seed)
    if size == 4:
        word = bytearray(rng.randbytes(4))
        word[3] &= 0x7F  # a negative word is a transport error code on the client side
        return bytes(word)
    if name in PADDED_NAMES:
        return unencrypted_message(max(size, 20), seed)
    return rng.randbytes(size)


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def feed_in_chunks(codec: TransportCodec, data: bytes, size: int) -> list[Event]:
    events: list[Event] = []
    for chunk in chunks(data, size):
        events.extend(codec.feed(chunk))
    return events


HANDSHAKE_PAYLOAD = unencrypted_message(40, seed=99)  # a req_pq_multi-sized first message


def connect(
    name: str, *, seed: int = 1, dc_id: int | None = None, secret: bytes | str | None = None
) -> tuple[TransportCodec, TransportCodec]:
    """A client codec and the server codec the detector picks for its opening + first frame."""
    client = make_client_codec(name, random_bytes=seeded_random_bytes(seed), dc_id=dc_id, secret=secret)
    detector = TransportDetector(random_bytes=seeded_random_bytes(seed + 1000), secret=secret)
    detection = detector.feed(client.initial_bytes() + client.encode(HANDSHAKE_PAYLOAD))
    assert detection is not None
    assert detection.events == [Frame(HANDSHAKE_PAYLOAD)]
    return client, detection.codec
