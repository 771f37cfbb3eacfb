"""Targets for the server side of the auth key exchange, fed hostile bytes at each step.

- ``auth-server-handshake``: a whole conversation into ``ServerHandshake.receive``
  (input: payloads, each behind a 2-byte little-endian length).  The server's
  randomness and clock are fixed, so the seed (a real client's three messages)
  replays a full handshake and mutations reach every step.
- ``auth-server-dh-inner``: the *plaintext* of ``req_DH_params.encrypted_data``
  (first byte: 0 RSA_PAD, 1 the legacy SHA1 scheme, else the raw 256 bytes),
  encrypted by the harness with the server's key, into ``answer_req_dh_params``.
- ``auth-server-client-dh``: the plaintext ``client_DH_inner_data`` (first
  byte: 0 wrapped in SHA1 + padding and AES-IGE encrypted with the step's
  temporary key, else the raw ``encrypted_data``) into
  ``answer_set_client_dh_params``.
"""

from __future__ import annotations

import functools
import hashlib
import random
import struct
from dataclasses import dataclass
from typing import Callable, Iterable

from tlruntime.auth.client import ClientHandshake
from tlruntime.auth.server import (
    DHParamsSent,
    PQSent,
    ServerHandshake,
    answer_req_dh_params,
    answer_req_pq,
    answer_set_client_dh_params,
)
from tlruntime.crypto import dh, ige, rsa
from tlruntime.tl import functions, types

from .auth_key import FUZZ_SERVER_KEY_PEM
from .registry import register

NOW = 1_800_000_000.0
DC_ID = 2


def _rng(seed: int) -> Callable[[int], bytes]:
    return random.Random(seed).randbytes


@functools.cache
def _key() -> rsa.RSAPrivateKey:
    return rsa.RSAPrivateKey.from_pem(FUZZ_SERVER_KEY_PEM)


def _server() -> ServerHandshake:
    return ServerHandshake([_key()], random_bytes=_rng(11), clock=lambda: NOW, dc_id=DC_ID)


def _split(data: bytes) -> list[bytes]:
    """Payloads behind 2-byte little-endian lengths (a short tail is one last payload)."""
    out, i = [], 0
    while i + 2 <= len(data):
        n = int.from_bytes(data[i : i + 2], "little")
        out.append(data[i + 2 : i + 2 + n])
        i += 2 + n
    return out


def _join(payloads: Iterable[bytes]) -> bytes:
    return b"".join(len(p).to_bytes(2, "little") + p for p in payloads)


@functools.cache
def _real_conversation() -> tuple[bytes, ...]:
    """A real client's handshake messages against the fixed server (deterministic)."""
    server = _server()
    client = ClientHandshake({_key().public_key.fingerprint: _key().public_key}, dc_id=DC_ID,
                             random_bytes=_rng(12), clock=lambda: NOW)
    sent = [client.start()]
    while True:
        reply = server.receive(sent[-1])
        reply_bytes = reply if isinstance(reply, bytes) else reply.reply
        answer = client.receive(reply_bytes)
        if not isinstance(answer, bytes):
            return tuple(sent)
        sent.append(answer)


def handshake_seeds() -> Iterable[bytes]:
    conversation = _real_conversation()
    yield _join(conversation)
    yield _join(conversation[:1])
    yield _join(conversation[:2])
    yield _join([conversation[0], conversation[0], conversation[1]])  # a retransmission


@register("auth-server-handshake", seeds=handshake_seeds)
def handshake(data: bytes) -> None:
    """Unencrypted client messages into a fresh ServerHandshake, one by one."""
    server = _server()
    for payload in _split(data):
        server.receive(payload)


# --- steps 2 and 3 from a fixed state ----------------------------------------------------------


@dataclass(frozen=True)
class _States:
    pq: PQSent
    res_pq: types.ResPQ
    p: bytes
    q: bytes
    dh: DHParamsSent
    inner: types.PQInnerDataDc


