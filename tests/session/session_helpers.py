"""A client and a server Session wired in memory, with a fake clock and seeded randomness."""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass, field
from typing import Callable

from tlruntime.crypto import ige
from tlruntime.crypto import message as crypto
from tlruntime.session import AnswerSink, Event, Request, Session
from tlruntime.session import wire
from tlruntime.tl import functions, types

NOW = 1_750_000_000.0
SERVER_SALT = 0x1122334455667788
AUTH_KEY = random.Random(7).randbytes(256)


class FakeClock:
    """Local time a test moves by hand."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def seeded_random(seed: int) -> Callable[[int], bytes]:
    rng = random.Random(seed)
    return rng.randbytes


@dataclass
class Pair:
    client: Session
    server: Session
    client_clock: FakeClock
    server_clock: FakeClock
    client_events: list[Event] = field(default_factory=list)
    server_events: list[Event] = field(default_factory=list)
    #: Payloads the last ``to_server``/``to_client`` delivered (for inspection).
    wire_log: list[bytes] = field(default_factory=list)

    def to_server(self) -> list[Event]:
        events: list[Event] = []
        for payload in self.client.outgoing():
            self.wire_log.append(payload)
            events.extend(self.server.receive(payload))
        self.server_events.extend(events)
        return events

    def to_client(self) -> list[Event]:
        events: list[Event] = []
        for payload in self.server.outgoing():
            self.wire_log.append(payload)
            events.extend(self.client.receive(payload))
        self.client_events.extend(events)
        return events

    def round_trip(self, answer: Callable[[Session, Request], None] | None = None) -> list[Event]:
        """Client -> server, let ``answer`` (default: :func:`answer_invite`) answer requests, -> client."""
        answer = answer or answer_invite
        for event in self.to_server():
            if isinstance(event, Request):
                answer(self.server, event)
        return self.to_client()


def make_pair(
    *,
    client_salt: int = SERVER_SALT,
    skew: float = 0.0,
    init_connection: Callable[[object], object] | None = None,
    on_answer: AnswerSink | None = None,
    answer_memory: int = 16384,
) -> Pair:
    """A client whose clock runs ``skew`` seconds off the server's (answers to ``on_answer`` if given)."""
    server_clock = FakeClock()
    client_clock = FakeClock(NOW + skew)
    client = Session(
        AUTH_KEY,
        side="client",
        server_salt=client_salt,
        clock=client_clock,
        random_bytes=seeded_random(1),
        init_connection=init_connection,
        on_answer=on_answer,
        on_session_reset="resend",
    )
    server = Session(
        AUTH_KEY, side="server", server_salt=SERVER_SALT, clock=server_clock, random_bytes=seeded_random(2),
        answer_memory=answer_memory,
    )
    return Pair(client, server, client_clock, server_clock)


def seed_request(title: str = "team") -> functions.messages.ExportChatInvite:
    """The golden request with every field set."""
    return functions.messages.ExportChatInvite(
        legacy_revoke_permanent=True,
        request_needed=True,
        peer=types.InputPeerChannel(channel_id=1234567890, access_hash=-987654321012345),
        expire_date=1_750_086_400,
        usage_limit=10,
        title=title,
        subscription_pricing=types.StarsSubscriptionPricing(period=2592000, amount=150),
    )


def invite_for(request: functions.messages.ExportChatInvite) -> types.ChatInviteExported:
    """The answer the test server gives: it echoes the request's fields back."""
    return types.ChatInviteExported(
        revoked=False,
        permanent=False,
        request_needed=request.request_needed,
        link=f"https://t.me/+{request.title}",
        admin_id=42,
        date=int(NOW),
        expire_date=request.expire_date,
        usage_limit=request.usage_limit,
        usage=0,
        title=request.title,
        subscription_pricing=request.subscription_pricing,
    )


def answer_invite(server: Session, event: Request) -> None:
    obj = event.obj
    if isinstance(obj, functions.messages.ExportChatInvite):
        server.send_result(event.msg_id, invite_for(obj))
    else:
        server.send_error(event.msg_id, 400, "METHOD_UNKNOWN_IN_TEST")


# --- forging authentic but malformed server messages -----------------------------


def forge(
    body: bytes,
    *,
    session_id: int,
    msg_id: int,
    seqno: int = 1,
    salt: int = SERVER_SALT,
    padding: int | None = None,
    length_field: int | None = None,
    x: int = crypto.SERVER_TO_CLIENT,
) -> bytes:
    """Encrypt a hand-built plaintext with the real key (so msg_key is valid), whatever its flaws."""
    length = len(body) if length_field is None else length_field
    plaintext = struct.pack("<qqqiI", salt, session_id, msg_id, seqno, length) + body
    if padding is None:
        padding = 12 + (-(len(plaintext) + 12)) % 16
    plaintext += bytes(padding)
    if len(plaintext) % 16:
        raise ValueError(f"forged plaintext of {len(plaintext)} bytes is not block-aligned")
    key_of_message = crypto.msg_key(AUTH_KEY, plaintext, x)
    key, iv = crypto.aes_key_iv(AUTH_KEY, key_of_message, x)
    return crypto.auth_key_id(AUTH_KEY) + key_of_message + ige.aes_ige_encrypt(plaintext, key, iv)


def server_msg_id(at: float, suffix: int = 1) -> int:
    return (int(at * 2**32) & ~3) | suffix


def decrypt_body(payload: bytes, x: int) -> wire.PlainMessage:
    """What a payload carries (tests look inside to see containers and gzip)."""
    return wire.parse_plaintext(crypto.decrypt_message(AUTH_KEY, payload, x))


def entries_of(plain: wire.PlainMessage) -> list[wire.InnerMessage]:
    """The messages a payload carries: a container's entries, or the message itself."""
    if wire.constructor_of(plain.body) == wire.MSG_CONTAINER:
        return wire.parse_container(plain.body, plain.msg_id)
    return [wire.InnerMessage(plain.msg_id, plain.seqno, plain.body)]
