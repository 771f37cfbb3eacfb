"""Server side of the auth key exchange as pure steps, plus a sans-IO driver.

Mirrors :mod:`.client`: each step takes the previous state and the client's
request and returns the next state and the answer.  What the server accepts:

* ``req_pq_multi`` and the legacy ``req_pq`` (both answered with ``resPQ``);
* ``req_DH_params`` whose ``encrypted_data`` is RSA_PAD (current clients) or
  the legacy ``SHA1(data) + data + random`` raw-RSA block that Telethon and
  kurigram still send; the inner data may be ``p_q_inner_data``,
  ``p_q_inner_data_dc``, ``p_q_inner_data_temp`` or ``p_q_inner_data_temp_dc``;
* ``set_client_DH_params`` with a ``g_b`` of any length up to 256 bytes
  (Telethon strips leading zero bytes), read as a big-endian number.

Anything wrong raises :class:`HandshakeError` naming the check; the driver
then closes the connection (Telegram answers such queries with -404).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import SupportsBytes

from ..crypto import dh, ige, kdf, message, rsa
from ..errors import HandshakeError, TLError
from ..tl import functions, types
from ._wire import (
    RandomBytes,
    be_bytes,
    be_int,
    check_equal,
    draw,
    le_bytes,
    le_int,
    parse_leading_tl,
    parse_tl,
    unwrap_sha1,
    wrap_with_sha1,
)
from ..session.msgid import MAX_FUTURE, MAX_PAST, time_problem
from .plain import MsgIdGenerator, pack_plain, unpack_plain
from .pq import PQ, generate_pq

__all__ = [
    "AuthKeyCreated",
    "PQSent",
    "DHParamsSent",
    "KeyAgreed",
    "ServerHandshake",
    "answer_req_pq",
    "answer_req_dh_params",
    "answer_set_client_dh_params",
    "decrypt_inner_data",
    "DEFAULT_MAX_RETRIES",
]

#: How many dh_gen_retry answers (auth_key_id collisions) the server gives before giving up.
DEFAULT_MAX_RETRIES = 5

PQInnerData = (
    types.PQInnerData | types.PQInnerDataDc | types.PQInnerDataTemp | types.PQInnerDataTempDc
)
_PQ_INNER_CLASSES = (
    types.PQInnerData,
    types.PQInnerDataDc,
    types.PQInnerDataTemp,
    types.PQInnerDataTempDc,
)


@dataclass(frozen=True)
class AuthKeyCreated:
    """The server's outcome: the new key, its first salt, and the dh_gen_ok payload to send."""

    auth_key: bytes  # 256 bytes
    auth_key_id: bytes  # 8 bytes, as the first bytes of every encrypted message
    server_salt: int  # new_nonce[:8] XOR server_nonce[:8], a signed TL long
    reply: bytes  # the unencrypted dh_gen_ok payload; the driver must still send it
    dc_id: int | None = None  # from p_q_inner_data_(temp_)dc, None for the legacy forms
    expires_in: int | None = None  # set for a temporary (PFS) key

    @property
    def auth_key_id_int(self) -> int:
        """The auth_key_id as a signed TL ``long``."""
        return le_int(self.auth_key_id)


@dataclass(frozen=True)
class PQSent:
    """After resPQ: the puzzle handed to this client run."""

    nonce: bytes  # 16 bytes, the client's
    server_nonce: bytes  # 16 bytes, ours
    pq: PQ


@dataclass(frozen=True)
class DHParamsSent:
    """After server_DH_params_ok: our secret ``a`` and what the client proved."""

    nonce: bytes
    server_nonce: bytes
    new_nonce: bytes  # 32 bytes
    tmp_aes_key: bytes
    tmp_aes_iv: bytes
    dh_prime: int
    a: int
    dc_id: int | None
    expires_in: int | None
    retry_id: int  # the retry_id the next client_DH_inner_data must carry
    retries: int


