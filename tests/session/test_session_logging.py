"""Logging: every message sent and received at DEBUG; nothing built when DEBUG is off."""

from __future__ import annotations

import logging

import pytest

from session_helpers import make_pair
from tlruntime.session import wire


def test_debug_names_every_message_both_ways(caplog: pytest.LogCaptureFixture) -> None:
    pair = make_pair()
    with caplog.at_level(logging.DEBUG, logger="tlruntime.session"):
        msg_id = pair.client.ping(7)
        pair.to_server()
        pair.to_client()
        pair.client.flush_acks()
        pair.to_server()
    lines = [record.getMessage() for record in caplog.records]
    assert any(line.startswith(f"sent msg_id={msg_id} seq_no=1 ping") for line in lines)
    assert any(line.startswith(f"received msg_id={msg_id} seq_no=1 ping") for line in lines)
    assert any("pong" in line and "in container" in line for line in lines)
    assert any(line.startswith("received") and "msgs_ack" in line and "acks=[" in line for line in lines)
    assert any("new session" in line for line in lines)  # INFO, on the server engine


def test_nothing_is_formatted_when_debug_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(body: bytes) -> str:
        raise AssertionError("a DEBUG line was built while DEBUG is off")

    monkeypatch.setattr(wire, "name_of", forbidden)
    logging.getLogger("tlruntime.session").setLevel(logging.INFO)
    try:
        pair = make_pair()
        pair.client.ping(1)
        pair.to_server()
        pair.to_client()
    finally:
        logging.getLogger("tlruntime.session").setLevel(logging.NOTSET)
