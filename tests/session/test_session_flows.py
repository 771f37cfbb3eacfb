"""A client Session and a server Session talking in memory: results, errors and recovery paths."""

from __future__ import annotations

import struct
from typing import Sequence, TypeVar

import pytest
from session_helpers import (
    AUTH_KEY,
    answer_invite,
    NOW,
    SERVER_SALT,
    decrypt_body,
    entries_of,
    invite_for,
    make_pair,
    seed_request,
)

from tlruntime.crypto import message as crypto
from tlruntime.errors import BadMessageError, BadRequestError, DecodeError, EncodeError, FloodWaitError
from tlruntime.session import (
    BadMessageNotified,
    DisconnectDelay,
    Event,
    NewSession,
    Request,
    RequestFailed,
    Resent,
    Result,
    RPCErrorEvent,
    SaltUpdated,
    Session,
    TimeSynced,
    UndecodableMessage,
    Update,
    MsgIdGenerator,
    default_init_connection,
    wire,
)
from tlruntime.tl import functions, types


E = TypeVar("E", bound=Event)


def only(events: Sequence[Event], kind: type[E]) -> list[E]:
    """The events of one type, in order."""
    return [event for event in events if isinstance(event, kind)]


def test_seed_request_gets_its_typed_result() -> None:
    pair = make_pair()
    request = seed_request()
    msg_id = pair.client.send(request)
    assert msg_id % 4 == 0
    server_side = pair.to_server()
    incoming = only(server_side, Request)
    assert len(incoming) == 1
    assert incoming[0].msg_id == msg_id
    assert bytes(incoming[0].obj) == bytes(request)  # every field survived
    pair.server.send_result(msg_id, invite_for(incoming[0].obj))
    events = pair.to_client()
    results = only(events, Result)
    assert len(results) == 1
    assert results[0].msg_id == msg_id and results[0].request is request
    value = results[0].value
    assert isinstance(value, types.ChatInviteExported)
    assert bytes(value) == bytes(invite_for(request))
    assert value.title == "team" and value.usage_limit == 10 and value.subscription_pricing.amount == 150
    assert pair.client.unanswered() == []


def test_first_message_creates_the_session_once() -> None:
    pair = make_pair()
    pair.client.send(seed_request())
    events = pair.round_trip()
    new = only(events, NewSession)
    assert len(new) == 1 and new[0].server_salt == SERVER_SALT
    assert pair.server.session_id == pair.client.session_id
    pair.client.send(seed_request("again"))
    events = pair.round_trip()
    assert not only(events, NewSession)
    assert len(only(events, Result)) == 1


def test_many_requests_travel_in_one_container_and_all_get_answers() -> None:
    pair = make_pair()
    requests = [seed_request(f"t{i}") for i in range(12)]
    ids = [pair.client.send(request) for request in requests]
    payloads = pair.client.outgoing()
    assert len(payloads) == 1
    plain = decrypt_body(payloads[0], crypto.CLIENT_TO_SERVER)
    assert wire.constructor_of(plain.body) == wire.MSG_CONTAINER
    entries = wire.parse_container(plain.body, plain.msg_id)
    assert [entry.msg_id for entry in entries] == ids
    assert [entry.seqno for entry in entries] == [2 * i + 1 for i in range(12)]
    assert plain.msg_id > ids[-1] and plain.seqno % 2 == 0
    incoming = only(pair.server.receive(payloads[0]), Request)
    assert [event.msg_id for event in incoming] == ids
    for event in incoming:
        pair.server.send_result(event.msg_id, invite_for(event.obj))
    results = only(pair.to_client(), Result)
    assert {r.msg_id: r.value.title for r in results} == {i: f"t{n}" for n, i in enumerate(ids)}