# --- step 1: req_pq / req_pq_multi -> resPQ --------------------------------------------


def answer_req_pq(
    request: functions.ReqPqMulti | functions.ReqPq,
    *,
    fingerprints: Sequence[int],
    random_bytes: RandomBytes,
) -> tuple[PQSent, types.ResPQ]:
    """Step 1: a fresh server_nonce and pq puzzle, and the fingerprints of our keys."""
    server_nonce = draw(random_bytes, 16)
    puzzle = generate_pq(random_bytes)
    answer = types.ResPQ(
        nonce=request.nonce,
        server_nonce=le_int(server_nonce),
        pq=be_bytes(puzzle.pq),
        server_public_key_fingerprints=list(fingerprints),
    )
    return PQSent(le_bytes(request.nonce, 16), server_nonce, puzzle), answer


# --- step 2: req_DH_params -> server_DH_params_ok ---------------------------------------


def decrypt_inner_data(encrypted: bytes, key: rsa.RSAPrivateKey) -> PQInnerData:
    """Open ``encrypted_data`` of req_DH_params: RSA_PAD first, then the legacy scheme.

    RSA_PAD carries its own SHA256 check; the legacy block is
    ``SHA1(data) + data + random`` under raw RSA, verified after reading ``data``.
    """
    what = "req_DH_params.encrypted_data"
    if len(encrypted) != 256:
        raise HandshakeError(f"{what}: {len(encrypted)} bytes, RSA-2048 blocks are 256 bytes")
    decrypted = rsa.rsa_decrypt_raw(encrypted, key)  # one private-key operation for both schemes
    try:
        padded = rsa.rsa_pad_unwrap(decrypted)
    except HandshakeError as pad_error:
        try:
            digest, rest = rsa.legacy_unwrap(decrypted)
            inner: PQInnerData
            inner, end = parse_leading_tl(rest, _PQ_INNER_CLASSES, what)
            rsa.verify_legacy_digest(digest, rest[:end])
        except HandshakeError as legacy_error:
            raise HandshakeError(
                f"{what}: neither RSA_PAD ({pad_error}) nor the legacy SHA1 scheme "
                f"({legacy_error}) decrypts it"
            ) from legacy_error
        return inner
    padded_inner: PQInnerData
    padded_inner, _ = parse_leading_tl(padded, _PQ_INNER_CLASSES, what)
    return padded_inner


