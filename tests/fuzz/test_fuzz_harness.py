"""The harnesses reach the code they claim to: seeds decode to frames, the handshake seed completes."""

from __future__ import annotations

import pytest

from fuzz import auth_targets, transport_targets
from fuzz.targets import TARGETS
from tlruntime.auth.server import AuthKeyCreated
from tlruntime.transports import Frame

TRANSPORTS = sorted(n for n in TARGETS if n.startswith("transport-"))


@pytest.mark.parametrize("name", TRANSPORTS)
def test_a_transport_seed_decodes_to_its_payloads(name: str) -> None:
    # For obfuscated2 this checks the harness's keystream: a wrong one would give no frame at all.
    seed = next(iter(TARGETS[name].seeds()))
    events = TARGETS[name].run(seed)
    frames = [e.payload for e in events if isinstance(e, Frame)]
    expected = transport_targets.payloads()
    assert len(frames) >= 3 and all(f in expected for f in frames)


def test_the_handshake_seed_is_a_full_handshake() -> None:
    server = auth_targets._server()
    outcomes = [server.receive(p) for p in auth_targets._split(next(iter(auth_targets.handshake_seeds())))]
    assert isinstance(outcomes[-1], AuthKeyCreated)


def test_the_step_seeds_pass_every_check() -> None:
    # The first seed of each step target is the honest client's data: it must be accepted.
    auth_targets.dh_inner(next(iter(auth_targets.dh_inner_seeds())))
    auth_targets.client_dh(next(iter(auth_targets.client_dh_seeds())))


def test_the_session_seeds_reach_the_client_s_handlers() -> None:
    # The harness encrypts with the right key and header: the real server answers come out as events.
    from fuzz import session_targets
    from tlruntime.session import NewSession, Result

    kinds = [type(e) for seed in session_targets.session_seeds() for e in session_targets.session_client_receive(seed)]
    assert kinds.count(Result) >= 6 and NewSession in kinds


def test_the_endpoint_handshake_seeds_create_a_key_on_every_transport() -> None:
    from fuzz import endpoint_targets

    for transport in endpoint_targets.TRANSPORTS:
        endpoint = endpoint_targets.new_endpoint()
        connection = endpoint.connect(("127.0.0.1", 1))
        connection.receive(endpoint_targets.handshake_stream(transport))
        assert endpoint.handshakes == 2, transport  # the harness's key, then the handshake's


def test_the_endpoint_message_seeds_deliver_requests() -> None:
    from fuzz import endpoint_targets
    from tlruntime.endpoint import Deliver

    delivered = [a.request.obj for seed in endpoint_targets.endpoint_seeds()
                 for a in endpoint_targets.server_endpoint(seed) if isinstance(a, Deliver)]
    names = {type(obj).__name__ for obj in delivered}
    assert {"GetConfig", "ExportChatInvite"} <= names, names
