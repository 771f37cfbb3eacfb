"""Every check the server makes, each fed a crafted bad request."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

from auth_helpers import SeededRandom
from tlruntime.auth import ServerHandshake
from tlruntime.auth._wire import le_int, wrap_with_sha1
from tlruntime.auth.client import answer_res_pq, request_pq
from tlruntime.auth.plain import pack_plain
from tlruntime.auth.pq import generate_pq, random_prime
from tlruntime.auth.server import (
    DHParamsSent,
    KeyAgreed,
    PQSent,
    answer_req_dh_params,
    answer_req_pq,
    answer_set_client_dh_params,
)
from tlruntime.crypto import ige, kdf, rsa
from tlruntime.crypto.dh import TELEGRAM_DH_PRIME
from tlruntime.crypto.primes import is_probable_prime
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import HandshakeError
from tlruntime.tl import functions, types

P = TELEGRAM_DH_PRIME
NOW = 1_700_000_000.0


@dataclass
class AtServerStep2:
    state: PQSent
    request: functions.ReqDHParams
    new_nonce: bytes
    keys: dict[int, RSAPrivateKey]
    random: SeededRandom


def at_server_step2(key: RSAPrivateKey, seed: int = 1) -> AtServerStep2:
    rnd = SeededRandom(seed)
    public = key.public_key
    c1, req_pq = request_pq(rnd)
    s1, res_pq = answer_req_pq(req_pq, fingerprints=[public.fingerprint], random_bytes=rnd)
    c2, req_dh = answer_res_pq(c1, res_pq, {public.fingerprint: public}, dc_id=2, random_bytes=rnd)
    return AtServerStep2(s1, req_dh, c2.new_nonce, {public.fingerprint: key}, rnd)


def step2(at: AtServerStep2, request: functions.ReqDHParams | None = None) -> DHParamsSent:
    state, _answer = answer_req_dh_params(
        at.state,
        request if request is not None else at.request,
        private_keys=at.keys,
        dh_prime=P,
        g=3,
        now=NOW,
        random_bytes=at.random,
    )
    return state


def with_fields(request: functions.ReqDHParams, **changes: object) -> functions.ReqDHParams:
    fields = {name: getattr(request, name) for name in request.__slots__}
    fields.update(changes)
    return functions.ReqDHParams(**fields)  # type: ignore[arg-type]


def inner_for(at: AtServerStep2, **changes: object) -> types.PQInnerDataDc:
    pq = at.state.pq
    fields: dict[str, object] = {
        "pq": pq.pq.to_bytes(8, "big"),
        "p": pq.p.to_bytes(4, "big"),
        "q": pq.q.to_bytes(4, "big"),
        "nonce": at.request.nonce,
        "server_nonce": at.request.server_nonce,
        "new_nonce": le_int(at.new_nonce),
        "dc": 2,
    }
    fields.update(changes)
    return types.PQInnerDataDc(**fields)  # type: ignore[arg-type]


# --- step 1 ----------------------------------------------------------------------------


def test_pq_puzzle_is_two_distinct_31_bit_primes() -> None:
    rnd = SeededRandom(99)
    for _ in range(20):
        puzzle = generate_pq(rnd)
        assert puzzle.p < puzzle.q
        assert 2**30 <= puzzle.p < 2**31 and 2**30 <= puzzle.q < 2**31
        assert is_probable_prime(puzzle.p) and is_probable_prime(puzzle.q)


def test_random_prime_wraps_inside_its_range() -> None:
    top = (2**30 - 1).to_bytes(4, "big")  # start at the very top of the 31-bit range
    prime = random_prime(31, lambda n: top[-n:])
    assert 2**30 <= prime < 2**31 and is_probable_prime(prime)


# --- step 2: req_DH_params ---------------------------------------------------------------


def test_valid_request_is_accepted(server_key: RSAPrivateKey) -> None:
    at = at_server_step2(server_key)
    state = step2(at)
    assert state.new_nonce == at.new_nonce and state.dc_id == 2 and state.expires_in is None


def test_wrong_fingerprint(server_key: RSAPrivateKey) -> None:
    at = at_server_step2(server_key)
    bad = with_fields(at.request, public_key_fingerprint=at.request.public_key_fingerprint ^ 1)
    with pytest.raises(HandshakeError, match="is not one of ours"):
        step2(at, bad)


def test_wrong_nonce(server_key: RSAPrivateKey) -> None:
    at = at_server_step2(server_key)
    with pytest.raises(HandshakeError, match="req_DH_params: nonce"):
        step2(at, with_fields(at.request, nonce=at.request.nonce ^ 1))
    with pytest.raises(HandshakeError, match="req_DH_params: server_nonce"):
        step2(at, with_fields(at.request, server_nonce=at.request.server_nonce ^ 1))


def test_bad_rsa_pad_hash(server_key: RSAPrivateKey) -> None:
    """RSA_PAD built by the book except for one bit of its SHA256: refused."""
    at = at_server_step2(server_key)
    data_with_padding = bytes(inner_for(at)).ljust(192, b"\x5a")
    public = server_key.public_key
    for attempt in range(64):  # like RSA_PAD itself: a new temp_key until the block is below n
        temp_key = hashlib.sha256(bytes([attempt])).digest()
        digest = bytearray(hashlib.sha256(temp_key + data_with_padding).digest())
        digest[0] ^= 1
        aes_encrypted = ige.aes_ige_encrypt(data_with_padding[::-1] + bytes(digest), temp_key, bytes(32))
        mask = hashlib.sha256(aes_encrypted).digest()
        block = bytes(a ^ b for a, b in zip(temp_key, mask)) + aes_encrypted
        if int.from_bytes(block, "big") < public.n:
            break
    encrypted = rsa.rsa_encrypt_raw(block, public)
    with pytest.raises(HandshakeError, match="neither RSA_PAD .*hash.* nor the legacy"):
        step2(at, with_fields(at.request, encrypted_data=encrypted))


def test_garbage_encrypted_data(server_key: RSAPrivateKey) -> None:
    at = at_server_step2(server_key)
    with pytest.raises(HandshakeError, match="256 bytes"):
        step2(at, with_fields(at.request, encrypted_data=b"\x01" * 255))
    with pytest.raises(HandshakeError, match="neither RSA_PAD"):
        step2(at, with_fields(at.request, encrypted_data=b"\x01" * 256))


def test_legacy_scheme_is_accepted_and_checked(server_key: RSAPrivateKey) -> None:
    at = at_server_step2(server_key)
    public = server_key.public_key
    legacy_inner = types.PQInnerData(
        pq=at.state.pq.pq.to_bytes(8, "big"),
        p=at.state.pq.p.to_bytes(4, "big"),
        q=at.state.pq.q.to_bytes(4, "big"),
        nonce=at.request.nonce,
        server_nonce=at.request.server_nonce,
        new_nonce=le_int(at.new_nonce),
    )
    encrypted = rsa.legacy_rsa_encrypt(bytes(legacy_inner), public, at.random)
    state = step2(at, with_fields(at.request, encrypted_data=encrypted))
    assert state.dc_id is None
    # a legacy block whose SHA1 does not cover the data is refused
    data = bytes(legacy_inner)
    block = b"\x00" + hashlib.sha1(data + b"x").digest() + data
    block += bytes(256 - len(block))
    forged = rsa.rsa_encrypt_raw(block, public)
    with pytest.raises(HandshakeError, match="legacy SHA1 scheme"):
        step2(at, with_fields(at.request, encrypted_data=forged))


def test_temp_key_inner_data(server_key: RSAPrivateKey) -> None:
    at = at_server_step2(server_key)
    base = inner_for(at)
    fields = {name: getattr(base, name) for name in base.__slots__}
    temp = types.PQInnerDataTempDc(**fields, expires_in=600)  # type: ignore[arg-type]
    encrypted = rsa.rsa_pad_encrypt(bytes(temp), server_key.public_key, at.random)
    assert step2(at, with_fields(at.request, encrypted_data=encrypted)).expires_in == 600
    bad = types.PQInnerDataTempDc(**fields, expires_in=0)  # type: ignore[arg-type]
    encrypted = rsa.rsa_pad_encrypt(bytes(bad), server_key.public_key, at.random)
    with pytest.raises(HandshakeError, match="expires_in must be positive"):
        step2(at, with_fields(at.request, encrypted_data=encrypted))


def test_outer_p_q_mismatch(server_key: RSAPrivateKey) -> None:
    at = at_server_step2(server_key)
    swapped = with_fields(at.request, p=at.request.q, q=at.request.p)
    with pytest.raises(HandshakeError, match="p and q do not factor the pq"):
        step2(at, swapped)


@pytest.mark.parametrize(
    ("field", "message"),
    [("pq", "pq does not match"), ("p", "p and q do not match"), ("nonce", "PQInnerDataDc: nonce")],
)
def test_inner_data_mismatch(server_key: RSAPrivateKey, field: str, message: str) -> None:
    at = at_server_step2(server_key)
    change: dict[str, object] = {
        "pq": (at.state.pq.pq + 2).to_bytes(8, "big"),
        "p": (at.state.pq.p + 2).to_bytes(4, "big"),
        "nonce": at.request.nonce ^ 1,
    }
    inner = inner_for(at, **{field: change[field]})
    encrypted = rsa.rsa_pad_encrypt(bytes(inner), server_key.public_key, at.random)
    with pytest.raises(HandshakeError, match=message):
        step2(at, with_fields(at.request, encrypted_data=encrypted))


def test_inner_data_of_the_wrong_type(server_key: RSAPrivateKey) -> None:
    at = at_server_step2(server_key)
    encrypted = rsa.rsa_pad_encrypt(bytes(types.Pong(msg_id=1, ping_id=2)), server_key.public_key, at.random)
    with pytest.raises(HandshakeError, match="expected PQInnerData"):
        step2(at, with_fields(at.request, encrypted_data=encrypted))


# --- step 3: set_client_DH_params -------------------------------------------------------------


def set_client_dh(
    state: DHParamsSent, g_b: bytes, *, retry_id: int = 0, corrupt_hash: bool = False
) -> functions.SetClientDHParams:
    inner = types.ClientDHInnerData(
        nonce=le_int(state.nonce), server_nonce=le_int(state.server_nonce), retry_id=retry_id, g_b=g_b
    )
    plain = bytearray(wrap_with_sha1(bytes(inner), lambda n: bytes(n)))
    if corrupt_hash:
        plain[3] ^= 1
    return functions.SetClientDHParams(
        nonce=le_int(state.nonce),
        server_nonce=le_int(state.server_nonce),
        encrypted_data=ige.aes_ige_encrypt(bytes(plain), state.tmp_aes_key, state.tmp_aes_iv),
    )


GOOD_G_B = pow(3, 2**2040 + 977, P)


def test_good_g_b_gives_the_key(server_key: RSAPrivateKey) -> None:
    state = step2(at_server_step2(server_key))
    outcome = answer_set_client_dh_params(state, set_client_dh(state, GOOD_G_B.to_bytes(256, "big")))
    assert isinstance(outcome, KeyAgreed)
    assert outcome.auth_key == pow(GOOD_G_B, state.a, P).to_bytes(256, "big")
    expected = kdf.new_nonce_hash(state.new_nonce, 1, outcome.auth_key)
    assert outcome.answer.new_nonce_hash1 == le_int(expected)


def test_short_g_b_is_read_as_a_big_endian_number(server_key: RSAPrivateKey) -> None:
    """Telethon strips leading zero bytes from g_b: 251 bytes must be accepted."""
    state = step2(at_server_step2(server_key))
    g_b = 2**2000 + 12345
    short = g_b.to_bytes(251, "big")
    outcome = answer_set_client_dh_params(state, set_client_dh(state, short))
    assert isinstance(outcome, KeyAgreed)
    assert outcome.auth_key == pow(g_b, state.a, P).to_bytes(256, "big")


@pytest.mark.parametrize(
    ("g_b", "message"),
    [
        ((1).to_bytes(256, "big"), "> 1"),
        ((P - 1).to_bytes(256, "big"), "< dh_prime - 1"),
        ((2**1983).to_bytes(256, "big"), r">= 2\*\*1984"),
        ((P - 2**1983).to_bytes(256, "big"), r"<= dh_prime - 2\*\*1984"),
        (b"", "> 1"),
        (b"\x00" + GOOD_G_B.to_bytes(256, "big"), "at most 256"),
    ],
)
def test_out_of_range_g_b(server_key: RSAPrivateKey, g_b: bytes, message: str) -> None:
    state = step2(at_server_step2(server_key))
    with pytest.raises(HandshakeError, match=message):
        answer_set_client_dh_params(state, set_client_dh(state, g_b))


def test_bad_sha1_in_client_dh_inner_data(server_key: RSAPrivateKey) -> None:
    state = step2(at_server_step2(server_key))
    with pytest.raises(HandshakeError, match="SHA1"):
        answer_set_client_dh_params(
            state, set_client_dh(state, GOOD_G_B.to_bytes(256, "big"), corrupt_hash=True)
        )


def test_wrong_retry_id(server_key: RSAPrivateKey) -> None:
    state = step2(at_server_step2(server_key))
    with pytest.raises(HandshakeError, match="retry_id"):
        answer_set_client_dh_params(state, set_client_dh(state, GOOD_G_B.to_bytes(256, "big"), retry_id=5))


def test_wrong_nonce_in_set_client_dh_params(server_key: RSAPrivateKey) -> None:
    state = step2(at_server_step2(server_key))
    request = set_client_dh(state, GOOD_G_B.to_bytes(256, "big"))
    forged = functions.SetClientDHParams(
        nonce=request.nonce, server_nonce=request.server_nonce ^ 2, encrypted_data=request.encrypted_data
    )
    with pytest.raises(HandshakeError, match="server_nonce"):
        answer_set_client_dh_params(state, forged)


# --- the driver ---------------------------------------------------------------------------


#: A fixed server clock and a client msg_id for "now" on it.
_NOW = 1_700_000_000.0
_NOW_ID = int(_NOW) << 32


def _clocked(server_key: RSAPrivateKey) -> ServerHandshake:
    return ServerHandshake([server_key], random_bytes=SeededRandom(1), clock=lambda: _NOW)


def test_driver_rejects_client_msg_id_not_divisible_by_4(server_key: RSAPrivateKey) -> None:
    with pytest.raises(HandshakeError, match="not a positive multiple of 4"):
        _clocked(server_key).receive(pack_plain(bytes(functions.ReqPqMulti(nonce=1)), _NOW_ID + 6))


@pytest.mark.parametrize(
    ("msg_id", "match"),
    [
        (0, "not a positive multiple of 4"),
        (-(_NOW_ID), "not a positive multiple of 4"),
        (_NOW_ID + (31 << 32), r"\+31 s from server time"),
        (_NOW_ID - (301 << 32), r"-301 s from server time"),
        (4, "s from server time"),
    ],
)
def test_driver_checks_the_unencrypted_msg_id_like_an_encrypted_one(
    server_key: RSAPrivateKey, msg_id: int, match: str
) -> None:
    # The same window as encrypted messages (-300..+30 s): 0, negative and far-off ids are refused.
    with pytest.raises(HandshakeError, match=match):
        _clocked(server_key).receive(pack_plain(bytes(functions.ReqPqMulti(nonce=1)), msg_id))


def test_driver_accepts_a_msg_id_inside_the_window(server_key: RSAPrivateKey) -> None:
    for skew in (-299, 0, 29):
        answer = _clocked(server_key).receive(pack_plain(bytes(functions.ReqPqMulti(nonce=1)), _NOW_ID + (skew << 32)))
        assert isinstance(answer, bytes)


def test_driver_rejects_out_of_order_requests(server_key: RSAPrivateKey) -> None:
    server = _clocked(server_key)
    request = functions.SetClientDHParams(nonce=1, server_nonce=2, encrypted_data=bytes(16))
    with pytest.raises(HandshakeError, match="SetClientDHParams is out of order"):
        server.receive(pack_plain(bytes(request), _NOW_ID))


def test_driver_rejects_non_handshake_objects(server_key: RSAPrivateKey) -> None:
    server = _clocked(server_key)
    with pytest.raises(HandshakeError, match="got Ping"):
        server.receive(pack_plain(bytes(functions.Ping(ping_id=1)), _NOW_ID))


def test_driver_rejects_an_encrypted_message(server_key: RSAPrivateKey) -> None:
    server = ServerHandshake([server_key], random_bytes=SeededRandom(1))
    with pytest.raises(HandshakeError, match="auth_key_id"):
        server.receive(b"\x01" * 8 + bytes(32))


def test_server_refuses_a_bad_dh_group(server_key: RSAPrivateKey) -> None:
    with pytest.raises(HandshakeError):
        ServerHandshake([server_key], g=2)
    with pytest.raises(ValueError):
        ServerHandshake([])