def test_large_request_and_large_result_are_gzipped_both_ways() -> None:
    pair = make_pair()
    title = "compressible title " * 60
    request = seed_request(title)
    msg_id = pair.client.send(request)
    [payload] = pair.client.outgoing()
    sent = decrypt_body(payload, crypto.CLIENT_TO_SERVER)
    assert wire.constructor_of(sent.body) == wire.GZIP_PACKED
    assert len(sent.body) < len(bytes(request))
    [incoming] = only(pair.server.receive(payload), Request)
    assert incoming.obj.title == title
    pair.server.send_result(msg_id, invite_for(incoming.obj))
    [answer] = pair.server.outgoing()
    entries = entries_of(decrypt_body(answer, crypto.SERVER_TO_CLIENT))
    rpc = [e for e in entries if wire.constructor_of(e.body) == wire.RPC_RESULT]
    assert wire.constructor_of(wire.split_rpc_result(rpc[0].body)[1]) == wire.GZIP_PACKED
    [result] = only(pair.client.receive(answer), Result)
    assert result.value.title == title


def _acked_ids(payload: bytes) -> set[int]:
    """The msg_ids every ``msgs_ack`` in a client payload acknowledges."""
    entries = entries_of(decrypt_body(payload, crypto.CLIENT_TO_SERVER))
    acked: set[int] = set()
    for entry in entries:
        if wire.constructor_of(entry.body) == types.MsgsAck.CONSTRUCTOR_ID:
            acked.update(types.MsgsAck.from_bytes(entry.body).msg_ids)
    return acked


def test_client_acks_wait_for_a_batch_then_ride_with_a_request_or_go_alone_when_flushed() -> None:
    pair = make_pair()
    pair.client.send(seed_request())
    for event in only(pair.to_server(), Request):
        answer_invite(pair.server, event)
    server_payloads = pair.server.outgoing()
    answered = {
        entry.msg_id
        for payload in server_payloads
        for entry in entries_of(decrypt_body(payload, crypto.SERVER_TO_CLIENT))
        if entry.seqno & 1
    }
    for payload in server_payloads:
        pair.client.receive(payload)
    assert pair.client.pending_bytes() is None  # one pending ack is not worth a packet
    # A lone pending ack does not turn the next request into a container...
    pair.client.send(seed_request("next"))
    [payload] = pair.client.outgoing()
    assert wire.constructor_of(decrypt_body(payload, crypto.CLIENT_TO_SERVER).body) != wire.MSG_CONTAINER
    pair.server.receive(payload)
    assert pair.server.unacknowledged_answers() == 1
    # ...but a flush sends what is pending, and the server marks the answers acknowledged.
    pair.client.flush_acks()
    [ack_payload] = pair.client.outgoing()
    assert _acked_ids(ack_payload) == answered
    pair.server.receive(ack_payload)
    assert pair.server.unacknowledged_answers() == 0
    # Once ACK_BATCH acks gather they ride with the next request, in one container.
    for _ in range(20):
        pair.server.send_update(types.UpdatesTooLong())
    updates = only(pair.to_client(), Update)
    assert len(updates) == 20 and isinstance(updates[0].obj, types.UpdatesTooLong)
    pair.client.send(seed_request("third"))
    [payload] = pair.client.outgoing()
    assert {u.msg_id for u in updates} <= _acked_ids(payload)
    # Without a request to ride on, many acks justify a packet of their own.
    for _ in range(20):
        pair.server.send_update(types.UpdatesTooLong())
    updates = only(pair.to_client(), Update)
    ack_payload = pair.client.pending_bytes()
    assert ack_payload is not None
    plain = decrypt_body(ack_payload, crypto.CLIENT_TO_SERVER)
    assert wire.constructor_of(plain.body) == types.MsgsAck.CONSTRUCTOR_ID
    assert {u.msg_id for u in updates} <= _acked_ids(ack_payload)
    # flush_acks sends even a single pending ack.
    pair.server.send_update(types.UpdatesTooLong())
    pair.to_client()
    assert pair.client.pending_bytes() is None
    pair.client.flush_acks()
    assert pair.client.pending_bytes() is not None


