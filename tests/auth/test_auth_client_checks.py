"""Every check the client makes (security guidelines), each fed a crafted bad answer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest

from auth_helpers import FixedClock, SeededRandom, exchange
from tlruntime.auth import ClientHandshake, ServerHandshake
from tlruntime.auth._wire import le_bytes, le_int, unwrap_sha1
from tlruntime.auth.client import (
    ClientDHSent,
    DHParamsRequested,
    answer_dh_gen,
    answer_res_pq,
    answer_server_dh_params,
    request_pq,
)
from tlruntime.auth.server import answer_req_pq
from tlruntime.crypto import ige, kdf
from tlruntime.crypto.dh import TELEGRAM_DH_PRIME
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import HandshakeError
from tlruntime.tl import functions, types

P = TELEGRAM_DH_PRIME
NOW = 1_700_000_000.0


@dataclass
class AtStep3:
    """A client that has sent req_DH_params, and the random source it uses."""

    state: DHParamsRequested
    random: SeededRandom


def at_step3(key: RSAPrivateKey, seed: int = 1) -> AtStep3:
    rnd = SeededRandom(seed)
    public = key.public_key
    c1, req_pq = request_pq(rnd)
    _s1, res_pq = answer_req_pq(req_pq, fingerprints=[public.fingerprint], random_bytes=rnd)
    c2, _req = answer_res_pq(c1, res_pq, {public.fingerprint: public}, dc_id=2, random_bytes=rnd)
    return AtStep3(c2, rnd)


def inner_data(state: DHParamsRequested, **overrides: object) -> types.ServerDHInnerData:
    fields: dict[str, object] = {
        "nonce": le_int(state.nonce),
        "server_nonce": le_int(state.server_nonce),
        "g": 3,
        "dh_prime": P.to_bytes(256, "big"),
        "g_a": pow(3, 2**2000 + 12345, P).to_bytes(256, "big"),
        "server_time": int(NOW),
    }
    fields.update(overrides)
    return types.ServerDHInnerData(**fields)  # type: ignore[arg-type]


def dh_params_ok(
    state: DHParamsRequested, inner: types.ServerDHInnerData, *, corrupt_hash: bool = False
) -> types.ServerDHParamsOk:
    key, iv = kdf.handshake_aes_key_iv(state.new_nonce, state.server_nonce)
    data = bytes(inner)
    digest = bytearray(hashlib.sha1(data).digest())
    if corrupt_hash:
        digest[7] ^= 0x01
    plain = bytes(digest) + data
    plain += bytes(-len(plain) % 16)
    return types.ServerDHParamsOk(
        nonce=le_int(state.nonce),
        server_nonce=le_int(state.server_nonce),
        encrypted_answer=ige.aes_ige_encrypt(plain, key, iv),
    )


def step3(at: AtStep3, answer: types.ServerDHParamsOk | types.ServerDHParamsFail) -> ClientDHSent:
    state, _request = answer_server_dh_params(at.state, answer, now=NOW, random_bytes=at.random)
    return state


# --- resPQ -----------------------------------------------------------------------------


def test_wrong_nonce_in_res_pq(server_key: RSAPrivateKey) -> None:
    def flip_nonce(direction: str, payload: bytes) -> bytes:
        if direction == "s2c" and payload[20:24] == b"\x63\x24\x16\x05":  # resPQ
            return payload[:24] + bytes([payload[24] ^ 1]) + payload[25:]
        return payload

    public = server_key.public_key
    client = ClientHandshake([public], dc_id=2, random_bytes=SeededRandom(2))
    server = ServerHandshake([server_key], random_bytes=SeededRandom(3))
    with pytest.raises(HandshakeError, match="resPQ: nonce does not match"):
        exchange(client, server, tamper=flip_nonce)
    with pytest.raises(HandshakeError, match="over"):
        client.receive(b"")  # a failed handshake stays failed


def test_unknown_fingerprint(server_key: RSAPrivateKey, other_key: RSAPrivateKey) -> None:
    rnd = SeededRandom(4)
    c1, req_pq = request_pq(rnd)
    _s1, res_pq = answer_req_pq(
        req_pq, fingerprints=[server_key.public_key.fingerprint], random_bytes=rnd
    )
    known = {other_key.public_key.fingerprint: other_key.public_key}
    with pytest.raises(HandshakeError, match="no known RSA key among the server's fingerprints"):
        answer_res_pq(c1, res_pq, known, dc_id=2, random_bytes=rnd)


@pytest.mark.parametrize(
    ("pq", "message"),
    [
        ((2**61 - 1).to_bytes(8, "big"), "prime"),  # a Mersenne prime is not p * q
        (bytes(9) + b"\x0f", "at most 8"),  # a hostile huge pq is never factored
        (b"", "at most 8"),
    ],
)
def test_bad_pq(server_key: RSAPrivateKey, pq: bytes, message: str) -> None:
    rnd = SeededRandom(5)
    public = server_key.public_key
    c1, req_pq = request_pq(rnd)
    res_pq = types.ResPQ(
        nonce=req_pq.nonce, server_nonce=77, pq=pq, server_public_key_fingerprints=[public.fingerprint]
    )
    with pytest.raises(HandshakeError, match=message):
        answer_res_pq(c1, res_pq, {public.fingerprint: public}, dc_id=2, random_bytes=rnd)


# --- server_DH_params ----------------------------------------------------------------


def test_good_crafted_answer_is_accepted(server_key: RSAPrivateKey) -> None:
    """The crafting helpers themselves produce an acceptable answer (so the tests below fail for their one reason)."""
    at = at_step3(server_key)
    state = step3(at, dh_params_ok(at.state, inner_data(at.state)))
    assert state.g_a == pow(3, 2**2000 + 12345, P) and state.time_offset == 0


def test_wrong_server_nonce(server_key: RSAPrivateKey) -> None:
    at = at_step3(server_key)
    answer = dh_params_ok(at.state, inner_data(at.state))
    forged = types.ServerDHParamsOk(
        nonce=answer.nonce, server_nonce=answer.server_nonce ^ 1, encrypted_answer=answer.encrypted_answer
    )
    with pytest.raises(HandshakeError, match="server_nonce does not match"):
        step3(at, forged)


def test_wrong_server_nonce_inside_the_encrypted_answer(server_key: RSAPrivateKey) -> None:
    at = at_step3(server_key)
    inner = inner_data(at.state, server_nonce=le_int(at.state.server_nonce) + 1)
    with pytest.raises(HandshakeError, match="server_DH_inner_data: server_nonce does not match"):
        step3(at, dh_params_ok(at.state, inner))


def test_wrong_nonce_inside_the_encrypted_answer(server_key: RSAPrivateKey) -> None:
    at = at_step3(server_key)
    inner = inner_data(at.state, nonce=le_int(at.state.nonce) + 1)
    with pytest.raises(HandshakeError, match="server_DH_inner_data: nonce does not match"):
        step3(at, dh_params_ok(at.state, inner))


def test_bad_sha1_in_encrypted_answer(server_key: RSAPrivateKey) -> None:
    at = at_step3(server_key)
    with pytest.raises(HandshakeError, match="SHA1 in the decrypted data does not match"):
        step3(at, dh_params_ok(at.state, inner_data(at.state), corrupt_hash=True))


def test_encrypted_answer_not_a_multiple_of_16(server_key: RSAPrivateKey) -> None:
    at = at_step3(server_key)
    answer = dh_params_ok(at.state, inner_data(at.state))
    cut = types.ServerDHParamsOk(
        nonce=answer.nonce, server_nonce=answer.server_nonce, encrypted_answer=answer.encrypted_answer[:-4]
    )
    with pytest.raises(HandshakeError, match="not a multiple of 16"):
        step3(at, cut)


@pytest.mark.parametrize(
    ("prime", "g", "message"),
    [
        (P - 6, 3, "safe prime"),  # keeps p mod 3 == 2, so only the safe-prime test can fail
        (P >> 1, 3, "2048-bit"),
        (P, 2, "g=2"),  # g=2 needs p mod 8 == 7; Telegram's prime is 3 mod 8
        (P, 5, "g=5"),  # g=5 needs p mod 5 in (1, 4); it is 3
        (P, 9, "g=9"),
        (P, 1, "g=1"),
    ],
)
def test_unsafe_dh_params(server_key: RSAPrivateKey, prime: int, g: int, message: str) -> None:
    at = at_step3(server_key)
    inner = inner_data(at.state, dh_prime=prime.to_bytes(256, "big"), g=g)
    with pytest.raises(HandshakeError, match="dh_prime/g rejected: .*" + message):
        step3(at, dh_params_ok(at.state, inner))


@pytest.mark.parametrize(
    ("g_a", "message"),
    [
        (1, "> 1"),
        (P - 1, "< dh_prime - 1"),
        (2 ** (2048 - 64) - 1, r"2\*\*1984"),
        (P - 2 ** (2048 - 64) + 1, r"dh_prime - 2\*\*1984"),
    ],
)
def test_bad_g_a(server_key: RSAPrivateKey, g_a: int, message: str) -> None:
    at = at_step3(server_key)
    inner = inner_data(at.state, g_a=g_a.to_bytes(256, "big"))
    with pytest.raises(HandshakeError, match="g_a rejected: .*" + message):
        step3(at, dh_params_ok(at.state, inner))


def test_server_dh_params_fail(server_key: RSAPrivateKey) -> None:
    at = at_step3(server_key)
    genuine_hash = le_int(hashlib.sha1(at.state.new_nonce).digest()[4:20])
    fail = types.ServerDHParamsFail(
        nonce=le_int(at.state.nonce), server_nonce=le_int(at.state.server_nonce), new_nonce_hash=genuine_hash
    )
    with pytest.raises(HandshakeError, match="the server refused the DH parameters"):
        step3(at, fail)
    forged = types.ServerDHParamsFail(
        nonce=fail.nonce, server_nonce=fail.server_nonce, new_nonce_hash=genuine_hash ^ 1
    )
    with pytest.raises(HandshakeError, match="forged refusal"):
        step3(at, forged)


# --- dh_gen_ok / retry / fail --------------------------------------------------------------


def at_step4(key: RSAPrivateKey) -> tuple[ClientDHSent, SeededRandom]:
    at = at_step3(key)
    return step3(at, dh_params_ok(at.state, inner_data(at.state))), at.random


def gen_answer(cls: type, state: ClientDHSent, number: int, *, corrupt: bool = False) -> object:
    digest = bytearray(kdf.new_nonce_hash(state.new_nonce, number, state.auth_key))
    if corrupt:
        digest[0] ^= 0x80
    return cls(
        nonce=le_int(state.nonce),
        server_nonce=le_int(state.server_nonce),
        **{f"new_nonce_hash{number}": le_int(bytes(digest))},
    )


def test_dh_gen_ok_is_accepted(server_key: RSAPrivateKey) -> None:
    state, rnd = at_step4(server_key)
    result = answer_dh_gen(state, gen_answer(types.DhGenOk, state, 1), random_bytes=rnd)  # type: ignore[arg-type]
    assert not isinstance(result, tuple)
    assert result.auth_key == state.auth_key


def test_wrong_new_nonce_hash1(server_key: RSAPrivateKey) -> None:
    state, rnd = at_step4(server_key)
    with pytest.raises(HandshakeError, match="new_nonce_hash1 does not match"):
        answer_dh_gen(state, gen_answer(types.DhGenOk, state, 1, corrupt=True), random_bytes=rnd)  # type: ignore[arg-type]


def test_dh_gen_ok_carrying_the_retry_hash_is_refused(server_key: RSAPrivateKey) -> None:
    state, rnd = at_step4(server_key)
    swapped = types.DhGenOk(
        nonce=le_int(state.nonce),
        server_nonce=le_int(state.server_nonce),
        new_nonce_hash1=le_int(kdf.new_nonce_hash(state.new_nonce, 2, state.auth_key)),
    )
    with pytest.raises(HandshakeError, match="new_nonce_hash1"):
        answer_dh_gen(state, swapped, random_bytes=rnd)


def test_wrong_nonce_in_dh_gen(server_key: RSAPrivateKey) -> None:
    state, rnd = at_step4(server_key)
    ok = gen_answer(types.DhGenOk, state, 1)
    forged = types.DhGenOk(nonce=ok.nonce ^ 4, server_nonce=ok.server_nonce, new_nonce_hash1=ok.new_nonce_hash1)  # type: ignore[attr-defined]
    with pytest.raises(HandshakeError, match="DhGenOk: nonce does not match"):
        answer_dh_gen(state, forged, random_bytes=rnd)


def test_dh_gen_fail(server_key: RSAPrivateKey) -> None:
    state, rnd = at_step4(server_key)
    with pytest.raises(HandshakeError, match="dh_gen_fail"):
        answer_dh_gen(state, gen_answer(types.DhGenFail, state, 3), random_bytes=rnd)  # type: ignore[arg-type]
    with pytest.raises(HandshakeError, match="new_nonce_hash3 does not match"):
        answer_dh_gen(state, gen_answer(types.DhGenFail, state, 3, corrupt=True), random_bytes=rnd)  # type: ignore[arg-type]


def test_crafted_dh_gen_retry(server_key: RSAPrivateKey) -> None:
    state, rnd = at_step4(server_key)
    outcome = answer_dh_gen(state, gen_answer(types.DhGenRetry, state, 2), random_bytes=rnd)  # type: ignore[arg-type]
    assert isinstance(outcome, tuple)
    retried, request = outcome
    assert isinstance(request, functions.SetClientDHParams)
    assert retried.retries == 1
    assert retried.auth_key != state.auth_key  # a fresh b
    plain = ige.aes_ige_decrypt(request.encrypted_data, state.tmp_aes_key, state.tmp_aes_iv)
    inner = types.ClientDHInnerData.from_bytes(unwrap_sha1(plain, max_padding=15, what="test"))
    assert inner.retry_id == le_int(hashlib.sha1(state.auth_key).digest()[:8])  # auth_key_aux_hash
    assert len(inner.g_b) == 256  # our client always sends g_b as 256 bytes
    # the retry's own confirmation is checked against the new key
    final = answer_dh_gen(retried, gen_answer(types.DhGenOk, retried, 1), random_bytes=rnd)  # type: ignore[arg-type]
    assert not isinstance(final, tuple) and final.auth_key == retried.auth_key
    with pytest.raises(HandshakeError, match="new_nonce_hash1"):
        answer_dh_gen(retried, gen_answer(types.DhGenOk, state, 1), random_bytes=rnd)  # type: ignore[arg-type]


def test_retry_bound(server_key: RSAPrivateKey) -> None:
    state, rnd = at_step4(server_key)
    with pytest.raises(HandshakeError, match="retry more than 0 times"):
        answer_dh_gen(state, gen_answer(types.DhGenRetry, state, 2), random_bytes=rnd, max_retries=0)  # type: ignore[arg-type]


def test_client_refuses_even_msg_id_from_server(server_key: RSAPrivateKey) -> None:
    public = server_key.public_key
    client = ClientHandshake([public], dc_id=2, random_bytes=SeededRandom(9), clock=FixedClock(NOW))
    server = ServerHandshake([server_key], random_bytes=SeededRandom(10), msg_ids=lambda: 8, clock=FixedClock(NOW))
    with pytest.raises(HandshakeError, match="even msg_id"):
        exchange(client, server)


def test_client_refuses_an_unexpected_object(server_key: RSAPrivateKey) -> None:
    from tlruntime.auth.plain import pack_plain

    public = server_key.public_key
    client = ClientHandshake([public], dc_id=2, random_bytes=SeededRandom(9))
    client.start()
    pong = types.Pong(msg_id=1, ping_id=2)
    with pytest.raises(HandshakeError, match="expected ResPQ, got Pong"):
        client.receive(pack_plain(bytes(pong), 5))
    client = ClientHandshake([public], dc_id=2, random_bytes=SeededRandom(9))
    client.start()
    with pytest.raises(HandshakeError, match="cannot read the TL object"):
        client.receive(pack_plain(b"\x63\x24\x16\x05" + bytes(8), 5))  # truncated resPQ


def test_le_helpers_round_trip() -> None:
    assert le_bytes(le_int(b"\xff" * 16), 16) == b"\xff" * 16
