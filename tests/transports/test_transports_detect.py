"""Server-side transport detection, and the sans-IO promise of the package."""

from __future__ import annotations


import pytest
from transport_helpers import ALL_NAMES, HANDSHAKE_PAYLOAD, seeded_random_bytes

from tlruntime.errors import TransportError
from tlruntime.transports import (
    Abridged,
    Frame,
    Full,
    Intermediate,
    Obfuscated2,
    PaddedIntermediate,
    TransportDetector,
    make_client_codec,
    sniff_transport,
)

EXPECTED = {
    "abridged": ("abridged", Abridged, 1),
    "intermediate": ("intermediate", Intermediate, 4),
    "padded": ("padded", PaddedIntermediate, 4),
    "full": ("full", Full, 8),
    "obfuscated-abridged": ("obfuscated2", Abridged, 64),
    "obfuscated-intermediate": ("obfuscated2", Intermediate, 64),
    "obfuscated-padded": ("obfuscated2", PaddedIntermediate, 64),
}


def _opening(name: str, seed: int = 11) -> bytes:
    client = make_client_codec(name, random_bytes=seeded_random_bytes(seed))
    return client.initial_bytes() + client.encode(HANDSHAKE_PAYLOAD) + client.encode(HANDSHAKE_PAYLOAD)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_detect_first_chunk(name: str) -> None:
    kind, inner_class, _ = EXPECTED[name]
    detection = TransportDetector().feed(_opening(name))
    assert detection is not None
    assert detection.kind == kind
    codec = detection.codec.inner if isinstance(detection.codec, Obfuscated2) else detection.codec
    assert type(codec) is inner_class and codec.side == "server"
    assert detection.events == [Frame(HANDSHAKE_PAYLOAD)] * 2


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("name", ALL_NAMES)
def test_detect_byte_at_a_time(name: str, seed: int) -> None:
    kind, _, needed = EXPECTED[name]
    wire = _opening(name, seed)
    detector = TransportDetector()
    for index in range(needed - 1):
        assert detector.feed(wire[index : index + 1]) is None, f"decided after {index + 1} bytes"
    detection = detector.feed(wire[needed - 1 : needed])
    assert detection is not None and detection.kind == kind
    events = list(detection.events)
    for index in range(needed, len(wire)):
        events.extend(detection.codec.feed(wire[index : index + 1]))
    assert events == [Frame(HANDSHAKE_PAYLOAD)] * 2
    with pytest.raises(TransportError, match="already detected"):
        detector.feed(b"\x00")


def test_full_req_pq_frame_is_detected_without_waiting_for_64_bytes() -> None:
    client = Full("client")
    frame = client.encode(HANDSHAKE_PAYLOAD)
    assert len(frame) == 52
    detection = TransportDetector().feed(frame)
    assert detection is not None and detection.kind == "full"
    assert detection.events == [Frame(HANDSHAKE_PAYLOAD)]


@pytest.mark.parametrize("opening", (b"GET / HTTP/1.1\r\n", b"POST /api", b"HEAD /", b"OPTIONS *", b"\x16\x03\x01\x02\x00"))
def test_http_and_tls_openings_are_refused(opening: bytes) -> None:
    with pytest.raises(TransportError):
        TransportDetector().feed(opening)


def test_unknown_obfuscated_tag_is_refused() -> None:
    noise = bytes(range(1, 65))  # not a plain opening, non-zero at 4..8, decrypts to no known tag
    detector = TransportDetector()
    assert detector.feed(noise[:63]) is None
    with pytest.raises(TransportError, match="protocol tag"):
        detector.feed(noise[63:])


def test_sniff_needs_more_bytes() -> None:
    assert sniff_transport(b"") is None
    assert sniff_transport(b"\xee\xee\xee") is None
    assert sniff_transport(b"\x01\x02\x03\x04\x05\x06\x07") is None
    assert sniff_transport(b"\x34\x00\x00\x00\x00\x00\x00\x00") == "full"
    assert sniff_transport(bytes(range(1, 64))) is None
    assert sniff_transport(bytes(range(1, 65))) == "obfuscated2"


def test_require_obfuscation_refuses_plain_transports() -> None:
    with pytest.raises(TransportError, match="requires obfuscated2"):
        TransportDetector(require_obfuscation=True).feed(_opening("intermediate"))
    detection = TransportDetector(require_obfuscation=True).feed(_opening("obfuscated-intermediate"))
    assert detection is not None and detection.kind == "obfuscated2"