def test_server_does_not_ack_requests_it_answers() -> None:
    pair = make_pair()
    pair.client.send(seed_request())
    pair.round_trip()
    assert not pair.server.has_outgoing()  # the rpc_result acknowledged the request: no msgs_ack left


def test_bad_server_salt_resends_with_new_salt_and_new_msg_id() -> None:
    pair = make_pair(client_salt=0)
    request = seed_request()
    msg_id = pair.client.send(request)
    server_side = pair.to_server()
    assert only(server_side, BadMessageNotified) == [BadMessageNotified(msg_id, 48)]
    assert not only(server_side, Request)
    client_side = pair.to_client()
    assert SaltUpdated(SERVER_SALT) in client_side
    assert pair.client.server_salt == SERVER_SALT
    [resent] = only(client_side, Resent)
    assert resent.msg_ids == (msg_id,)
    [incoming] = only(pair.to_server(), Request)
    assert incoming.msg_id != msg_id and incoming.msg_id > msg_id
    pair.server.send_result(incoming.msg_id, invite_for(incoming.obj))
    [result] = only(pair.to_client(), Result)
    assert result.msg_id == msg_id and result.request is request


@pytest.mark.parametrize(("skew", "code"), [(-1000.0, 16), (+1000.0, 17)])
def test_skewed_client_clock_is_corrected_by_bad_msg_notification(skew: float, code: int) -> None:
    pair = make_pair(skew=skew)
    request = seed_request()
    msg_id = pair.client.send(request)
    assert only(pair.to_server(), BadMessageNotified) == [BadMessageNotified(msg_id, code)]
    client_side = pair.to_client()
    [synced] = only(client_side, TimeSynced)
    assert synced.time_offset == pytest.approx(-skew, abs=1)
    assert pair.client.time_offset == synced.time_offset
    assert only(client_side, Resent)[0].msg_ids == (msg_id,)
    [incoming] = only(pair.to_server(), Request)
    assert abs((incoming.msg_id >> 32) - NOW) <= 1
    pair.server.send_result(incoming.msg_id, invite_for(incoming.obj))
    [result] = only(pair.to_client(), Result)
    assert result.msg_id == msg_id and result.value.title == "team"


def test_seqno_too_low_is_repaired() -> None:
    pair = make_pair()
    pair.client.send(seed_request())
    pair.round_trip()
    # A restarted client process (a second later) resumes the session id but lost its seq_no counter.
    pair.client_clock.advance(1)
    pair.server_clock.advance(1)
    pair.client = Session(
        AUTH_KEY, side="client", session_id=pair.client.session_id, server_salt=SERVER_SALT, clock=pair.client_clock
    )
    msg_id = pair.client.send(seed_request("second"))
    assert only(pair.to_server(), BadMessageNotified) == [BadMessageNotified(msg_id, 32)]
    assert only(pair.to_client(), Resent)[0].msg_ids == (msg_id,)
    [incoming] = only(pair.to_server(), Request)
    pair.server.send_result(incoming.msg_id, invite_for(incoming.obj))
    [result] = only(pair.to_client(), Result)
    assert result.msg_id == msg_id


def test_seqno_too_high_is_resent_under_a_new_id() -> None:
    pair = make_pair()
    msg_id = pair.client.send(seed_request())
    [incoming] = only(pair.to_server(), Request)
    pair.server.send_bad_msg_notification(incoming.msg_id, 1, 33)
    assert only(pair.to_client(), Resent)[0].msg_ids == (msg_id,)
    [again] = only(pair.to_server(), Request)
    assert again.msg_id > incoming.msg_id
    pair.server.send_result(again.msg_id, invite_for(again.obj))
    assert only(pair.to_client(), Result)[0].msg_id == msg_id


