"""Transport decoder targets: every framing, both sides, plain and inside obfuscated2, and detection.

The first input byte picks the chunk size the stream is fed in (1..64 bytes),
so buffering across chunk boundaries is fuzzed too; the rest is the stream.
For obfuscated2 the fuzzer writes the *plaintext* framing stream and the
harness encrypts it with the connection's AES-CTR keystream (derived from the
64-byte header as /mtproto/mtproto-transports describes), so mutations reach
the inner decoder instead of dying as random ciphertext.
"""

from __future__ import annotations

import random
import struct
from typing import Callable, Iterable

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tlruntime.transports import (
    Abridged,
    Frame,
    Full,
    Intermediate,
    Obfuscated2,
    PaddedIntermediate,
    TransportDetector,
)
from tlruntime.transports.base import FramingCodec

from .registry import register

FRAMINGS: dict[str, type[FramingCodec]] = {
    "abridged": Abridged,
    "intermediate": Intermediate,
    "padded": PaddedIntermediate,
    "full": Full,
}
OBFUSCATABLE = ("abridged", "intermediate", "padded")
# Plain-transport openings a server sees before the first frame (full has none).
OPENINGS = {"abridged": b"\xef", "intermediate": b"\xee" * 4, "padded": b"\xdd" * 4, "full": b""}
HEADER_SIZE = 64


def _rng_bytes(seed: int) -> Callable[[int], bytes]:
    return random.Random(seed).randbytes


def _payloads() -> list[bytes]:
    """MTProto-shaped payloads (padded intermediate must be able to strip its padding)."""
    rng = random.Random(7)
    plain = [struct.pack("<qqi", 0, 0x5E0B7A4C00000004 + 4 * i, n) + rng.randbytes(n)
             for i, n in enumerate((4, 20, 40, 100, 480))]
    encrypted = [rng.randbytes(24 + 16 * k) for k in (1, 2, 7, 30, 64)]
    return plain + encrypted


def _feed_in_chunks(data: bytes, feed: Callable[[bytes], list[object]]) -> list[object]:
    """Feed ``data[1:]`` in chunks of ``data[0] % 64 + 1`` bytes; all events, in order."""
    events: list[object] = []
    if not data:
        return events
    step = data[0] % 64 + 1
    for i in range(1, len(data), step):
        events += feed(data[i : i + step])
    return events


def _stream_seeds(encoder: FramingCodec | Obfuscated2) -> list[bytes]:
    """Frames as ``encoder`` writes them (quick acks and error codes included), with a chunk byte."""
    frames = [encoder.encode(p) for p in _payloads()]
    if encoder.supports_quick_ack:
        frames.append(encoder.encode(_payloads()[2], quick_ack=True) if encoder.side == "client"
                      else encoder.encode_quick_ack(0x80001234))
    seeds = [bytes([0x3F]) + b"".join(frames), bytes([0]) + frames[0], bytes([5]) + b"".join(frames[:3])]
    if encoder.side == "server":  # a bare transport error code, as the server sends -404
        seeds.append(bytes([3]) + frames[1] + encoder.encode(struct.pack("<i", -404)))
    return seeds


# --- plain framings, each side ---------------------------------------------------------------


def _plain_target(name: str, side: str) -> None:
    framing = FRAMINGS[name]
    other = "server" if side == "client" else "client"

    def seeds() -> Iterable[bytes]:
        return _stream_seeds(framing(other, random_bytes=_rng_bytes(1)))

    def run(data: bytes) -> list[object]:
        codec = framing(side, random_bytes=_rng_bytes(2))  # type: ignore[arg-type]
        return _feed_in_chunks(data, codec.feed)

    run.__doc__ = f"{name} framing read by the {side} (what the {other} sends)."
    register(f"transport-{name}-{side}", seeds=seeds)(run)


for _name in FRAMINGS:
    for _side in ("client", "server"):
        _plain_target(_name, _side)