def answer_req_dh_params(
    state: PQSent,
    request: functions.ReqDHParams,
    *,
    private_keys: Mapping[int, rsa.RSAPrivateKey],
    dh_prime: int,
    g: int,
    now: float,
    random_bytes: RandomBytes,
    dc_id: int | None = None,
) -> tuple[DHParamsSent, types.ServerDHParamsOk]:
    """Step 2: check the proof of work, send g, dh_prime and g_a encrypted with new_nonce."""
    what = "req_DH_params"
    check_equal(request.nonce, le_int(state.nonce), "nonce", what)
    check_equal(request.server_nonce, le_int(state.server_nonce), "server_nonce", what)
    key = private_keys.get(request.public_key_fingerprint)
    if key is None:
        fingerprint = request.public_key_fingerprint & 0xFFFFFFFFFFFFFFFF
        raise HandshakeError(f"{what}: public_key_fingerprint {fingerprint:016x} is not one of ours")
    if (be_int(request.p), be_int(request.q)) != (state.pq.p, state.pq.q):
        raise HandshakeError(f"{what}: p and q do not factor the pq this server sent (p < q)")

    inner = decrypt_inner_data(request.encrypted_data, key)
    what = type(inner).__name__
    check_equal(inner.nonce, le_int(state.nonce), "nonce", what)
    check_equal(inner.server_nonce, le_int(state.server_nonce), "server_nonce", what)
    if be_int(inner.pq) != state.pq.pq:
        raise HandshakeError(f"{what}: pq does not match the pq this server sent")
    if (be_int(inner.p), be_int(inner.q)) != (state.pq.p, state.pq.q):
        raise HandshakeError(f"{what}: p and q do not match the factors of pq (p < q)")
    inner_dc = inner.dc if isinstance(inner, (types.PQInnerDataDc, types.PQInnerDataTempDc)) else None
    if dc_id is not None and inner_dc is not None and inner_dc != dc_id:
        raise HandshakeError(f"{what}: the client asked for DC {inner_dc}, this is DC {dc_id}")
    expires_in: int | None = None
    if isinstance(inner, (types.PQInnerDataTemp, types.PQInnerDataTempDc)):
        if inner.expires_in <= 0:
            raise HandshakeError(f"{what}: expires_in must be positive, got {inner.expires_in}")
        expires_in = inner.expires_in

    new_nonce = le_bytes(inner.new_nonce, 32)
    tmp_key, tmp_iv = kdf.handshake_aes_key_iv(new_nonce, state.server_nonce)
    a, g_a = _secret_exponent(g, dh_prime, random_bytes)
    answer_inner = types.ServerDHInnerData(
        nonce=inner.nonce,
        server_nonce=inner.server_nonce,
        g=g,
        dh_prime=be_bytes(dh_prime, 256),
        g_a=be_bytes(g_a, 256),
        server_time=int(now),
    )
    encrypted = ige.aes_ige_encrypt(wrap_with_sha1(bytes(answer_inner), random_bytes), tmp_key, tmp_iv)
    answer = types.ServerDHParamsOk(
        nonce=request.nonce, server_nonce=request.server_nonce, encrypted_answer=encrypted
    )
    sent = DHParamsSent(
        nonce=state.nonce,
        server_nonce=state.server_nonce,
        new_nonce=new_nonce,
        tmp_aes_key=tmp_key,
        tmp_aes_iv=tmp_iv,
        dh_prime=dh_prime,
        a=a,
        dc_id=inner_dc,
        expires_in=expires_in,
        retry_id=0,
        retries=0,
    )
    return sent, answer


def _secret_exponent(g: int, dh_prime: int, random_bytes: RandomBytes) -> tuple[int, int]:
    """A random 2048-bit ``a`` whose ``g_a`` passes the checks the client will make."""
    for _ in range(8):
        a = be_int(draw(random_bytes, 256))
        g_a = pow(g, a, dh_prime)
        try:
            dh.check_dh_value(g_a, dh_prime)
        except HandshakeError:
            continue
        return a, g_a
    raise HandshakeError("server_DH_inner_data: no acceptable g_a after 8 random draws")


# --- step 3: set_client_DH_params -> dh_gen_ok / dh_gen_retry -----------------------------


@dataclass(frozen=True)
class KeyAgreed:
    """Step 3 succeeded: the auth key and the dh_gen_ok answer that confirms it."""

    auth_key: bytes
    answer: types.DhGenOk