def test_unrecoverable_bad_msg_notification_fails_the_request() -> None:
    pair = make_pair()
    msg_id = pair.client.send(seed_request())
    [incoming] = only(pair.to_server(), Request)
    pair.server.send_bad_msg_notification(incoming.msg_id, 1, 64)
    [failed] = only(pair.to_client(), RequestFailed)
    assert failed.msg_id == msg_id
    assert isinstance(failed.error, BadMessageError) and failed.error.code == 64
    assert pair.client.unanswered() == []


def test_rpc_error_is_typed_flood_wait_carries_seconds() -> None:
    pair = make_pair()
    request = seed_request()
    msg_id = pair.client.send(request)
    [incoming] = only(pair.to_server(), Request)
    pair.server.send_error(incoming.msg_id, 420, "FLOOD_WAIT_42")
    [event] = only(pair.to_client(), RPCErrorEvent)
    assert event.msg_id == msg_id and event.request is request
    assert isinstance(event.error, FloodWaitError)
    assert event.error.seconds == 42 and event.error.code == 420
    other = pair.client.send(seed_request())
    [incoming] = only(pair.to_server(), Request)
    pair.server.send_error(incoming.msg_id, 400, "CHAT_ADMIN_REQUIRED")
    [event] = only(pair.to_client(), RPCErrorEvent)
    # A known name gets its generated class, under the 400 base class (tlruntime.tl.errors).
    assert event.msg_id == other and isinstance(event.error, BadRequestError)
    assert type(event.error).__name__ == "ChatAdminRequiredError"
    assert event.error.message == "CHAT_ADMIN_REQUIRED"


def test_ping_pong() -> None:
    pair = make_pair()
    msg_id = pair.client.ping(777)
    assert not only(pair.to_server(), Request)  # the server session answers pings itself
    [result] = only(pair.to_client(), Result)
    assert result.msg_id == msg_id
    assert isinstance(result.request, functions.Ping)
    assert isinstance(result.value, types.Pong)
    assert result.value.ping_id == 777 and result.value.msg_id == msg_id


def test_ping_delay_disconnect_is_answered_and_reported() -> None:
    pair = make_pair()
    msg_id = pair.client.send(functions.PingDelayDisconnect(ping_id=5, disconnect_delay=75))
    [delay] = only(pair.to_server(), DisconnectDelay)
    assert delay.seconds == 75
    [result] = only(pair.to_client(), Result)
    assert result.msg_id == msg_id and result.value.ping_id == 5


def test_init_connection_needs_a_layer_number() -> None:
    # A layer generated from a schema without "// LAYER N" has LAYER = None: the wrapper must be told.
    with pytest.raises(EncodeError, match="pass layer=N"):
        default_init_connection(layer=None)
    assert default_init_connection(layer=228) is not None


def test_init_connection_wraps_the_first_request_of_each_connection() -> None:
    pair = make_pair(init_connection=default_init_connection(api_id=12345, device_model="test rig"))
    first = pair.client.send(seed_request("one"))
    second = pair.client.send(seed_request("two"))
    incoming = only(pair.to_server(), Request)
    assert [event.msg_id for event in incoming] == [first, second]
    wrappers = incoming[0].wrappers
    assert [type(w).__name__ for w in wrappers] == ["InvokeWithLayer", "InitConnection"]
    assert wrappers[0].layer == 229 and wrappers[1].api_id == 12345
    assert wrappers[1].device_model == "test rig"
    assert isinstance(incoming[0].obj, functions.messages.ExportChatInvite)
    assert incoming[1].wrappers == ()
    # Unanswered requests survive a reconnect, under the msg_ids they were first sent with.
    assert [r.title for r in pair.client.unanswered()] == ["one", "two"]  # type: ignore[attr-defined]
    resent = pair.client.new_connection()
    assert resent == [first, second]
    fresh_server = Session(pair.server.auth_key, side="server", server_salt=SERVER_SALT, clock=pair.server_clock)
    pair.server = fresh_server
    incoming = only(pair.to_server(), Request)
    assert [len(event.wrappers) for event in incoming] == [2, 0]
    assert [event.msg_id for event in incoming] == [first, second]
    # The next new request is the first of the new connection: wrapped again.
    third = pair.client.send(seed_request("three"))
    [wrapped] = only(pair.to_server(), Request)
    assert wrapped.msg_id == third and len(wrapped.wrappers) == 2
    pair.server.send_result(third, invite_for(wrapped.obj))
    for event in incoming:
        pair.server.send_result(event.msg_id, invite_for(event.obj))
    results = only(pair.to_client(), Result)
    assert sorted(r.msg_id for r in results) == [first, second, third]
    assert only(pair.client_events, NewSession)  # the fresh server announced a new session


