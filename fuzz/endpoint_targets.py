"""The sans-IO server endpoint (``server-endpoint``): bytes from a new connection in, actions out.

Each input meets a fresh :class:`~tlruntime.endpoint.ServerEndpoint` with a fixed
RSA key, clock and randomness (so a recorded client handshake replays against
it), that already knows one auth key.  The first byte picks the mode:

- even: ``data[1:]`` is the raw connection stream (transport opening, frames,
  handshake messages, encrypted payloads), fed in chunks of ``data[1] % 64 + 1``
  bytes like the transport targets;
- odd: ``data[1]`` is the seqno and ``data[2:]`` the body of a client message
  (a request, a container, msgs_ack...); the harness adds a correct
  client -> server header for the known key, encrypts it, frames it with the
  intermediate transport and sends it, so the session checks and the request
  unwrapping (invokeWithLayer, initConnection, containers, gzip) are fuzzed.
  With ``data[0] & 2`` the body is the whole plaintext (header included).

Every ``Deliver`` is answered (an error for the odd ids, a result otherwise) and the
endpoint polled, so the answer path runs too.  Seeds: a real handshake's
client bytes for each transport, and encrypted requests made by a real
:class:`~tlruntime.session.ClientSession`.
"""

from __future__ import annotations

import functools
import random
import struct
from typing import Callable, Iterable

from tlruntime.auth import AuthKeyResult, ClientHandshake
from tlruntime.crypto import message as crypto
from tlruntime.endpoint import Deliver, EndpointConnection, Send, ServerEndpoint, ServerLimits
from tlruntime.session import ClientSession, wire
from tlruntime.tl import functions, types
from tlruntime.transports import Frame, make_client_codec

from .auth_targets import _key
from .registry import register
from .session_targets import AUTH_KEY, NOW, SALT, encrypt, invite_for, invite_request
from .transport_targets import _feed_in_chunks

SESSION_ID = 0x0123456789ABCDEF
CLIENT_MSG_ID = int(NOW * 2**32) & ~3
TRANSPORTS = ("abridged", "intermediate", "padded", "full",
              "obfuscated-abridged", "obfuscated-intermediate", "obfuscated-padded")


def _rng(seed: int) -> Callable[[int], bytes]:
    return random.Random(seed).randbytes


def new_endpoint() -> ServerEndpoint:
    endpoint = ServerEndpoint([_key()], limits=ServerLimits(), clock=lambda: NOW, random_bytes=_rng(21))
    endpoint.add_auth_key(AUTH_KEY, SALT)
    return endpoint


def _answer(endpoint: ServerEndpoint, actions: list[object]) -> list[object]:
    """Answer what the endpoint delivered, as an application would."""
    more: list[object] = []
    for action in actions:
        if isinstance(action, Deliver):
            request = action.request
            if request.msg_id & 4:
                endpoint.fail(action.session, request.msg_id, 400, "FUZZ_REFUSED")
            else:
                endpoint.answer(action.session, request.msg_id, invite_for(invite_request()))
    more += endpoint.flush()
    more += endpoint.poll()
    return more


def client_plaintext(seqno: int, body: bytes) -> bytes:
    """A correct client -> server header + ``body`` (whole words) + 12..27 bytes of padding."""
    body += bytes(-len(body) % 4)
    plaintext = wire.pack_plaintext(SALT, SESSION_ID, CLIENT_MSG_ID, seqno, body)
    return plaintext + bytes(12 + (-(len(plaintext) + 12)) % 16)


def _intermediate(payload: bytes) -> bytes:
    return b"\xee" * 4 + struct.pack("<I", len(payload)) + payload


def endpoint_input(data: bytes) -> tuple[int, bytes]:
    """(chunk byte, connection stream) the input stands for (see the module doc)."""
    if not data or not data[0] & 1:
        return (data[1] if len(data) > 1 else 0), data[2:]
    if data[0] & 2:
        plaintext = data[1:] + bytes(-len(data[1:]) % 16)
    else:
        plaintext = client_plaintext(data[1] if len(data) > 1 else 0, data[2:])
    return 0x3F, _intermediate(encrypt(AUTH_KEY, plaintext, crypto.CLIENT_TO_SERVER))