def answer_set_client_dh_params(
    state: DHParamsSent,
    request: functions.SetClientDHParams,
    *,
    key_exists: Callable[[bytes], bool] | None = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
) -> KeyAgreed | tuple[DHParamsSent, types.DhGenRetry]:
    """Step 3: check g_b, compute the key; :class:`KeyAgreed` or ``(state, dh_gen_retry)``.

    ``key_exists(auth_key_id)`` lets the caller refuse a key whose id is taken:
    the client then retries with a new ``b`` and ``retry_id`` = the previous
    key's auth_key_aux_hash.
    """
    what = "set_client_DH_params"
    check_equal(request.nonce, le_int(state.nonce), "nonce", what)
    check_equal(request.server_nonce, le_int(state.server_nonce), "server_nonce", what)
    encrypted = request.encrypted_data
    if not encrypted or len(encrypted) % 16:
        raise HandshakeError(f"{what}: encrypted_data is {len(encrypted)} bytes, not a multiple of 16")
    plaintext = ige.aes_ige_decrypt(encrypted, state.tmp_aes_key, state.tmp_aes_iv)
    inner_bytes = unwrap_sha1(plaintext, max_padding=15, what=what)
    inner = parse_tl(inner_bytes, types.ClientDHInnerData, "client_DH_inner_data")
    what = "client_DH_inner_data"
    check_equal(inner.nonce, le_int(state.nonce), "nonce", what)
    check_equal(inner.server_nonce, le_int(state.server_nonce), "server_nonce", what)
    if inner.retry_id != state.retry_id:
        raise HandshakeError(
            f"{what}: retry_id {inner.retry_id} is not the expected {state.retry_id} "
            "(0 first, then the previous key's auth_key_aux_hash)"
        )
    if len(inner.g_b) > 256:
        raise HandshakeError(f"{what}: g_b is {len(inner.g_b)} bytes, at most 256 are accepted")
    g_b = be_int(inner.g_b)
    try:
        dh.check_dh_value(g_b, state.dh_prime)
    except HandshakeError as exc:
        raise HandshakeError(f"{what}: g_b rejected: {exc}") from exc

    auth_key = be_bytes(pow(g_b, state.a, state.dh_prime), 256)
    if key_exists is not None and key_exists(message.auth_key_id(auth_key)):
        if state.retries >= max_retries:
            raise HandshakeError(f"{what}: auth_key_id still taken after {max_retries} retries")
        retry = types.DhGenRetry(
            nonce=request.nonce,
            server_nonce=request.server_nonce,
            new_nonce_hash2=le_int(kdf.new_nonce_hash(state.new_nonce, 2, auth_key)),
        )
        retried = DHParamsSent(
            nonce=state.nonce,
            server_nonce=state.server_nonce,
            new_nonce=state.new_nonce,
            tmp_aes_key=state.tmp_aes_key,
            tmp_aes_iv=state.tmp_aes_iv,
            dh_prime=state.dh_prime,
            a=state.a,
            dc_id=state.dc_id,
            expires_in=state.expires_in,
            retry_id=le_int(kdf.auth_key_aux_hash(auth_key)),
            retries=state.retries + 1,
        )
        return retried, retry
    ok = types.DhGenOk(
        nonce=request.nonce,
        server_nonce=request.server_nonce,
        new_nonce_hash1=le_int(kdf.new_nonce_hash(state.new_nonce, 1, auth_key)),
    )
    return KeyAgreed(auth_key, ok)


# --- sans-IO driver -------------------------------------------------------------------------


