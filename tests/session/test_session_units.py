"""Msg ids, the replay window, the outbox numbering and the wire framing, each on its own."""

from __future__ import annotations

import random
import struct
import zlib

import pytest

from tlruntime.binary import pack_bytes
from tlruntime.errors import DecodeError, LengthError, SessionCheckError, TruncatedError
from tlruntime.session import MsgIdGenerator, msg_id_time, wire
from tlruntime.session.outbox import ACK_BATCH, Outbox
from tlruntime.session.replay import SeenMsgIds
from tlruntime.tl import types
from tlruntime.tlobject import MAX_GZIP_SIZE


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# --- MsgIdGenerator ----------------------------------------------------------------


def test_client_ids_are_time_based_divisible_by_4_and_strictly_increasing() -> None:
    clock = Clock(1_700_000_000.25)
    ids = MsgIdGenerator(clock, side="client")
    first = ids.next()
    assert first % 4 == 0
    assert first >> 32 == 1_700_000_000
    assert abs(msg_id_time(first) - 1_700_000_000.25) < 1e-6
    # A clock that does not move (or moves back) still yields increasing ids.
    same = [ids.next() for _ in range(100)]
    assert all(b > a for a, b in zip([first] + same, same))
    assert all(i % 4 == 0 for i in same)
    clock.now -= 5
    assert ids.next() > same[-1]


def test_server_ids_use_suffix_1_for_responses_and_3_otherwise() -> None:
    ids = MsgIdGenerator(Clock(1_700_000_000.0), side="server")
    values = [ids.next(response=r) for r in (True, False, True, True, False)]
    assert [v % 4 for v in values] == [1, 3, 1, 1, 3]
    assert values == sorted(set(values))


def test_time_offset_corrects_ids_and_resync_reads_server_msg_id() -> None:
    clock = Clock(1_700_000_000.0)
    ids = MsgIdGenerator(clock, side="client", time_offset=-100)
    assert ids.next() >> 32 == 1_700_000_000 - 100
    server_id = (1_700_000_500 << 32) | 1
    assert ids.resync(server_id) == 500
    assert ids.time_offset == 500
    assert ids.next() >> 32 == 1_700_000_500
    # After a correction that moves time backwards, ids follow the corrected clock.
    ids.time_offset = 0
    assert ids.next() >> 32 == 1_700_000_000


def test_msg_id_generator_rejects_unknown_side() -> None:
    with pytest.raises(ValueError):
        MsgIdGenerator(Clock(0.0), side="peer")  # type: ignore[arg-type]


# --- SeenMsgIds ----------------------------------------------------------------------


def test_replay_window_refuses_repeats_and_ids_below_a_full_window() -> None:
    seen = SeenMsgIds(capacity=4)
    seen.add_all([10, 20, 30])
    assert seen.replay_reason(20) is not None
    assert seen.replay_reason(5) is None  # not full yet: an older id may still be new
    seen.add_all([40, 50])
    assert len(seen) == 4 and seen.lowest == 20 and seen.highest == 50
    assert 10 not in seen
    assert "older" in (seen.replay_reason(15) or "")
    assert seen.replay_reason(45) is None
    seen.clear()
    assert len(seen) == 0


# --- Outbox numbering ------------------------------------------------------------------


def test_seqno_content_related_odd_service_even() -> None:
    outbox = Outbox(MsgIdGenerator(Clock(1_700_000_000.0), side="client"))
    seqnos = [outbox.next_seqno(c) for c in (True, False, True, True, False)]
    assert seqnos == [1, 2, 3, 5, 6]
    outbox.skip_seqno_past(41)
    assert outbox.next_seqno(True) == 43


def test_acks_go_alone_only_when_many_or_flushed() -> None:
    outbox = Outbox(MsgIdGenerator(Clock(1_700_000_000.0), side="client"))
    outbox.ack_all(range(4, 4 * ACK_BATCH, 4))
    assert outbox.take_batch() is None
    outbox.flush_requested = True
    batch = outbox.take_batch()
    assert batch is not None and batch.container_id is None
    assert types.MsgsAck.from_bytes(batch.messages[0].body).msg_ids == list(range(4, 4 * ACK_BATCH, 4))
    assert batch.messages[0].seqno % 2 == 0
    outbox.ack_all(range(ACK_BATCH))
    assert outbox.take_batch() is not None


