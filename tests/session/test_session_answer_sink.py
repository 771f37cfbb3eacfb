"""``on_answer``: results and failures go straight to the driver's callable instead of events.

The asyncio client resolves one future per answer this way; the sink must
see exactly what the events would have carried, under the ids ``send``
returned, and the events must then carry none of it.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import TypeVar

from tlruntime.crypto import message as crypto
from tlruntime.errors import RPCError, TLError, TrailingBytesError
from tlruntime.session import Event, Request, RequestFailed, Result, UndecodableMessage
from tlruntime.tl import functions, types

from session_helpers import NOW, forge, invite_for, make_pair, seed_request, server_msg_id

Answer = tuple[int, object, "TLError | None"]
E = TypeVar("E", bound=Event)


def only(events: Sequence[Event], kind: type[E]) -> list[E]:
    return [event for event in events if isinstance(event, kind)]


def _answers_only(events: list[Event]) -> list[Event]:
    return [event for event in events if isinstance(event, (Result, RequestFailed))]


def test_results_errors_and_pongs_reach_the_sink_not_the_events() -> None:
    answers: list[Answer] = []
    pair = make_pair(on_answer=lambda msg_id, value, error: answers.append((msg_id, value, error)))
    good_id = pair.client.send(seed_request("good"))
    bad_id = pair.client.send(seed_request("bad"))
    ping_id = pair.client.ping(77)
    requests = only(pair.to_server(), Request)
    assert len(requests) == 2  # the ping is answered by the server session itself
    first = requests[0].obj
    assert isinstance(first, functions.messages.ExportChatInvite)
    pair.server.send_result(requests[0].msg_id, invite_for(first))
    pair.server.send_error(requests[1].msg_id, 420, "FLOOD_WAIT_3")
    events = pair.to_client()

    assert _answers_only(events) == []
    by_id = {msg_id: (value, error) for msg_id, value, error in answers}
    assert set(by_id) == {good_id, bad_id, ping_id} and len(answers) == 3
    invite, no_error = by_id[good_id]
    assert isinstance(invite, types.ChatInviteExported) and invite.title == "good" and no_error is None
    no_value, error = by_id[bad_id]
    assert no_value is None and isinstance(error, RPCError) and error.code == 420
    pong, no_error = by_id[ping_id]
    assert isinstance(pong, types.Pong) and pong.ping_id == 77 and no_error is None


def test_without_a_sink_the_same_answers_are_events() -> None:
    pair = make_pair()
    msg_id = pair.client.send(seed_request("good"))
    [request] = only(pair.to_server(), Request)
    assert isinstance(request.obj, functions.messages.ExportChatInvite)
    pair.server.send_result(request.msg_id, invite_for(request.obj))
    [result] = only(pair.to_client(), Result)
    assert result.msg_id == msg_id and isinstance(result.value, types.ChatInviteExported)


def test_an_oversized_pong_is_undecodable_and_reaches_no_one() -> None:
    # The pong shortcut reads 20-byte bodies with the field reader; any other
    # size takes the checked path, which names the trailing bytes.
    answers: list[Answer] = []
    pair = make_pair(on_answer=lambda msg_id, value, error: answers.append((msg_id, value, error)))
    ping_msg_id = pair.client.ping(5)
    pair.client.outgoing()
    body = struct.pack("<Iqq", types.Pong.CONSTRUCTOR_ID, ping_msg_id, 5) + b"\0" * 4
    payload = forge(body, session_id=pair.client.session_id or 0, msg_id=server_msg_id(NOW), x=crypto.SERVER_TO_CLIENT)
    [undecodable] = only(pair.client.receive(payload), UndecodableMessage)
    assert isinstance(undecodable.error, TrailingBytesError)
    assert answers == []
