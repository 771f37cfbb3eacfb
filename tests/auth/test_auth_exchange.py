"""Our client steps against our server steps, in memory."""

from __future__ import annotations

import pytest

from auth_helpers import FixedClock, SeededRandom, exchange
from tlruntime.auth import AuthKeyCreated, AuthKeyResult, ClientHandshake, ServerHandshake
from tlruntime.auth.plain import pack_plain, unpack_plain
from tlruntime.crypto import message
from tlruntime.crypto.rsa import RSAPrivateKey
from tlruntime.errors import HandshakeError
from tlruntime.tl import functions, types


def make_pair(
    key: RSAPrivateKey, seed: int, **server_options: object
) -> tuple[ClientHandshake, ServerHandshake]:
    public = key.public_key
    client = ClientHandshake(
        {public.fingerprint: public},
        dc_id=2,
        random_bytes=SeededRandom(seed),
        clock=FixedClock(1_700_000_000.25),
    )
    server = ServerHandshake(
        [key],
        random_bytes=SeededRandom(seed + 1),
        clock=FixedClock(1_700_000_100.75),
        **server_options,  # type: ignore[arg-type]
    )
    return client, server


def test_both_sides_agree_on_the_key(server_key: RSAPrivateKey) -> None:
    client, server = make_pair(server_key, 1)
    result, created, transcript = exchange(client, server)
    assert len(result.auth_key) == 256
    assert result.auth_key == created.auth_key
    assert result.auth_key_id == created.auth_key_id == message.auth_key_id(result.auth_key)
    assert result.server_salt == created.server_salt
    assert result.time_offset == 100  # server clock is 100.5 s ahead; int(now) on the client
    assert created.dc_id == 2 and created.expires_in is None
    assert len(transcript) == 6  # three requests, three answers
    assert client.result is result and server.result is created


def test_exchange_is_reproducible_byte_for_byte(server_key: RSAPrivateKey) -> None:
    first = exchange(*make_pair(server_key, 7))
    second = exchange(*make_pair(server_key, 7))
    assert first[2] == second[2]
    assert first[0] == second[0]
    other = exchange(*make_pair(server_key, 8))
    assert other[0].auth_key != first[0].auth_key


def test_temporary_key(server_key: RSAPrivateKey) -> None:
    public = server_key.public_key
    client = ClientHandshake([public], dc_id=2, random_bytes=SeededRandom(3), expires_in=3600)
    server = ServerHandshake([server_key], random_bytes=SeededRandom(4))
    result, created, transcript = exchange(client, server)
    assert result.expires_in == created.expires_in == 3600
    assert result.auth_key == created.auth_key


def test_server_refuses_another_dc(server_key: RSAPrivateKey) -> None:
    client, server = make_pair(server_key, 5, dc_id=4)
    with pytest.raises(HandshakeError, match="DC 2, this is DC 4"):
        exchange(client, server)


def test_auth_key_id_collision_makes_the_client_retry(server_key: RSAPrivateKey) -> None:
    taken: list[bytes] = []

    def key_exists(auth_key_id: bytes) -> bool:
        taken.append(auth_key_id)
        return len(taken) <= 2  # the first two keys "already exist"

    client, server = make_pair(server_key, 11, key_exists=key_exists)
    result, created, transcript = exchange(client, server)
    assert len(taken) == 3 and len(set(taken)) == 3  # a fresh b each time
    assert result.auth_key == created.auth_key
    assert created.auth_key_id == taken[-1]
    assert len(transcript) == 10  # two extra set_client_DH_params / dh_gen_retry rounds


def test_retries_are_bounded(server_key: RSAPrivateKey) -> None:
    client, server = make_pair(server_key, 12, key_exists=lambda _id: True, max_retries=2)
    with pytest.raises(HandshakeError, match="still taken after 2 retries"):
        exchange(client, server)

    public = server_key.public_key
    client = ClientHandshake([public], dc_id=2, random_bytes=SeededRandom(13), max_retries=1)
    server = ServerHandshake([server_key], random_bytes=SeededRandom(14), key_exists=lambda _id: True)
    with pytest.raises(HandshakeError, match="retry more than 1 times"):
        exchange(client, server)


def test_server_repeats_its_answer_to_a_repeated_request(server_key: RSAPrivateKey) -> None:
    client, server = make_pair(server_key, 21)
    first = client.start()
    answer = server.receive(first)
    assert server.receive(first) == answer  # the client lost our answer and sent it again
    follow_up = client.receive(answer)  # type: ignore[arg-type]
    assert isinstance(follow_up, bytes)
    assert isinstance(server.receive(follow_up), bytes)


def test_server_accepts_legacy_req_pq(server_key: RSAPrivateKey) -> None:
    server = ServerHandshake([server_key], random_bytes=SeededRandom(22), clock=lambda: 4.0)
    answer = server.receive(pack_plain(bytes(functions.ReqPq(nonce=123456789)), 4 << 32))
    assert isinstance(answer, bytes)
    msg_id, body = unpack_plain(answer)
    res_pq = types.ResPQ.from_bytes(body)
    assert msg_id % 4 == 1
    assert res_pq.nonce == 123456789
    assert res_pq.server_public_key_fingerprints == [server_key.public_key.fingerprint]
    pq = int.from_bytes(res_pq.pq, "big")
    assert 2**60 <= pq < 2**62


def test_handshake_objects_refuse_use_after_the_end(server_key: RSAPrivateKey) -> None:
    client, server = make_pair(server_key, 23)
    result, created, _ = exchange(client, server)
    with pytest.raises(HandshakeError, match="over"):
        client.receive(created.reply)
    with pytest.raises(HandshakeError, match="over"):
        server.receive(pack_plain(bytes(functions.ReqPqMulti(nonce=1)), 8))
    with pytest.raises(HandshakeError, match="already started"):
        client.start()


def test_client_needs_start_before_receive(server_key: RSAPrivateKey) -> None:
    client, _ = make_pair(server_key, 24)
    with pytest.raises(HandshakeError, match="before start"):
        client.receive(b"\x00" * 40)


def test_outcome_types(server_key: RSAPrivateKey) -> None:
    result, created, _ = exchange(*make_pair(server_key, 25))
    assert isinstance(result, AuthKeyResult) and isinstance(created, AuthKeyCreated)
    assert result.auth_key_id_int == created.auth_key_id_int
    assert result.auth_key_id_int == int.from_bytes(result.auth_key_id, "little", signed=True)