@functools.cache
def _states() -> _States:
    rng = _rng(13)
    nonce = int.from_bytes(rng(16), "little", signed=True)
    fingerprint = _key().public_key.fingerprint
    pq_state, res_pq = answer_req_pq(functions.ReqPqMulti(nonce=nonce), fingerprints=[fingerprint],
                                     random_bytes=rng)
    p = pq_state.pq.p.to_bytes((pq_state.pq.p.bit_length() + 7) // 8, "big")
    q = pq_state.pq.q.to_bytes((pq_state.pq.q.bit_length() + 7) // 8, "big")
    inner = types.PQInnerDataDc(pq=res_pq.pq, p=p, q=q, nonce=nonce, server_nonce=res_pq.server_nonce,
                                new_nonce=int.from_bytes(rng(32), "little", signed=True), dc=DC_ID)
    dh_state, _ = _answer_dh(pq_state, res_pq, p, q, rsa.rsa_pad_encrypt(bytes(inner), _key().public_key, rng))
    return _States(pq_state, res_pq, p, q, dh_state, inner)


def _answer_dh(state: PQSent, res_pq: types.ResPQ, p: bytes, q: bytes, encrypted: bytes) -> tuple[DHParamsSent, object]:
    request = functions.ReqDHParams(nonce=res_pq.nonce, server_nonce=res_pq.server_nonce, p=p, q=q,
                                    public_key_fingerprint=_key().public_key.fingerprint,
                                    encrypted_data=encrypted)
    return answer_req_dh_params(state, request, private_keys={_key().public_key.fingerprint: _key()},
                                dh_prime=dh.TELEGRAM_DH_PRIME, g=3, now=NOW, random_bytes=_rng(14), dc_id=DC_ID)


def dh_inner_seeds() -> Iterable[bytes]:
    s = _states()
    base = dict(pq=s.res_pq.pq, p=s.p, q=s.q, nonce=s.inner.nonce, server_nonce=s.inner.server_nonce,
                new_nonce=s.inner.new_nonce)
    variants = [
        types.PQInnerDataDc(**base, dc=DC_ID),
        types.PQInnerData(**base),
        types.PQInnerDataTemp(**base, expires_in=3600),
        types.PQInnerDataTempDc(**base, dc=DC_ID, expires_in=3600),
    ]
    for mode in (0, 1):
        for inner in variants:
            yield bytes([mode]) + bytes(inner)
    yield bytes([2]) + bytes(256)


@register("auth-server-dh-inner", seeds=dh_inner_seeds)
def dh_inner(data: bytes) -> None:
    """The plaintext of req_DH_params.encrypted_data, encrypted by the harness, into step 2."""
    if not data:
        return
    s = _states()
    mode, plain = data[0], data[1:]
    if mode == 0:
        encrypted = rsa.rsa_pad_encrypt(plain, _key().public_key, _rng(15))
    elif mode == 1:
        encrypted = rsa.legacy_rsa_encrypt(plain, _key().public_key, _rng(15))
    else:
        encrypted = plain
    _answer_dh(s.pq, s.res_pq, s.p, s.q, encrypted)


def client_dh_seeds() -> Iterable[bytes]:
    s = _states()
    b = int.from_bytes(random.Random(16).randbytes(256), "big")
    g_b = pow(3, b, dh.TELEGRAM_DH_PRIME)
    for retry_id, g_b_bytes in ((0, g_b.to_bytes(256, "big")), (0, g_b.to_bytes(256, "big").lstrip(b"\0")),
                                (5, b"\x02")):
        inner = types.ClientDHInnerData(nonce=s.inner.nonce, server_nonce=s.inner.server_nonce,
                                        retry_id=retry_id, g_b=g_b_bytes)
        yield bytes([0]) + bytes(inner)
    yield bytes([1]) + bytes(32)


@register("auth-server-client-dh", seeds=client_dh_seeds)
def client_dh(data: bytes) -> None:
    """The plaintext client_DH_inner_data, SHA1-wrapped and AES-IGE encrypted by the harness, into step 3."""
    if not data:
        return
    s = _states()
    mode, plain = data[0], data[1:]
    if mode == 0:
        wrapped = hashlib.sha1(plain).digest() + plain
        wrapped += _rng(17)(-len(wrapped) % 16)
        encrypted = ige.aes_ige_encrypt(wrapped, s.dh.tmp_aes_key, s.dh.tmp_aes_iv)
    else:
        encrypted = plain
    request = functions.SetClientDHParams(nonce=s.inner.nonce, server_nonce=s.inner.server_nonce,
                                          encrypted_data=encrypted)
    answer_set_client_dh_params(s.dh, request, key_exists=lambda key_id: key_id[0] == 0)
