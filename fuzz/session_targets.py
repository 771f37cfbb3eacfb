"""The client session's receive path (``session-client-receive``), fed what a hostile server could send.

Each input runs against a fresh :class:`~tlruntime.session.ClientSession` with a
fixed auth key, clock and randomness that has one request
(``messages.exportChatInvite``) and one ``ping`` in flight, so an
``rpc_result`` or ``pong`` has a caller.  The first byte picks how the rest
reaches ``ClientSession.receive``:

- ``0 mod 3``: the bytes *are* the encrypted payload (length, auth_key_id and
  msg_key checks);
- ``1 mod 3``: ``data[1]`` is the seqno and ``data[2:]`` the message body
  (a message or a container); the harness adds a correct server -> client
  header (salt, session_id, a msg_id inside the time window), padding, and
  encrypts with the session's key, so mutations reach the inner parsing;
- ``2 mod 3``: ``data[1:]`` is the whole plaintext (header included, zero-padded
  to whole AES blocks), encrypted the same way: the header checks are fuzzed.

Seeds are real server answers, made by a :class:`~tlruntime.session.ServerSession`
answering that client (rpc_result, containers with new_session_created and
msgs_ack, pong, bad_server_salt, bad_msg_notification, gzip_packed results),
plus service messages built with the generated layer.
"""

from __future__ import annotations

import functools
import gzip
import random
import struct
from typing import Callable, Iterable

from tlruntime.crypto import ige
from tlruntime.crypto import message as crypto
from tlruntime.session import ClientSession, Request, ServerSession, wire
from tlruntime.tl import functions, types

from .registry import register

NOW = 1_800_000_000.0
SALT = 0x1122334455667788
AUTH_KEY = random.Random(31).randbytes(256)
PING_ID = 0x5EED
# The harness's own outer msg_id: one second after the seeds' server ids, so their container entries precede it.
HARNESS_MSG_ID = (int((NOW + 1) * 2**32) & ~3) | 1

MODE_RAW, MODE_BODY, MODE_PLAINTEXT = 0, 1, 2


def _rng(seed: int) -> Callable[[int], bytes]:
    return random.Random(seed).randbytes


def invite_request(title: str = "team") -> functions.messages.ExportChatInvite:
    return functions.messages.ExportChatInvite(
        legacy_revoke_permanent=True,
        request_needed=True,
        peer=types.InputPeerChannel(channel_id=1234567890, access_hash=-987654321012345),
        expire_date=1_800_086_400,
        usage_limit=10,
        title=title,
        subscription_pricing=types.StarsSubscriptionPricing(period=2592000, amount=150),
    )


def invite_for(request: functions.messages.ExportChatInvite) -> types.ChatInviteExported:
    return types.ChatInviteExported(
        revoked=False, permanent=False, request_needed=request.request_needed,
        link=f"https://t.me/+{request.title[:32]}", admin_id=42, date=int(NOW),
        expire_date=request.expire_date, usage_limit=request.usage_limit, usage=0,
        title=request.title, subscription_pricing=request.subscription_pricing,
    )


def new_client(*, salt: int = SALT, title: str = "team") -> tuple[ClientSession, list[bytes]]:
    """The client every input meets: one request and one ping sent (their payloads returned)."""
    client = ClientSession(AUTH_KEY, server_salt=salt, clock=lambda: NOW, random_bytes=_rng(1))
    client.send(invite_request(title))
    client.ping(PING_ID)
    return client, client.outgoing()


def encrypt_to_client(plaintext: bytes) -> bytes:
    """Encrypt a (block-aligned) plaintext server -> client with the fuzz key: msg_key is always right."""
    return encrypt(AUTH_KEY, plaintext, crypto.SERVER_TO_CLIENT)


def encrypt(auth_key: bytes, plaintext: bytes, x: int) -> bytes:
    """MTProto 2.0 encryption of a block-aligned plaintext, whatever flaws its header or padding have."""
    key_of_message = crypto.msg_key(auth_key, plaintext, x)
    key, iv = crypto.aes_key_iv(auth_key, key_of_message, x)
    return crypto.auth_key_id(auth_key) + key_of_message + ige.aes_ige_encrypt(plaintext, key, iv)


def _aligned(plaintext: bytes) -> bytes:
    return plaintext + bytes(-len(plaintext) % 16)


def wrap_body(client: ClientSession, seqno: int, body: bytes) -> bytes:
    """A correct header + ``body`` (zero-extended to whole words) + 12..27 bytes of padding."""
    body += bytes(-len(body) % 4)
    plaintext = wire.pack_plaintext(SALT, client.session_id or 0, HARNESS_MSG_ID, seqno, body)
    return plaintext + bytes(12 + (-(len(plaintext) + 12)) % 16)