def test_new_session_created_resends_requests_older_than_first_msg_id() -> None:
    pair = make_pair()
    lost = pair.client.send(seed_request("lost"))
    pair.client.outgoing()  # the packet never arrives
    kept = pair.client.send(seed_request("kept"))
    [incoming] = only(pair.to_server(), Request)
    assert incoming.msg_id == kept
    client_side = pair.to_client()
    assert only(client_side, NewSession)[0].first_msg_id == kept
    assert only(client_side, Resent)[0].msg_ids == (lost,)
    for event in only(pair.to_server(), Request):
        pair.server.send_result(event.msg_id, invite_for(event.obj))
    pair.server.send_result(kept, invite_for(incoming.obj))
    assert sorted(r.msg_id for r in only(pair.to_client(), Result)) == sorted([lost, kept])


def test_state_request_and_resend_request_are_answered() -> None:
    pair = make_pair()
    msg_id = pair.client.send(seed_request())
    [incoming] = only(pair.to_server(), Request)
    # The server asks which of its ids the client holds; the client reports per id.
    answer_id = pair.server.send_result(incoming.msg_id, invite_for(incoming.obj))
    pair.to_client()
    pair.server.send_message(types.MsgsStateReq(msg_ids=[answer_id, answer_id + 4 * 2**32]))
    pair.to_client()
    [payload] = pair.client.outgoing()
    entries = entries_of(decrypt_body(payload, crypto.CLIENT_TO_SERVER))
    [info] = [e for e in entries if wire.constructor_of(e.body) == types.MsgsStateInfo.CONSTRUCTOR_ID]
    assert types.MsgsStateInfo.from_bytes(info.body).info.encode() == bytes([4, 3])
    assert info.seqno % 2 == 0
    pair.server.receive(payload)
    # A lost answer can be asked for again.
    pair.client.send(seed_request("resend me"))
    [incoming] = only(pair.to_server(), Request)
    pair.server.send_result(incoming.msg_id, invite_for(incoming.obj))
    pair.server.outgoing()  # lost on the way
    assert pair.server.answer_of(incoming.msg_id) is not None
    pair.client.send_message(types.MsgResendAnsReq(msg_ids=[incoming.msg_id]))
    assert only(pair.to_server(), Request) == []  # answered from memory, not run again
    results = only(pair.to_client(), Result)
    assert [r.value.title for r in results] == ["resend me"]


def test_msg_resend_req_makes_the_peer_send_again_under_the_same_id() -> None:
    pair = make_pair()
    msg_id = pair.client.send(seed_request())
    [incoming] = only(pair.to_server(), Request)
    pair.server.send_message(types.MsgResendReq(msg_ids=[incoming.msg_id]))
    assert only(pair.to_client(), Resent) == []  # nothing re-numbered
    [payload] = pair.client.outgoing()
    plain = decrypt_body(payload, crypto.CLIENT_TO_SERVER)
    assert wire.constructor_of(plain.body) == wire.MSG_CONTAINER  # a new outer id around the old message
    assert msg_id in [entry.msg_id for entry in entries_of(plain)]
    # The server knows the request is running: it is not handed to the driver twice.
    assert only(pair.server.receive(payload), Request) == []
    pair.server.send_result(msg_id, invite_for(incoming.obj))
    assert [r.msg_id for r in only(pair.to_client(), Result)] == [msg_id]


