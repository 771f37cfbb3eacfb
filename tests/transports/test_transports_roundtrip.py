"""Every transport, both directions: sizes, feeding patterns, quick acks."""

from __future__ import annotations

import random

import pytest
from transport_helpers import (
    ALL_NAMES,
    MIB,
    QUICK_ACK_NAMES,
    connect,
    feed_in_chunks,
    payload_for,
)

from tlruntime.transports import Frame, QuickAck

SIZES = (4, 8, 252, 508, 512, MIB)
SMALL_SIZES = tuple(size for size in SIZES if size <= 512)
DIRECTIONS = ("client->server", "server->client")


def _ends(name: str, direction: str):  # type: ignore[no-untyped-def]
    client, server = connect(name)
    return (client, server) if direction == "client->server" else (server, client)


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", ALL_NAMES)
def test_whole_frame_roundtrip(name: str, size: int, direction: str) -> None:
    sender, receiver = _ends(name, direction)
    payload = payload_for(name, size, seed=size)
    assert receiver.feed(sender.encode(payload)) == [Frame(payload)]


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("size", SMALL_SIZES)
@pytest.mark.parametrize("name", ALL_NAMES)
def test_byte_at_a_time(name: str, size: int, direction: str) -> None:
    sender, receiver = _ends(name, direction)
    payload = payload_for(name, size, seed=size)
    wire = sender.encode(payload)
    events = []
    for index in range(len(wire)):
        got = receiver.feed(wire[index : index + 1])
        if index < len(wire) - 1:
            assert got == [], f"event emitted after {index + 1} of {len(wire)} bytes"
        events.extend(got)
    assert events == [Frame(payload)]


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("name", ALL_NAMES)
def test_one_mib_in_odd_chunks(name: str, direction: str) -> None:
    sender, receiver = _ends(name, direction)
    payload = payload_for(name, MIB, seed=7)
    assert feed_in_chunks(receiver, sender.encode(payload), 4093) == [Frame(payload)]


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("name", ALL_NAMES)
def test_many_frames_in_one_chunk_and_in_random_splits(name: str, direction: str) -> None:
    sender, receiver = _ends(name, direction)
    rng = random.Random(5)
    payloads = [payload_for(name, rng.choice((4, 8, 64, 252, 504, 508, 512, 2048)), seed=i) for i in range(60)]
    wire = b"".join(sender.encode(p) for p in payloads[:30])
    assert receiver.feed(wire) == [Frame(p) for p in payloads[:30]]

    wire = b"".join(sender.encode(p) for p in payloads[30:])
    cuts = sorted(rng.sample(range(1, len(wire)), 40))
    events = []
    for start, end in zip([0, *cuts], [*cuts, len(wire)]):
        events.extend(receiver.feed(wire[start:end]))
    assert events == [Frame(p) for p in payloads[30:]]


def test_memoryview_and_bytearray_input_accepted() -> None:
    client, server = connect("intermediate")
    payload = payload_for("intermediate", 64)
    wire = client.encode(memoryview(payload))
    assert server.feed(bytearray(wire[:10])) == []
    assert server.feed(memoryview(wire)[10:]) == [Frame(payload)]


@pytest.mark.parametrize("size", (8, 252, 508, 512, 4096))
@pytest.mark.parametrize("name", QUICK_ACK_NAMES)
def test_quick_ack_request_reaches_server(name: str, size: int) -> None:
    client, server = connect(name)
    payload = payload_for(name, size, seed=size)
    wire = client.encode(payload, quick_ack=True) + client.encode(payload)
    assert server.feed(wire) == [Frame(payload, quick_ack_requested=True), Frame(payload)]


@pytest.mark.parametrize("name", QUICK_ACK_NAMES)
def test_quick_ack_replies_reach_client_between_frames(name: str) -> None:
    client, server = connect(name)
    payload = payload_for(name, 508, seed=3)
    tokens = (0x1234_5678, 0xFFFF_FFFF, 0x8000_0000, 0)
    wire = b"".join(server.encode_quick_ack(token) + server.encode(payload) for token in tokens)
    expected = []
    for token in tokens:
        expected += [QuickAck(token | 0x8000_0000), Frame(payload)]
    assert client.feed(wire) == expected
    # and one byte at a time, where a quick ack must not be mistaken for a length
    client, server = connect(name)
    wire = server.encode_quick_ack(0x0102_0304) + server.encode(payload)
    assert feed_in_chunks(client, wire, 1) == [QuickAck(0x8102_0304), Frame(payload)]


def test_abridged_quick_ack_wire_bytes() -> None:
    client, server = connect("abridged")
    assert server.encode_quick_ack(0x0102_0304) == bytes.fromhex("81020304")  # big-endian, top bit set
    assert client.encode(bytes(8), quick_ack=True) == b"\x82" + bytes(8)
    assert client.encode(bytes(508), quick_ack=True)[:4] == b"\xff\x7f\x00\x00"


def test_intermediate_quick_ack_wire_bytes() -> None:
    client, server = connect("intermediate")
    assert server.encode_quick_ack(0x0102_0304) == bytes.fromhex("04030281")  # little-endian, top bit set
    assert client.encode(bytes(8), quick_ack=True)[:4] == bytes.fromhex("08000080")


@pytest.mark.parametrize("name", ("abridged", "intermediate", "full"))
def test_initial_bytes(name: str) -> None:
    client, server = connect(name)
    assert client.initial_bytes() == {"abridged": b"\xef", "intermediate": b"\xee" * 4, "full": b""}[name]
    assert server.initial_bytes() == b""