def _detecting_feed() -> Callable[[bytes], list[object]]:
    """A feed function for a server connection: the detector until it decides, then its codec."""
    detector = TransportDetector(random_bytes=_rng_bytes(5))
    codec: list[object] = []

    def feed(chunk: bytes) -> list[object]:
        if codec:
            return codec[0].feed(chunk)  # type: ignore[attr-defined, no-any-return]
        detection = detector.feed(chunk)
        if detection is None:
            return []
        codec.append(detection.codec)
        return list(detection.events)

    return feed


def payloads() -> list[bytes]:
    """The payloads every transport seed carries (for the harness self-test)."""
    return _payloads()


# --- obfuscated2 ------------------------------------------------------------------------------


def keystream(header: bytes, direction: str, size: int) -> bytes:
    """The AES-CTR keystream of an obfuscated2 connection opened with ``header``.

    Client -> server: key = header[8:40], iv = header[40:56], the first 64 bytes
    of the stream encrypt the header itself.  Server -> client: the same 48
    bytes reversed, from the start.
    """
    material = header[8:56]
    skip = HEADER_SIZE
    if direction == "to_client":
        material, skip = material[::-1], 0
    encryptor = Cipher(algorithms.AES(material[:32]), modes.CTR(material[32:48])).encryptor()
    return encryptor.update(bytes(skip + size))[skip:]


def _xor(data: bytes, stream: bytes) -> bytes:
    return (int.from_bytes(data, "little") ^ int.from_bytes(stream[: len(data)], "little")).to_bytes(
        len(data), "little"
    )


def _client_codec(name: str) -> Obfuscated2:
    return Obfuscated2(FRAMINGS[name]("client", random_bytes=_rng_bytes(3)), dc_id=2, random_bytes=_rng_bytes(4))


def _obfuscated_targets(name: str) -> None:
    framing = FRAMINGS[name]

    def server_seeds() -> Iterable[bytes]:
        return _stream_seeds(framing("client", random_bytes=_rng_bytes(1)))

    def server_run(data: bytes) -> list[object]:
        header = _client_codec(name).initial_bytes()
        body = data[1:]
        stream = header + _xor(body, keystream(header, "to_server", len(body)))
        return _feed_in_chunks(data[:1] + stream, _detecting_feed())

    server_run.__doc__ = f"obfuscated2 over {name}, read by the server (detection, header, inner frames)."
    register(f"transport-obfuscated-{name}-server", seeds=server_seeds)(server_run)

    def client_seeds() -> Iterable[bytes]:
        return _stream_seeds(framing("server", random_bytes=_rng_bytes(1)))

    def client_run(data: bytes) -> list[object]:
        client = _client_codec(name)
        body = data[1:]
        plain_stream = data[:1] + _xor(body, keystream(client.initial_bytes(), "to_client", len(body)))
        return _feed_in_chunks(plain_stream, client.feed)

    client_run.__doc__ = f"obfuscated2 over {name}, read by the client (what the server sends)."
    register(f"transport-obfuscated-{name}-client", seeds=client_seeds)(client_run)


for _name in OBFUSCATABLE:
    _obfuscated_targets(_name)


# --- server-side transport detection --------------------------------------------------------------


def detect_seeds() -> Iterable[bytes]:
    for name, framing in FRAMINGS.items():
        frames = b"".join(framing("client", random_bytes=_rng_bytes(1)).encode(p) for p in _payloads()[:3])
        yield bytes([0x3F]) + OPENINGS[name] + frames
        yield bytes([0]) + OPENINGS[name] + frames[:12]
    for name in OBFUSCATABLE:
        client = _client_codec(name)
        yield bytes([0x3F]) + client.initial_bytes() + client.encode(_payloads()[1])


@register("transport-detect", seeds=detect_seeds)
def detect(data: bytes) -> list[object]:
    """Raw connection bytes into the server's TransportDetector, then its codec."""
    return _feed_in_chunks(data, _detecting_feed())
