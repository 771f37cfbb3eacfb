"""The shortcuts the RPC hot path takes behave exactly like the general code they bypass.

Each test drives the shortcut and checks the result against the generated
layer or the slow path: the pong packed by one struct, malformed pings still
reported as undecodable, the bulk-trimmed answer memory, the in-order replay
window, ids refused inside a container, and ``receive_decrypted``.
"""

from __future__ import annotations

import struct

import pytest

from tlruntime.crypto import message as crypto
from tlruntime.errors import SessionCheckError, TrailingBytesError, TruncatedError
from tlruntime.session import BadMessageNotified, Result, UndecodableMessage, session as session_module
from tlruntime.session import wire
from tlruntime.session.replay import SeenMsgIds
from tlruntime.tl import functions, types

from session_helpers import NOW, SERVER_SALT, decrypt_body, entries_of, forge, make_pair


def _client_msg_id(at: float) -> int:
    return int(at * 2**32) & ~3


def _server_answers(pair_payloads: list[bytes]) -> list[wire.InnerMessage]:
    entries: list[wire.InnerMessage] = []
    for payload in pair_payloads:
        entries.extend(entries_of(decrypt_body(payload, crypto.SERVER_TO_CLIENT)))
    return entries


def test_pong_bytes_match_the_generated_class() -> None:
    pair = make_pair()
    ping_msg_id = pair.client.ping(-1234567890123)
    pair.to_server()
    answers = [e for e in _server_answers(pair.server.outgoing()) if wire.constructor_of(e.body) == types.Pong.CONSTRUCTOR_ID]
    assert [a.body for a in answers] == [bytes(types.Pong(msg_id=ping_msg_id, ping_id=-1234567890123))]


def test_pings_in_one_container_get_their_own_pongs_and_results() -> None:
    pair = make_pair()
    ids = {pair.client.ping(n): n for n in range(50)}
    pair.to_server()
    events = pair.to_client()
    results = {e.msg_id: e.value for e in events if isinstance(e, Result)}
    assert set(results) == set(ids)
    for msg_id, value in results.items():
        assert isinstance(value, types.Pong)
        assert (value.msg_id, value.ping_id) == (msg_id, ids[msg_id])


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (struct.pack("<I", functions.Ping.CONSTRUCTOR_ID) + b"\x00" * 4, TruncatedError),
        (struct.pack("<Iqi", functions.Ping.CONSTRUCTOR_ID, 5, 0), TrailingBytesError),
    ],
)
def test_a_malformed_ping_is_undecodable_not_answered(body: bytes, error: type[Exception]) -> None:
    pair = make_pair()
    pair.client.ping(1)
    pair.to_server()  # opens the session
    pair.server.outgoing()
    msg_id = _client_msg_id(NOW + 1)
    payload = forge(
        body, session_id=pair.client.session_id or 0, msg_id=msg_id, seqno=5, x=crypto.CLIENT_TO_SERVER
    )
    events = pair.server.receive(payload)
    bad = [e for e in events if isinstance(e, UndecodableMessage)]
    assert len(bad) == 1 and bad[0].msg_id == msg_id and isinstance(bad[0].error, error)
    answers = _server_answers(pair.server.outgoing())
    assert all(wire.constructor_of(a.body) != types.Pong.CONSTRUCTOR_ID for a in answers)


def test_answer_memory_is_bounded_and_keeps_the_newest() -> None:
    pair = make_pair(answer_memory=8)
    ids = [pair.client.ping(n) for n in range(40)]
    pair.to_server()
    remembered = [msg_id for msg_id in ids if pair.server.answer_of(msg_id) is not None]
    assert 8 <= len(remembered) <= 16
    assert remembered == ids[-len(remembered):]


def test_replay_window_appends_in_order_and_inserts_out_of_order() -> None:
    seen = SeenMsgIds(capacity=5)
    seen.add_all([40, 10, 30])
    seen.add_all([50, 60])
    seen.add_all([20])  # below the highest: inserted, then the oldest falls out
    assert [m in seen for m in (10, 20, 30, 40, 50, 60)] == [False, True, True, True, True, True]
    assert seen.lowest == 20 and seen.highest == 60


def test_a_replayed_payload_is_refused_after_the_fast_path_accepted_it() -> None:
    pair = make_pair()
    pair.client.ping(1)
    (payload,) = pair.client.outgoing()
    pair.server.receive(payload)
    with pytest.raises(SessionCheckError) as caught:
        pair.server.receive(payload)
    assert caught.value.reason == "duplicate_msg_id"


def test_one_bad_id_in_a_container_is_refused_alone() -> None:
    pair = make_pair()
    pair.client.ping(1)
    pair.to_server()
    pair.server.outgoing()
    session_id = pair.client.session_id or 0
    good = _client_msg_id(NOW + 1)
    odd = good + 4 + 2  # not divisible by 4: code 18
    old = _client_msg_id(NOW - 400)  # outside the time window: code 16
    ping = bytes(functions.Ping(ping_id=9))
    body = wire.pack_container(
        [wire.InnerMessage(good, 5, ping), wire.InnerMessage(odd, 7, ping), wire.InnerMessage(old, 9, ping)]
    )
    payload = forge(body, session_id=session_id, msg_id=good + 8, seqno=10, x=crypto.CLIENT_TO_SERVER)
    events = pair.server.receive(payload)
    refused = {(e.msg_id, e.error_code) for e in events if isinstance(e, BadMessageNotified)}
    assert refused == {(odd, 18), (old, 16)}
    pongs = [a for a in _server_answers(pair.server.outgoing()) if wire.constructor_of(a.body) == types.Pong.CONSTRUCTOR_ID]
    assert [types.Pong.from_bytes(p.body).msg_id for p in pongs] == [good]


def test_receive_decrypted_equals_receive() -> None:
    first, second = make_pair(), make_pair()
    for pair in (first, second):
        pair.client.ping(7)
    (payload,) = first.client.outgoing()
    (same,) = second.client.outgoing()
    assert payload == same  # seeded randomness and fake clocks: the two pairs are identical
    plaintext = crypto.MessageCipher(first.server.auth_key).decrypt(crypto.CLIENT_TO_SERVER, payload)
    assert first.server.receive(payload) == second.server.receive_decrypted(plaintext)
    assert first.server.outgoing() == second.server.outgoing()
    assert first.server.session_id == second.server.session_id
    assert SERVER_SALT == first.server.server_salt


def test_acks_alone_are_not_queued_messages() -> None:
    pair = make_pair()
    for n in range(20):
        pair.client.ping(n)
    pair.to_server()
    pair.to_client()
    assert pair.client.has_outgoing()  # 20 pongs to acknowledge: due with the next packet
    assert not pair.client.has_queued()  # but nothing that needs a packet of its own
    pair.client.ping(99)
    assert pair.client.has_queued()
