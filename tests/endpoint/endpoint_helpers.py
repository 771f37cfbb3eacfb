"""Drive a :class:`ServerEndpoint` without sockets: a client made of the sans-IO parts, wired by hand."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field

from tlruntime.auth import AuthKeyResult, ClientHandshake
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.endpoint import Action, Close, Deliver, EndpointConnection, Send, ServerEndpoint, ServerLimits
from tlruntime.session import ClientSession
from tlruntime.transports import Frame, make_client_codec

__all__ = ["FakeClock", "Wire", "new_endpoint", "handshake", "seeded"]


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def seeded(seed: int):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    return lambda n: rng.randbytes(n)


@dataclass
class Wire:
    """One client connection to the endpoint: a client codec on one side, an EndpointConnection on the other."""

    endpoint: ServerEndpoint
    transport: str = "intermediate"
    connection: EndpointConnection = field(init=False)
    closed: str | None = None
    delivered: list[Deliver] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.codec = make_client_codec(self.transport, dc_id=2 if self.transport.startswith("obfuscated") else None)
        self.connection = self.endpoint.connect(("127.0.0.1", random.randrange(1024, 65535)))
        self._opening = self.codec.initial_bytes()
        self.inbox: list[bytes] = []

    def send_raw(self, data: bytes) -> list[Action]:
        actions = self.connection.receive(data)
        self._take(actions)
        return actions

    def send(self, *payloads: bytes) -> list[Action]:
        data = b"".join(self.codec.encode(p) for p in payloads)
        data, self._opening = self._opening + data, b""
        return self.send_raw(data)

    def _take(self, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, Send) and action.connection is self.connection:
                for event in self.codec.feed(action.data):
                    if isinstance(event, Frame):
                        self.inbox.append(event.payload)
            elif isinstance(action, Send):
                owner = action.connection.owner
                if owner is not None:
                    owner._take([action])
            elif isinstance(action, Close):
                wire = action.connection.owner
                if wire is not None:
                    wire.closed = action.reason
            elif isinstance(action, Deliver):
                self.delivered.append(action)

    def take_inbox(self) -> list[bytes]:
        inbox, self.inbox = self.inbox, []
        return inbox


def new_endpoint(key: RSAPrivateKey, clock: FakeClock | None = None, **limits: object) -> ServerEndpoint:
    return ServerEndpoint(
        [key], limits=ServerLimits(**limits), clock=clock or FakeClock(), random_bytes=seeded(7)  # type: ignore[arg-type]
    )


def handshake(wire: Wire, key: RSAPrivateKey, clock: FakeClock) -> AuthKeyResult:
    wire.connection.owner = wire
    client = ClientHandshake([key.public_key], dc_id=2, random_bytes=os.urandom, clock=clock)
    wire.send(client.start())
    while True:
        [answer] = wire.take_inbox()
        outcome = client.receive(answer)
        if isinstance(outcome, AuthKeyResult):
            return outcome
        wire.send(outcome)


def client_session(result: AuthKeyResult, clock: FakeClock, **options: object) -> ClientSession:
    return ClientSession(
        result.auth_key, server_salt=result.server_salt, time_offset=result.time_offset, clock=clock, **options  # type: ignore[arg-type]
    )
