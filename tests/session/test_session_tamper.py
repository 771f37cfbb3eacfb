"""Every check on incoming messages: a bad payload raises SessionCheckError, and the session carries on."""

from __future__ import annotations

from typing import Callable

import pytest
from session_helpers import (
    NOW,
    Pair,
    forge,
    invite_for,
    make_pair,
    seed_request,
    server_msg_id,
)

from tlruntime.crypto import message as crypto
from tlruntime.errors import MessageRejectedError, SessionCheckError
from tlruntime.session import Request, Result, wire
from tlruntime.tl import types


def _prepared() -> tuple[Pair, int, bytes]:
    """A pair whose client awaits one answer; returns the answer payload, not yet delivered."""
    pair = make_pair()
    msg_id = pair.client.send(seed_request())
    [incoming] = [e for e in pair.to_server() if isinstance(e, Request)]
    pair.server.send_result(incoming.msg_id, invite_for(incoming.obj))
    [answer] = pair.server.outgoing()
    return pair, msg_id, answer


def _assert_still_works(pair: Pair, msg_id: int, answer: bytes) -> None:
    results = [e for e in pair.client.receive(answer) if isinstance(e, Result)]
    assert [r.msg_id for r in results] == [msg_id]


def _pong(session_msg_id: int = 1) -> bytes:
    return bytes(types.Pong(msg_id=session_msg_id, ping_id=9))


def _flip(payload: bytes, index: int) -> bytes:
    data = bytearray(payload)
    data[index] ^= 0x01
    return bytes(data)


Tamper = Callable[[Pair, bytes], bytes]