def test_batch_with_acks_becomes_container_with_highest_id() -> None:
    outbox = Outbox(MsgIdGenerator(Clock(1_700_000_000.0), side="client"))
    first = outbox.enqueue(b"\x01\x00\x00\x00", content_related=True, request=object())
    outbox.ack(7)
    batch = outbox.take_batch()
    assert batch is not None and batch.container_id is not None
    assert [m.msg_id for m in batch.messages][0] == first.msg_id
    assert batch.container_id > max(m.msg_id for m in batch.messages)
    assert batch.container_seqno % 2 == 0
    assert outbox.take_sent(batch.container_id)[0] is first


# --- wire ------------------------------------------------------------------------------


def _plain(length: int, body: bytes, padding: int) -> bytes:
    return struct.pack("<qqqiI", 1, 2, 3, 4, length) + body + bytes(padding)


def test_parse_plaintext_checks_length_and_padding() -> None:
    message = wire.parse_plaintext(_plain(4, b"abcd", 12))
    assert (message.salt, message.session_id, message.msg_id, message.seqno, message.body) == (
        1, 2, 3, 4, b"abcd",
    )
    cases = {
        "length": [_plain(6, b"abcdef", 12), _plain(400, b"abcd", 12), b"\x00" * 40],
        "padding": [_plain(4, b"abcd", 8), _plain(4, b"abcd", 1028)],
    }
    for reason, plaintexts in cases.items():
        for plaintext in plaintexts:
            with pytest.raises(SessionCheckError) as info:
                wire.parse_plaintext(plaintext)
            assert info.value.reason == reason


def test_container_round_trip_and_framing_errors() -> None:
    entries = [wire.InnerMessage(4 * i + 1, 2 * i + 1, struct.pack("<I", i) * (i + 1)) for i in range(5)]
    packed = wire.pack_container(entries)
    assert wire.parse_container(packed, 99) == entries
    bad = {
        "truncated entry": packed[:-4],
        "trailing bytes": packed + b"\x00" * 4,
        "absurd count": struct.pack("<II", wire.MSG_CONTAINER, 100000) + packed[8:],
        "nested": wire.pack_container([wire.InnerMessage(1, 1, packed)]),
        "unaligned": struct.pack("<IIqiI", wire.MSG_CONTAINER, 1, 1, 1, 3) + b"abc\x00",
    }
    for name, body in bad.items():
        with pytest.raises(SessionCheckError) as info:
            wire.parse_container(body, 99)
        assert info.value.reason == "container", name
        assert info.value.msg_id == 99


def test_gzip_only_when_large_and_smaller_and_bounded_on_the_way_in() -> None:
    small = b"\x01\x02\x03\x04" * 10
    assert wire.gzip_if_smaller(small) == small
    noise = random.Random(3).randbytes(2048)
    assert wire.gzip_if_smaller(noise) == noise  # incompressible: left as is
    big = b"abcd" * 1000
    packed = wire.gzip_if_smaller(big)
    assert wire.constructor_of(packed) == wire.GZIP_PACKED and len(packed) < len(big)
    assert wire.gunzip_packed(packed) == big
    bomb = wire.gzip_if_smaller(bytes(MAX_GZIP_SIZE + 4))  # inflates past the layer's limit
    with pytest.raises(LengthError):
        wire.gunzip_packed(bomb)
    with pytest.raises(DecodeError):
        wire.gunzip_packed(struct.pack("<I", wire.GZIP_PACKED) + pack_bytes(b"not gzip at all!"))
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    cut = (compressor.compress(big) + compressor.flush())[:-12]
    with pytest.raises(DecodeError, match="incomplete"):
        wire.gunzip_packed(struct.pack("<I", wire.GZIP_PACKED) + pack_bytes(cut))
    with pytest.raises(TruncatedError):
        wire.gunzip_packed(struct.pack("<I", wire.GZIP_PACKED))