class ServerHandshake:
    """Drives the server side over unencrypted message payloads, one connection at a time.

    ``receive(payload)`` returns the payload to send back, or, once the key
    is agreed, an :class:`AuthKeyCreated` whose ``reply`` (dh_gen_ok) must
    still be sent.  A request repeated byte for byte (the client lost our
    answer) gets the same answer again, as /mtproto/auth_key asks.  Any
    failed check raises :class:`HandshakeError` and ends this handshake.
    """

    def __init__(
        self,
        private_keys: Sequence[rsa.RSAPrivateKey],
        *,
        dh_prime: int = dh.TELEGRAM_DH_PRIME,
        g: int = 3,
        random_bytes: RandomBytes = os.urandom,
        clock: Callable[[], float] = time.time,
        key_exists: Callable[[bytes], bool] | None = None,
        dc_id: int | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        msg_ids: Callable[[], int] | None = None,
        check_msg_time: bool = True,
    ) -> None:
        if not private_keys:
            raise ValueError("ServerHandshake needs at least one RSA private key")
        dh.check_dh_params(dh_prime, g)  # never offer clients a group they must refuse
        self._keys = {key.public_key.fingerprint: key for key in private_keys}
        self._dh_prime = dh_prime
        self._g = g
        self._random_bytes = random_bytes
        self._clock = clock
        self._key_exists = key_exists
        self._dc_id = dc_id
        self._max_retries = max_retries
        self._msg_ids = msg_ids if msg_ids is not None else MsgIdGenerator(clock, remainder=1)
        self._state: PQSent | DHParamsSent | None = None
        self._last_request: bytes | None = None
        self._last_reply: bytes | None = None
        self._result: AuthKeyCreated | None = None
        self._failed = False
        #: Unencrypted msg_ids must fall in the same time window as encrypted ones.
        self._check_msg_time = check_msg_time

    @property
    def fingerprints(self) -> list[int]:
        """Fingerprints offered in resPQ, in the order the keys were given."""
        return list(self._keys)

    @property
    def result(self) -> AuthKeyCreated | None:
        return self._result

    def receive(self, payload: bytes) -> bytes | AuthKeyCreated:
        """Feed one client payload; returns the reply payload or the final :class:`AuthKeyCreated`."""
        if self._failed or self._result is not None:
            raise HandshakeError("the handshake on this connection is over")
        try:
            outcome = self._step(payload)
        except Exception:
            self._failed = True
            raise
        if isinstance(outcome, AuthKeyCreated):
            self._result = outcome
        return outcome

    def _step(self, payload: bytes) -> bytes | AuthKeyCreated:
        try:
            msg_id, body = unpack_plain(payload)
        except TLError as exc:
            raise HandshakeError(f"client sent an unreadable unencrypted message: {exc}") from exc
        if msg_id <= 0 or msg_id % 4 != 0:
            raise HandshakeError(f"client msg_id {msg_id} is not a positive multiple of 4")
        if self._check_msg_time and time_problem(msg_id, self._clock()) is not None:
            skew = msg_id / 2**32 - self._clock()
            raise HandshakeError(
                f"client msg_id {msg_id} is {skew:+.0f} s from server time (allowed -{MAX_PAST}..+{MAX_FUTURE} s)"
            )
        if body == self._last_request and self._last_reply is not None:
            return self._last_reply  # a retransmission: same answer, no new state
        request = parse_tl(
            body,
            (functions.ReqPqMulti, functions.ReqPq, functions.ReqDHParams, functions.SetClientDHParams),
            "handshake request",
        )
        state = self._state
        reply: bytes
        if isinstance(request, (functions.ReqPqMulti, functions.ReqPq)):
            # A new run may start over at any point before the key exists.
            self._state, res_pq = answer_req_pq(
                request, fingerprints=self.fingerprints, random_bytes=self._random_bytes
            )
            reply = self._pack(res_pq)
        elif isinstance(request, functions.ReqDHParams) and isinstance(state, PQSent):
            self._state, params = answer_req_dh_params(
                state,
                request,
                private_keys=self._keys,
                dh_prime=self._dh_prime,
                g=self._g,
                now=self._clock(),
                random_bytes=self._random_bytes,
                dc_id=self._dc_id,
            )
            reply = self._pack(params)
        elif isinstance(request, functions.SetClientDHParams) and isinstance(state, DHParamsSent):
            outcome = answer_set_client_dh_params(
                state, request, key_exists=self._key_exists, max_retries=self._max_retries
            )
            if isinstance(outcome, KeyAgreed):
                return AuthKeyCreated(
                    auth_key=outcome.auth_key,
                    auth_key_id=message.auth_key_id(outcome.auth_key),
                    server_salt=kdf.initial_server_salt(state.new_nonce, state.server_nonce),
                    reply=self._pack(outcome.answer),
                    dc_id=state.dc_id,
                    expires_in=state.expires_in,
                )
            self._state, retry = outcome
            reply = self._pack(retry)
        else:
            phase = type(state).__name__ if state is not None else "start"
            raise HandshakeError(f"{type(request).__name__} is out of order (handshake phase: {phase})")
        self._last_request, self._last_reply = body, reply
        return reply

    def _pack(self, answer: SupportsBytes) -> bytes:
        return pack_plain(bytes(answer), self._msg_ids())
