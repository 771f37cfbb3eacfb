"""Client side of the auth key exchange as pure steps, plus a sans-IO driver.

Each step takes the state of the previous one and the server's answer and
returns the next state and the request to send.  Randomness and the clock are
arguments, so a recorded exchange replays byte for byte (the published sample
of corefork.telegram.org/mtproto/samples-auth_key is a test vector).

Every check of corefork.telegram.org/mtproto/security_guidelines is made here:
nonce and server_nonce echoed by every answer, a known RSA fingerprint, SHA1
of the decrypted answer, ``dh_prime``/``g`` (safe 2048-bit prime, g condition),
``g_a`` and ``g_b`` strictly inside ``(1, dh_prime - 1)`` and at least
``2**(2048-64)`` away from both ends, and new_nonce_hash1/2/3.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from hashlib import sha1
from typing import SupportsBytes

from ..crypto import dh, factor, ige, kdf, message, rsa
from ..errors import HandshakeError, SecurityError, TLError
from ..tl import functions, types
from ._wire import (
    RandomBytes,
    be_bytes,
    be_int,
    check_equal,
    draw,
    le_bytes,
    le_int,
    parse_tl,
    unwrap_sha1,
    wrap_with_sha1,
)
from .plain import MsgIdGenerator, pack_plain, unpack_plain

__all__ = [
    "AuthKeyResult",
    "PQRequested",
    "DHParamsRequested",
    "ClientDHSent",
    "ClientHandshake",
    "request_pq",
    "answer_res_pq",
    "answer_server_dh_params",
    "answer_dh_gen",
    "DEFAULT_MAX_RETRIES",
]

#: How many dh_gen_retry answers the client accepts before giving up.
DEFAULT_MAX_RETRIES = 5

# pq is "normally <= 2**63 - 1"; refusing anything wider keeps a hostile server
# from making the client factor a huge number.
_MAX_PQ_BYTES = 8


@dataclass(frozen=True)
class AuthKeyResult:
    """A negotiated permanent (or temporary) auth key, ready for the session."""

    auth_key: bytes  # 256 bytes, big-endian g^(ab) mod dh_prime
    auth_key_id: bytes  # 8 bytes: lower 64 bits of SHA1(auth_key), as on the wire
    server_salt: int  # new_nonce[:8] XOR server_nonce[:8], a signed TL long
    time_offset: int  # server_time - local time, seconds
    expires_in: int | None = None  # set for a temporary (PFS) key

    @property
    def auth_key_id_int(self) -> int:
        """The auth_key_id as a signed TL ``long``."""
        return le_int(self.auth_key_id)


@dataclass(frozen=True)
class PQRequested:
    """After step 1: req_pq_multi sent with this nonce."""

    nonce: bytes  # 16 bytes


@dataclass(frozen=True)
class DHParamsRequested:
    """After step 2: req_DH_params sent; new_nonce is now shared with the server only."""

    nonce: bytes
    server_nonce: bytes
    new_nonce: bytes  # 32 bytes
    expires_in: int | None


@dataclass(frozen=True)
class ClientDHSent:
    """After step 3 (or a retry): set_client_DH_params sent with g_b; auth_key computed."""

    nonce: bytes
    server_nonce: bytes
    new_nonce: bytes
    expires_in: int | None
    tmp_aes_key: bytes
    tmp_aes_iv: bytes
    dh_prime: int
    g: int
    g_a: int
    auth_key: bytes
    time_offset: int
    retries: int  # dh_gen_retry answers seen so far


# --- step 1 -------------------------------------------------------------------


def request_pq(random_bytes: RandomBytes) -> tuple[PQRequested, functions.ReqPqMulti]:
    """Step 1: pick a random nonce and ask for ``resPQ``."""
    nonce = draw(random_bytes, 16)
    return PQRequested(nonce), functions.ReqPqMulti(nonce=le_int(nonce))


# --- step 2 -------------------------------------------------------------------


def _pick_key(
    fingerprints: Iterable[int], public_keys: Mapping[int, rsa.RSAPublicKey]
) -> tuple[int, rsa.RSAPublicKey]:
    offered = list(fingerprints)
    for fingerprint in offered:
        key = public_keys.get(fingerprint)
        if key is not None:
            return fingerprint, key
    shown = ", ".join(f"{fp & 0xFFFFFFFFFFFFFFFF:016x}" for fp in offered) or "none"
    raise HandshakeError(f"resPQ: no known RSA key among the server's fingerprints ({shown})")


def answer_res_pq(
    state: PQRequested,
    res_pq: types.ResPQ,
    public_keys: Mapping[int, rsa.RSAPublicKey],
    *,
    dc_id: int,
    random_bytes: RandomBytes,
    expires_in: int | None = None,
) -> tuple[DHParamsRequested, functions.ReqDHParams]:
    """Step 2: check resPQ, factor pq, send p_q_inner_data_(temp_)dc under RSA_PAD."""
    what = "resPQ"
    check_equal(res_pq.nonce, le_int(state.nonce), "nonce", what)
    fingerprint, key = _pick_key(res_pq.server_public_key_fingerprints, public_keys)
    if not 0 < len(res_pq.pq) <= _MAX_PQ_BYTES:
        raise HandshakeError(f"{what}: pq is {len(res_pq.pq)} bytes long, at most 8 are accepted")
    try:
        p, q = factor.factorize_pq(be_int(res_pq.pq))
    except SecurityError as exc:
        raise HandshakeError(f"{what}: {exc}") from exc
    new_nonce = draw(random_bytes, 32)
    server_nonce = le_bytes(res_pq.server_nonce, 16)
    p_bytes, q_bytes = be_bytes(p), be_bytes(q)
    inner: types.PQInnerDataDc | types.PQInnerDataTempDc
    if expires_in is None:
        inner = types.PQInnerDataDc(
            pq=res_pq.pq,
            p=p_bytes,
            q=q_bytes,
            nonce=res_pq.nonce,
            server_nonce=res_pq.server_nonce,
            new_nonce=le_int(new_nonce),
            dc=dc_id,
        )
    else:
        inner = types.PQInnerDataTempDc(
            pq=res_pq.pq,
            p=p_bytes,
            q=q_bytes,
            nonce=res_pq.nonce,
            server_nonce=res_pq.server_nonce,
            new_nonce=le_int(new_nonce),
            dc=dc_id,
            expires_in=expires_in,
        )
    encrypted = rsa.rsa_pad_encrypt(bytes(inner), key, random_bytes)
    request = functions.ReqDHParams(
        nonce=res_pq.nonce,
        server_nonce=res_pq.server_nonce,
        p=p_bytes,
        q=q_bytes,
        public_key_fingerprint=fingerprint,
        encrypted_data=encrypted,
    )
    return DHParamsRequested(state.nonce, server_nonce, new_nonce, expires_in), request


# --- step 3 -------------------------------------------------------------------


def _server_dh_fail_hash(new_nonce: bytes) -> int:
    """new_nonce_hash of server_DH_params_fail: lower 128 bits of SHA1(new_nonce)."""
    return le_int(sha1(new_nonce).digest()[4:20])


def _client_dh_request(
    nonce: bytes,
    server_nonce: bytes,
    key: bytes,
    iv: bytes,
    *,
    dh_prime: int,
    g: int,
    g_a: int,
    retry_id: int,
    random_bytes: RandomBytes,
) -> tuple[bytes, functions.SetClientDHParams]:
    """Pick b, check g_b, encrypt client_DH_inner_data; returns (auth_key, request)."""
    # A b giving an out-of-range g_b is astronomically unlikely; draw again
    # rather than fail, but never loop forever on a broken random source.
    for _ in range(8):
        b = be_int(draw(random_bytes, 256))
        g_b = pow(g, b, dh_prime)
        try:
            dh.check_dh_value(g_b, dh_prime)
        except HandshakeError:
            continue
        break
    else:
        raise HandshakeError("client_DH_inner_data: no acceptable g_b after 8 random draws")
    inner = types.ClientDHInnerData(
        nonce=le_int(nonce),
        server_nonce=le_int(server_nonce),
        retry_id=retry_id,
        g_b=be_bytes(g_b, 256),
    )
    encrypted = ige.aes_ige_encrypt(wrap_with_sha1(bytes(inner), random_bytes), key, iv)
    auth_key = be_bytes(pow(g_a, b, dh_prime), 256)
    request = functions.SetClientDHParams(
        nonce=le_int(nonce), server_nonce=le_int(server_nonce), encrypted_data=encrypted
    )
    return auth_key, request


def answer_server_dh_params(
    state: DHParamsRequested,
    answer: types.ServerDHParamsOk | types.ServerDHParamsFail,
    *,
    now: float,
    random_bytes: RandomBytes,
) -> tuple[ClientDHSent, functions.SetClientDHParams]:
    """Step 3: decrypt and verify server_DH_inner_data, answer with g_b."""
    what = type(answer).__name__
    check_equal(answer.nonce, le_int(state.nonce), "nonce", what)
    check_equal(answer.server_nonce, le_int(state.server_nonce), "server_nonce", what)
    if isinstance(answer, types.ServerDHParamsFail):
        if answer.new_nonce_hash != _server_dh_fail_hash(state.new_nonce):
            raise HandshakeError(f"{what}: new_nonce_hash does not match (forged refusal)")
        raise HandshakeError(f"{what}: the server refused the DH parameters request")

    encrypted = answer.encrypted_answer
    if not encrypted or len(encrypted) % 16:
        raise HandshakeError(f"{what}: encrypted_answer is {len(encrypted)} bytes, not a multiple of 16")
    key, iv = kdf.handshake_aes_key_iv(state.new_nonce, state.server_nonce)
    inner_bytes = unwrap_sha1(ige.aes_ige_decrypt(encrypted, key, iv), max_padding=15, what=what)
    inner = parse_tl(inner_bytes, types.ServerDHInnerData, "server_DH_inner_data")
    check_equal(inner.nonce, le_int(state.nonce), "nonce", "server_DH_inner_data")
    check_equal(
        inner.server_nonce, le_int(state.server_nonce), "server_nonce", "server_DH_inner_data"
    )
    dh_prime, g_a = be_int(inner.dh_prime), be_int(inner.g_a)
    try:
        dh.check_dh_params(dh_prime, inner.g)
    except HandshakeError as exc:
        raise HandshakeError(f"server_DH_inner_data: dh_prime/g rejected: {exc}") from exc
    try:
        dh.check_dh_value(g_a, dh_prime)
    except HandshakeError as exc:
        raise HandshakeError(f"server_DH_inner_data: g_a rejected: {exc}") from exc
    time_offset = inner.server_time - int(now)

    auth_key, request = _client_dh_request(
        state.nonce,
        state.server_nonce,
        key,
        iv,
        dh_prime=dh_prime,
        g=inner.g,
        g_a=g_a,
        retry_id=0,
        random_bytes=random_bytes,
    )
    sent = ClientDHSent(
        nonce=state.nonce,
        server_nonce=state.server_nonce,
        new_nonce=state.new_nonce,
        expires_in=state.expires_in,
        tmp_aes_key=key,
        tmp_aes_iv=iv,
        dh_prime=dh_prime,
        g=inner.g,
        g_a=g_a,
        auth_key=auth_key,
        time_offset=time_offset,
        retries=0,
    )
    return sent, request


# --- step 4 -------------------------------------------------------------------


def answer_dh_gen(
    state: ClientDHSent,
    answer: types.DhGenOk | types.DhGenRetry | types.DhGenFail,
    *,
    random_bytes: RandomBytes,
    max_retries: int = DEFAULT_MAX_RETRIES,
) -> AuthKeyResult | tuple[ClientDHSent, functions.SetClientDHParams]:
    """Step 4: verify new_nonce_hash1/2/3; finish, retry with a fresh b, or fail."""
    what = type(answer).__name__
    check_equal(answer.nonce, le_int(state.nonce), "nonce", what)
    check_equal(answer.server_nonce, le_int(state.server_nonce), "server_nonce", what)
    # The hash index tells the three answers apart, so an attacker cannot turn
    # dh_gen_ok into dh_gen_retry without knowing new_nonce.
    if isinstance(answer, types.DhGenOk):
        number, received = 1, answer.new_nonce_hash1
    elif isinstance(answer, types.DhGenRetry):
        number, received = 2, answer.new_nonce_hash2
    else:
        number, received = 3, answer.new_nonce_hash3
    expected = kdf.new_nonce_hash(state.new_nonce, number, state.auth_key)
    if not hmac.compare_digest(le_bytes(received, 16), expected):
        raise HandshakeError(f"{what}: new_nonce_hash{number} does not match the computed auth key")

    if isinstance(answer, types.DhGenFail):
        raise HandshakeError(f"{what}: the server rejected the auth key (dh_gen_fail)")
    if isinstance(answer, types.DhGenRetry):
        if state.retries >= max_retries:
            raise HandshakeError(f"{what}: the server asked to retry more than {max_retries} times")
        auth_key, request = _client_dh_request(
            state.nonce,
            state.server_nonce,
            state.tmp_aes_key,
            state.tmp_aes_iv,
            dh_prime=state.dh_prime,
            g=state.g,
            g_a=state.g_a,
            retry_id=le_int(kdf.auth_key_aux_hash(state.auth_key)),
            random_bytes=random_bytes,
        )
        retried = ClientDHSent(
            nonce=state.nonce,
            server_nonce=state.server_nonce,
            new_nonce=state.new_nonce,
            expires_in=state.expires_in,
            tmp_aes_key=state.tmp_aes_key,
            tmp_aes_iv=state.tmp_aes_iv,
            dh_prime=state.dh_prime,
            g=state.g,
            g_a=state.g_a,
            auth_key=auth_key,
            time_offset=state.time_offset,
            retries=state.retries + 1,
        )
        return retried, request
    return AuthKeyResult(
        auth_key=state.auth_key,
        auth_key_id=message.auth_key_id(state.auth_key),
        server_salt=kdf.initial_server_salt(state.new_nonce, state.server_nonce),
        time_offset=state.time_offset,
        expires_in=state.expires_in,
    )


# --- sans-IO driver -------------------------------------------------------------


PublicKeys = Mapping[int, rsa.RSAPublicKey] | Iterable[rsa.RSAPublicKey]


class ClientHandshake:
    """Drives the four client steps over unencrypted message payloads.

    ``start()`` gives the first payload to send; each ``receive(payload)``
    gives the next payload, or the :class:`AuthKeyResult` once dh_gen_ok is
    verified.  Any check that fails raises :class:`HandshakeError` and leaves
    the handshake failed: the driver closes the connection and starts over.
    The payloads are transport payloads (the transport codec frames them).
    """

    def __init__(
        self,
        public_keys: PublicKeys,
        *,
        dc_id: int,
        random_bytes: RandomBytes = os.urandom,
        clock: Callable[[], float] = time.time,
        expires_in: int | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        msg_ids: Callable[[], int] | None = None,
    ) -> None:
        if isinstance(public_keys, Mapping):
            self._public_keys: dict[int, rsa.RSAPublicKey] = dict(public_keys)
        else:
            self._public_keys = {key.fingerprint: key for key in public_keys}
        if not self._public_keys:
            raise ValueError("ClientHandshake needs at least one server RSA public key")
        self._dc_id = dc_id
        self._random_bytes = random_bytes
        self._clock = clock
        self._expires_in = expires_in
        self._max_retries = max_retries
        self._msg_ids = msg_ids if msg_ids is not None else MsgIdGenerator(clock)
        self._state: PQRequested | DHParamsRequested | ClientDHSent | None = None
        self._result: AuthKeyResult | None = None
        self._failed = False

    @property
    def result(self) -> AuthKeyResult | None:
        """The negotiated key once the handshake has finished, else None."""
        return self._result

    def start(self) -> bytes:
        """Payload of req_pq_multi, the first message of the exchange."""
        if self._state is not None or self._failed or self._result is not None:
            raise HandshakeError("the handshake was already started; use a new ClientHandshake")
        self._state, request = request_pq(self._random_bytes)
        return self._pack(request)

    def receive(self, payload: bytes) -> bytes | AuthKeyResult:
        """Feed one server payload; returns the next payload to send or the final result."""
        if self._failed or self._result is not None:
            raise HandshakeError("the handshake is over; start a new one")
        if self._state is None:
            raise HandshakeError("receive() called before start()")
        try:
            outcome = self._step(payload)
        except Exception:
            self._failed = True
            raise
        if isinstance(outcome, AuthKeyResult):
            self._result = outcome
            self._state = None
            return outcome
        return outcome

    def _step(self, payload: bytes) -> bytes | AuthKeyResult:
        try:
            msg_id, body = unpack_plain(payload)
        except TLError as exc:
            raise HandshakeError(f"server sent an unreadable unencrypted message: {exc}") from exc
        if msg_id % 2 != 1:
            raise HandshakeError(f"server message has an even msg_id {msg_id}; server ids are odd")
        state = self._state
        if isinstance(state, PQRequested):
            res_pq = parse_tl(body, types.ResPQ, "answer to req_pq_multi")
            self._state, dh_request = answer_res_pq(
                state,
                res_pq,
                self._public_keys,
                dc_id=self._dc_id,
                random_bytes=self._random_bytes,
                expires_in=self._expires_in,
            )
            return self._pack(dh_request)
        if isinstance(state, DHParamsRequested):
            params: types.ServerDHParamsOk | types.ServerDHParamsFail = parse_tl(
                body,
                (types.ServerDHParamsOk, types.ServerDHParamsFail),
                "answer to req_DH_params",
            )
            self._state, set_request = answer_server_dh_params(
                state, params, now=self._clock(), random_bytes=self._random_bytes
            )
            return self._pack(set_request)
        if isinstance(state, ClientDHSent):
            gen: types.DhGenOk | types.DhGenRetry | types.DhGenFail = parse_tl(
                body,
                (types.DhGenOk, types.DhGenRetry, types.DhGenFail),
                "answer to set_client_DH_params",
            )
            outcome = answer_dh_gen(
                state, gen, random_bytes=self._random_bytes, max_retries=self._max_retries
            )
            if isinstance(outcome, AuthKeyResult):
                return outcome
            self._state, retry_request = outcome
            return self._pack(retry_request)
        raise HandshakeError("handshake in an unknown state")  # unreachable by construction

    def _pack(self, request: SupportsBytes) -> bytes:
        return pack_plain(bytes(request), self._msg_ids())