@functools.cache
def _server_answers() -> tuple[bytes, ...]:
    """Plaintexts a real ServerSession sends this client: every flow the harness client can start."""
    plaintexts: list[bytes] = []

    def exchange(client_salt: int, title: str, answer: Callable[[ServerSession, Request], None]) -> None:
        _, payloads = new_client(salt=client_salt, title=title)
        server = ServerSession(AUTH_KEY, server_salt=SALT, clock=lambda: NOW, random_bytes=_rng(2))
        for payload in payloads:
            for event in server.receive(payload):
                if isinstance(event, Request):
                    answer(server, event)
        for payload in server.outgoing():
            plaintexts.append(crypto.decrypt_message(AUTH_KEY, payload, crypto.SERVER_TO_CLIENT))

    def result(server: ServerSession, event: Request) -> None:
        server.send_result(event.msg_id, invite_for(event.obj))  # type: ignore[arg-type]

    def error(server: ServerSession, event: Request) -> None:
        server.send_error(event.msg_id, 420, "FLOOD_WAIT_7")
        server.send_bad_msg_notification(event.msg_id, 1, 35)

    exchange(SALT, "team", result)                 # new_session_created, rpc_result, pong, acks
    exchange(SALT, "g" * 3000, result)             # a result big enough to go gzip_packed
    exchange(SALT ^ 1, "team", result)             # wrong salt: bad_server_salt
    exchange(SALT, "team", error)                  # rpc_error, bad_msg_notification
    return tuple(plaintexts)


def _request_ids() -> list[int]:
    """The msg_ids of the harness client's request and ping (as the server saw them)."""
    _, payloads = new_client()
    plain = wire.parse_plaintext(crypto.decrypt_message(AUTH_KEY, payloads[0], crypto.CLIENT_TO_SERVER))
    if wire.constructor_of(plain.body) == wire.MSG_CONTAINER:
        return [m.msg_id for m in wire.parse_container(plain.body, plain.msg_id)]
    return [plain.msg_id]


def _service_bodies() -> list[bytes]:
    """Bodies built with the generated layer, naming the requests in flight."""
    ids = _request_ids()
    first = ids[0]
    invite = invite_for(invite_request())
    return [
        wire.pack_rpc_result(first, bytes(invite)),
        wire.pack_rpc_result(first, bytes(types.RpcError(error_code=400, error_message="PEER_ID_INVALID"))),
        wire.pack_rpc_result(first, bytes(types.GzipPacked(packed_data=gzip.compress(bytes(invite))))),
        bytes(types.Pong(msg_id=ids[-1], ping_id=PING_ID)),
        bytes(types.MsgsAck(msg_ids=ids)),
        bytes(types.NewSessionCreated(first_msg_id=first, unique_id=77, server_salt=SALT + 1)),
        bytes(types.BadServerSalt(bad_msg_id=first, bad_msg_seqno=1, error_code=48, new_server_salt=SALT + 2)),
        bytes(types.BadMsgNotification(bad_msg_id=first, bad_msg_seqno=1, error_code=16)),
        bytes(types.FutureSalts(req_msg_id=first, now=int(NOW), salts=[
            types.FutureSalt(valid_since=int(NOW), valid_until=int(NOW) + 3600, salt=SALT + 3)])),
        bytes(types.MsgDetailedInfo(msg_id=first, answer_msg_id=HARNESS_MSG_ID - 8, bytes=64, status=0)),
        bytes(types.MsgsStateReq(msg_ids=ids)),
        bytes(types.MsgResendReq(msg_ids=ids)),
        wire.pack_container([(HARNESS_MSG_ID - 4 * (i + 1), 2 * i + 1, body) for i, body in enumerate((
            wire.pack_rpc_result(first, bytes(invite)),
            bytes(types.Pong(msg_id=ids[-1], ping_id=PING_ID)),
        ))]),
    ]


def session_seeds() -> Iterable[bytes]:
    for plaintext in _server_answers():
        yield bytes([MODE_PLAINTEXT]) + plaintext
        plain = wire.parse_plaintext(plaintext)
        if wire.constructor_of(plain.body) != wire.MSG_CONTAINER:
            yield bytes([MODE_BODY, plain.seqno]) + plain.body
    for body in _service_bodies():
        yield bytes([MODE_BODY, 1]) + body
    client, _ = new_client()
    yield bytes([MODE_RAW]) + encrypt_to_client(wrap_body(client, 1, _service_bodies()[3]))


def session_input(client: ClientSession, data: bytes) -> bytes:
    """The encrypted payload the input stands for (see the module doc)."""
    mode = data[0] % 3 if data else MODE_RAW
    if mode == MODE_RAW:
        return data[1:]
    if mode == MODE_BODY:
        seqno = data[1] if len(data) > 1 else 0
        return encrypt_to_client(wrap_body(client, seqno, data[2:]))
    return encrypt_to_client(_aligned(data[1:]))


@register("session-client-receive", seeds=session_seeds)
def session_client_receive(data: bytes) -> list[object]:
    """What a server sends into ClientSession.receive (plaintext body, full plaintext, or raw payload)."""
    client, _ = new_client()
    events = client.receive(session_input(client, data))
    client.outgoing()  # whatever the input queued (acks, re-sends, state answers) must encode too
    return events