CASES: dict[str, tuple[str, Tamper]] = {
    "flipped msg_key bit": ("msg_key", lambda pair, good: _flip(good, 8 + 5)),
    "flipped ciphertext bit": ("msg_key", lambda pair, good: _flip(good, 24 + 40)),
    "flipped last ciphertext bit": ("msg_key", lambda pair, good: _flip(good, len(good) - 1)),
    "other auth key": ("auth_key_id", lambda pair, good: _flip(good, 0)),
    "truncated": ("length", lambda pair, good: good[:30]),
    "unaligned": ("length", lambda pair, good: good[:-3]),
    "wrong session_id": (
        "session_id",
        lambda pair, good: forge(_pong(), session_id=pair.client.session_id + 1, msg_id=server_msg_id(NOW)),  # type: ignore[operator]
    ),
    "even server msg_id": (
        "msg_id_parity",
        lambda pair, good: forge(_pong(), session_id=pair.client.session_id, msg_id=server_msg_id(NOW) - 1),  # type: ignore[arg-type]
    ),
    "stale msg_id": (
        "msg_id_too_old",
        lambda pair, good: forge(_pong(), session_id=pair.client.session_id, msg_id=server_msg_id(NOW - 301)),  # type: ignore[arg-type]
    ),
    "far-future msg_id": (
        "msg_id_too_new",
        lambda pair, good: forge(_pong(), session_id=pair.client.session_id, msg_id=server_msg_id(NOW + 31)),  # type: ignore[arg-type]
    ),
    "padding below 12": (
        "padding",
        lambda pair, good: forge(_pong() + bytes(4), session_id=pair.client.session_id, msg_id=server_msg_id(NOW), padding=8),  # type: ignore[arg-type]
    ),
    "padding above 1024": (
        "padding",
        lambda pair, good: forge(_pong(), session_id=pair.client.session_id, msg_id=server_msg_id(NOW), padding=1036),  # type: ignore[arg-type]
    ),
    "length past the end": (
        "length",
        lambda pair, good: forge(
            _pong(), session_id=pair.client.session_id, msg_id=server_msg_id(NOW), length_field=1024  # type: ignore[arg-type]
        ),
    ),
    "length not a multiple of 4": (
        "length",
        lambda pair, good: forge(
            _pong() + bytes(4), session_id=pair.client.session_id, msg_id=server_msg_id(NOW), length_field=22, padding=8  # type: ignore[arg-type]
        ),
    ),
    "nested container": (
        "container",
        lambda pair, good: forge(
            wire.pack_container(
                [wire.InnerMessage(server_msg_id(NOW), 2, wire.pack_container([wire.InnerMessage(server_msg_id(NOW) + 4, 1, _pong())]))]
            ),
            session_id=pair.client.session_id,  # type: ignore[arg-type]
            msg_id=server_msg_id(NOW) + 8,
            seqno=2,
        ),
    ),
    "even msg_id inside a container": (
        "msg_id_parity",
        lambda pair, good: forge(
            wire.pack_container([wire.InnerMessage(server_msg_id(NOW) - 1, 1, _pong())]),
            session_id=pair.client.session_id,  # type: ignore[arg-type]
            msg_id=server_msg_id(NOW) + 8,
            seqno=2,
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_tampered_payload_is_rejected_and_session_survives(name: str) -> None:
    reason, tamper = CASES[name]
    pair, msg_id, answer = _prepared()
    bad = tamper(pair, answer)
    with pytest.raises(SessionCheckError) as info:
        pair.client.receive(bad)
    assert info.value.reason == reason
    assert isinstance(info.value, MessageRejectedError)
    assert pair.client.unanswered()  # nothing was consumed
    _assert_still_works(pair, msg_id, answer)


def test_duplicate_payload_is_rejected() -> None:
    pair, msg_id, answer = _prepared()
    _assert_still_works(pair, msg_id, answer)
    with pytest.raises(SessionCheckError) as info:
        pair.client.receive(answer)
    assert info.value.reason == "duplicate_msg_id"
    # A fresh message still goes through.
    again = pair.client.send(seed_request("after replay"))
    [incoming] = [e for e in pair.to_server() if isinstance(e, Request)]
    pair.server.send_result(incoming.msg_id, invite_for(incoming.obj))
    assert [e.msg_id for e in pair.to_client() if isinstance(e, Result)] == [again]


def test_duplicate_inside_one_container_is_rejected() -> None:
    pair, msg_id, answer = _prepared()
    inner = wire.InnerMessage(server_msg_id(NOW), 1, _pong())
    bad = forge(
        wire.pack_container([inner, inner]),
        session_id=pair.client.session_id,  # type: ignore[arg-type]
        msg_id=server_msg_id(NOW) + 8,
        seqno=2,
    )
    with pytest.raises(SessionCheckError) as info:
        pair.client.receive(bad)
    assert info.value.reason == "duplicate_msg_id"
    _assert_still_works(pair, msg_id, answer)


def test_time_window_moves_with_the_clock_offset() -> None:
    pair, msg_id, answer = _prepared()
    pair.client.time_offset = 400  # we believe the server is 400 s ahead: its "now" looks stale
    with pytest.raises(SessionCheckError) as info:
        pair.client.receive(answer)
    assert info.value.reason == "msg_id_too_old"
    pair.client.time_offset = 0
    _assert_still_works(pair, msg_id, answer)


def test_a_stale_resync_notice_for_an_unknown_message_is_still_rejected() -> None:
    pair, msg_id, answer = _prepared()
    notice = bytes(types.BadMsgNotification(bad_msg_id=12345 << 32, bad_msg_seqno=1, error_code=16))
    bad = forge(notice, session_id=pair.client.session_id, msg_id=server_msg_id(NOW + 1000), seqno=2)  # type: ignore[arg-type]
    with pytest.raises(SessionCheckError) as info:
        pair.client.receive(bad)
    assert info.value.reason == "msg_id_too_new"
    _assert_still_works(pair, msg_id, answer)


def test_server_rejects_client_payloads_sent_in_the_wrong_direction_or_replayed() -> None:
    pair = make_pair()
    pair.client.send(seed_request())
    [payload] = pair.client.outgoing()
    with pytest.raises(SessionCheckError) as info:
        pair.client.receive(payload)  # x=0 payload decrypted as x=8: msg_key mismatch
    assert info.value.reason == "msg_key"
    pair.server.receive(payload)
    with pytest.raises(SessionCheckError) as info:
        pair.server.receive(payload)
    assert info.value.reason == "duplicate_msg_id"


def test_server_keeps_its_replay_window_across_session_ids() -> None:
    pair = make_pair()
    pair.client.send(seed_request())
    [first] = pair.client.outgoing()
    pair.server.receive(first)
    pair.client.session_id = (pair.client.session_id or 0) + 1  # the client starts another session
    pair.client.send(seed_request("second session"))
    [second] = pair.client.outgoing()
    assert [e.obj.title for e in pair.server.receive(second) if isinstance(e, Request)] == ["second session"]  # type: ignore[attr-defined]
    assert pair.server.session_id == pair.client.session_id
    with pytest.raises(SessionCheckError) as info:
        pair.server.receive(first)  # switching back to the old session replays nothing
    assert info.value.reason == "duplicate_msg_id"