def test_detailed_info_about_an_unseen_answer_asks_for_it() -> None:
    pair = make_pair()
    pair.client.send(seed_request())
    pair.round_trip()
    missing = (int(NOW) << 32) | 0x101
    pair.server.send_message(types.MsgNewDetailedInfo(answer_msg_id=missing, bytes=0, status=0), content_related=False)
    pair.to_client()
    [payload] = pair.client.outgoing()
    entries = entries_of(decrypt_body(payload, crypto.CLIENT_TO_SERVER))
    [resend] = [e for e in entries if wire.constructor_of(e.body) == types.MsgResendReq.CONSTRUCTOR_ID]
    assert types.MsgResendReq.from_bytes(resend.body).msg_ids == [missing]


class _MisnumberedIds(MsgIdGenerator):
    """A broken client numbering: ids congruent to 2 mod 4."""

    def next(self, response: bool = False) -> int:
        return super().next(response=response) | 2


def test_server_refuses_a_client_msg_id_not_divisible_by_4() -> None:
    pair = make_pair()
    pair.client = Session(
        AUTH_KEY, side="client", server_salt=SERVER_SALT, clock=pair.client_clock,
        msg_ids=_MisnumberedIds(pair.client_clock, side="client"),
    )
    msg_id = pair.client.send(seed_request())
    assert msg_id % 4 == 2
    assert only(pair.to_server(), BadMessageNotified) == [BadMessageNotified(msg_id, 18)]
    [failed] = only(pair.to_client(), RequestFailed)
    assert failed.msg_id == msg_id
    assert isinstance(failed.error, BadMessageError) and failed.error.code == 18


def test_get_future_salts_is_answered_by_the_server_session() -> None:
    pair = make_pair()
    msg_id = pair.client.send(functions.GetFutureSalts(num=3))
    assert not only(pair.to_server(), Request)
    [result] = only(pair.to_client(), Result)
    assert result.msg_id == msg_id
    assert isinstance(result.value, types.FutureSalts)
    assert [salt.salt for salt in result.value.salts] == [SERVER_SALT]


def test_rpc_drop_answer_reports_running_or_unknown() -> None:
    pair = make_pair()
    pair.client.send(seed_request())
    [incoming] = only(pair.to_server(), Request)
    running = pair.client.send(functions.RpcDropAnswer(req_msg_id=incoming.msg_id))
    unknown = pair.client.send(functions.RpcDropAnswer(req_msg_id=12345 << 32))
    pair.to_server()
    results = {r.msg_id: r.value for r in only(pair.to_client(), Result)}
    assert isinstance(results[running], types.RpcAnswerDroppedRunning)
    assert isinstance(results[unknown], types.RpcAnswerUnknown)


def test_unreadable_bodies_become_events_and_are_still_acknowledged() -> None:
    pair = make_pair()
    msg_id = pair.client.send(seed_request())
    [incoming] = only(pair.to_server(), Request)
    unknown_update = struct.pack("<Iq", 0x0BADF00D, 1)
    update_id = pair.server.send_update(unknown_update)
    pair.server.send_result(incoming.msg_id, bytes(types.Pong(msg_id=1, ping_id=2)))  # not an ExportedChatInvite
    events = pair.to_client()
    [undecodable] = only(events, UndecodableMessage)
    assert undecodable.msg_id == update_id and undecodable.error.constructor_id == 0x0BADF00D  # type: ignore[attr-defined]
    [failed] = only(events, RequestFailed)
    assert failed.msg_id == msg_id and isinstance(failed.error, DecodeError)
    pair.client.flush_acks()
    [payload] = pair.client.outgoing()
    acked = _acked_ids(payload)
    assert update_id in acked
