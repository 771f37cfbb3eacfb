"""The sans-IO server endpoint, driven by hand: transport detection, handshake, keys, routing, exactly-once."""

from __future__ import annotations

import pytest

from endpoint_helpers import FakeClock, Wire, client_session, handshake, new_endpoint
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.endpoint import Close, Deliver
from tlruntime.errors import SessionResetError, TransportCodeError
from tlruntime.session import Result
from tlruntime.tl import functions, types

_BOOL_TRUE = b"\xb5\x75\x72\x99"


def _connected(server_key: RSAPrivateKey, transport: str = "intermediate"):  # type: ignore[no-untyped-def]
    clock = FakeClock()
    endpoint = new_endpoint(server_key, clock)
    wire = Wire(endpoint, transport)
    result = handshake(wire, server_key, clock)
    return clock, endpoint, wire, result


def _answer_all(wire: Wire, endpoint, calls: dict[int, int]) -> None:  # type: ignore[no-untyped-def]
    """The application: answers each delivered request, counting executions per msg_id."""
    for action in wire.delivered:
        calls[action.request.msg_id] = calls.get(action.request.msg_id, 0) + 1
        endpoint.answer(action.session, action.request.msg_id, _BOOL_TRUE)
    wire.delivered.clear()
    wire._take(endpoint.flush())


@pytest.mark.parametrize("transport", ["abridged", "intermediate", "padded", "full", "obfuscated-intermediate"])
def test_handshake_then_ping_over_every_transport(server_key: RSAPrivateKey, transport: str) -> None:
    clock, endpoint, wire, result = _connected(server_key, transport)
    assert endpoint.handshakes == 1 and wire.connection.kind != "undetected"
    session = client_session(result, clock)
    session.ping(42)
    wire.send(*session.outgoing())
    events = [event for payload in wire.take_inbox() for event in session.receive(payload)]
    [pong] = [event for event in events if isinstance(event, Result)]
    assert pong.value.ping_id == 42  # type: ignore[attr-defined]
    assert endpoint.session_count() == 1


def test_unknown_auth_key_gets_404_and_a_close(server_key: RSAPrivateKey) -> None:
    endpoint = new_endpoint(server_key)
    wire = Wire(endpoint)
    wire.connection.owner = wire
    with pytest.raises(TransportCodeError) as caught:  # what the client codec makes of the answer
        wire.send(b"\x01" * 8 + bytes(16) + bytes(32))
    assert caught.value.code == -404
    assert wire.connection.closed and not endpoint.connections


def test_a_frame_failing_decryption_closes_its_connection(server_key: RSAPrivateKey) -> None:
    clock, endpoint, wire, result = _connected(server_key)
    session = client_session(result, clock)
    session.ping(1)
    [payload] = session.outgoing()
    tampered = payload[:-1] + bytes([payload[-1] ^ 1])
    actions = wire.send(tampered)
    [close] = [action for action in actions if isinstance(action, Close)]
    assert "msg_key" in close.reason and wire.connection.closed


def test_a_request_resent_under_its_msg_id_is_answered_from_memory(server_key: RSAPrivateKey) -> None:
    """The exactly-once core: same msg_id on a new connection -> remembered answer, no second run."""
    clock, endpoint, wire, result = _connected(server_key)
    session = client_session(result, clock)
    msg_id = session.send(functions.account.UpdateStatus(offline=False))
    wire.send(*session.outgoing())
    calls: dict[int, int] = {}
    _answer_all(wire, endpoint, calls)
    wire.take_inbox()  # the answer is lost with the connection
    wire.connection.lost()
    again = Wire(endpoint)
    again.connection.owner = again
    assert session.new_connection() == [msg_id]
    again.send(*session.outgoing())
    _answer_all(again, endpoint, calls)
    results = [event for payload in again.take_inbox() for event in session.receive(payload) if isinstance(event, Result)]
    assert [r.msg_id for r in results] == [msg_id] and results[0].value is True
    assert calls == {msg_id: 1}


def test_unacknowledged_answers_go_out_again_on_the_next_connection(server_key: RSAPrivateKey) -> None:
    clock, endpoint, wire, result = _connected(server_key)
    session = client_session(result, clock)
    session.send(functions.account.UpdateStatus(offline=False))
    wire.send(*session.outgoing())
    _answer_all(wire, endpoint, {})
    lost = wire.take_inbox()
    assert lost
    wire.connection.lost()
    again = Wire(endpoint)
    again.connection.owner = again
    session.send_message(types.MsgsAck(msg_ids=[]), content_related=False)  # any message moves the session
    again.send(*session.outgoing())
    assert again.take_inbox(), "the unacknowledged answer was not sent again"


def test_a_new_session_after_a_server_restart_raises_for_calls_that_may_have_run(server_key: RSAPrivateKey) -> None:
    clock, endpoint, wire, result = _connected(server_key)
    answers: dict[int, object] = {}
    session = client_session(result, clock, on_answer=lambda mid, value, err: answers.__setitem__(mid, err or value),
                             on_session_reset="raise")
    msg_id = session.send(functions.account.UpdateStatus(offline=False))
    wire.send(*session.outgoing())
    # The server "restarts" knowing the key but no session.
    restarted = new_endpoint(server_key, clock)
    restarted.add_auth_key(result.auth_key, result.server_salt)
    again = Wire(restarted)
    again.connection.owner = again
    session.new_connection()
    again.send(*session.outgoing())
    for payload in again.take_inbox():
        session.receive(payload)
    assert isinstance(answers[msg_id], SessionResetError) and answers[msg_id].maybe_executed  # type: ignore[attr-defined]


def test_delivered_requests_carry_their_session(server_key: RSAPrivateKey) -> None:
    clock, endpoint, wire, result = _connected(server_key)
    session = client_session(result, clock)
    msg_id = session.send(functions.account.UpdateStatus(offline=False))
    wire.send(*session.outgoing())
    [deliver] = wire.delivered
    assert isinstance(deliver, Deliver) and deliver.request.msg_id == msg_id
    assert deliver.session.session_id == session.session_id