@register("server-endpoint", seeds=lambda: endpoint_seeds())
def server_endpoint(data: bytes) -> list[object]:
    """A new connection into ServerEndpoint (raw stream, or an encrypted client message for a known key)."""
    endpoint = new_endpoint()
    connection = endpoint.connect(("127.0.0.1", 40000))
    chunk, stream = endpoint_input(data)
    actions: list[object] = _feed_in_chunks(bytes([chunk]) + stream, connection.receive)  # type: ignore[arg-type]
    return actions + _answer(endpoint, actions)


# --- seeds ---------------------------------------------------------------------------------


@functools.cache
def handshake_stream(transport: str) -> bytes:
    """Every byte a real client sends on ``transport`` for a whole handshake against the fixed endpoint."""
    endpoint = new_endpoint()
    connection: EndpointConnection = endpoint.connect(("127.0.0.1", 40000))
    codec = make_client_codec(transport, dc_id=2 if transport.startswith("obfuscated") else None,
                              random_bytes=_rng(22))
    client = ClientHandshake({_key().public_key.fingerprint: _key().public_key}, dc_id=2,
                             random_bytes=_rng(23), clock=lambda: NOW)
    sent = [codec.initial_bytes() + codec.encode(client.start())]
    while True:
        frames = [e.payload for a in connection.receive(sent[-1]) if isinstance(a, Send)
                  for e in codec.feed(a.data) if isinstance(e, Frame)]
        if len(frames) != 1:
            raise RuntimeError(f"{transport}: the endpoint answered {len(frames)} frames, not one")
        outcome = client.receive(frames[0])
        if isinstance(outcome, AuthKeyResult):
            return b"".join(sent)
        sent.append(codec.encode(outcome))


def _client() -> ClientSession:
    return ClientSession(AUTH_KEY, session_id=SESSION_ID, server_salt=SALT, clock=lambda: NOW,
                         random_bytes=_rng(24), init_connection=_init_connection)


def _init_connection(request: object) -> object:
    return functions.InvokeWithLayer(layer=1, query=functions.InitConnection(
        api_id=1, device_model="fuzz", system_version="1", app_version="1", system_lang_code="en",
        lang_pack="", lang_code="en", query=request))


def _client_plaintexts() -> list[bytes]:
    """Plaintexts a real ClientSession sends: init-wrapped request, containers, ping, service messages."""
    client = _client()
    client.send(functions.help.GetConfig())
    client.send(invite_request())
    client.ping(9)
    client.send_message(types.MsgsAck(msg_ids=[CLIENT_MSG_ID - 4]), content_related=False)
    client.send_message(types.MsgResendReq(msg_ids=[CLIENT_MSG_ID - 8]), content_related=False)
    client.send_message(types.MsgsStateReq(msg_ids=[CLIENT_MSG_ID - 12]), content_related=False)
    first = client.outgoing()
    single = _client()
    single.ping(10)
    big = _client()
    big.send(invite_request("x" * 3000))  # gzip_packed
    out = first + single.outgoing() + big.outgoing()
    return [crypto.decrypt_message(AUTH_KEY, p, crypto.CLIENT_TO_SERVER) for p in out]


def endpoint_seeds() -> Iterable[bytes]:
    for index, transport in enumerate(TRANSPORTS):
        yield bytes([0, (0x3F, 0, 7)[index % 3]]) + handshake_stream(transport)
    for plaintext in _client_plaintexts():
        yield bytes([3]) + plaintext
        plain = wire.parse_plaintext(plaintext)
        if wire.constructor_of(plain.body) != wire.MSG_CONTAINER:
            yield bytes([1, plain.seqno]) + plain.body
    for body, seqno in ((bytes(functions.Ping(ping_id=1)), 1), (bytes(types.MsgsAck(msg_ids=[1])), 0),
                        (bytes(functions.PingDelayDisconnect(ping_id=2, disconnect_delay=75)), 1)):
        yield bytes([1, seqno]) + body
