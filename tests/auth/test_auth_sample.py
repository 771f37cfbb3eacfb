"""Telegram's published handshake (corefork.telegram.org/mtproto/samples-auth_key) as a test vector.

The client replays the whole sample: fed the published nonces, new_nonce,
RSA_PAD padding, b and AES padding through its injected random source and the
published msg_ids, it must produce the published req_pq_multi,
p_q_inner_data_dc, req_DH_params (up to encrypted_data) and
set_client_DH_params bytes exactly, and end with the published auth key.

What the sample does not allow: the RSA_PAD ``temp_key`` is not published,
so the 256 bytes of req_DH_params.encrypted_data cannot match (we check ours
against an independent spec implementation instead); the server's ``a`` and
Telegram's private RSA keys are unknown, so our *server* cannot replay the
sample (we check its encryption of server_DH_inner_data against the published
encrypted_answer instead).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import pytest

import auth_vectors as v
from auth_helpers import FixedClock
from tlruntime.auth import AuthKeyResult, ClientHandshake
from tlruntime.auth._wire import wrap_with_sha1
from tlruntime.auth.plain import unpack_plain
from tlruntime.crypto import ige, kdf
from tlruntime.crypto import rsa as crypto_rsa
from tlruntime.crypto.dh import TELEGRAM_DH_PRIME
from tlruntime.crypto.rsa import RSAPublicKey
from tlruntime.errors import LengthError
from tlruntime.tl import types


class RandomBySize:
    """Serves queued chunks per requested size, in order (RSA_PAD may redraw temp_key)."""

    def __init__(self, *chunks: bytes) -> None:
        self.queues: dict[int, list[bytes]] = defaultdict(list)
        for chunk in chunks:
            self.queues[len(chunk)].append(chunk)

    def __call__(self, n: int) -> bytes:
        assert self.queues[n], f"unexpected random request for {n} bytes"
        return self.queues[n].pop(0)


def telegram_public_key() -> RSAPublicKey:
    """The Telegram key of the sample's chosen fingerprint (checked against it)."""
    key = RSAPublicKey(v.TELEGRAM_KEY_N, v.TELEGRAM_KEY_E)
    assert key.fingerprint == int.from_bytes(v.CHOSEN_FINGERPRINT_WIRE, "little", signed=True)
    return key


def spec_rsa_pad(data: bytes, temp_key: bytes, padding: bytes, key: RSAPublicKey) -> bytes:
    """RSA_PAD written out from /mtproto/auth_key step 4.1, independently of tlruntime.crypto.rsa."""
    data_with_padding = data + padding
    data_with_hash = data_with_padding[::-1] + hashlib.sha256(temp_key + data_with_padding).digest()
    aes_encrypted = ige.aes_ige_encrypt(data_with_hash, temp_key, bytes(32))
    mask = hashlib.sha256(aes_encrypted).digest()
    key_aes_encrypted = bytes(a ^ b for a, b in zip(temp_key, mask)) + aes_encrypted
    number = int.from_bytes(key_aes_encrypted, "big")
    assert number < key.n, "pick another temp_key for this test"
    return pow(number, key.e, key.n).to_bytes(256, "big")


def test_client_replays_the_published_handshake(monkeypatch: pytest.MonkeyPatch) -> None:
    key = telegram_public_key()
    temp_keys = [hashlib.sha256(bytes([i])).digest() for i in range(8)]
    rsa_pad_inputs: list[bytes] = []
    real_rsa_pad = crypto_rsa.rsa_pad_encrypt

    def spy(data: bytes, public_key: RSAPublicKey, random_bytes: object) -> bytes:
        rsa_pad_inputs.append(bytes(data))
        return real_rsa_pad(data, public_key, random_bytes)  # type: ignore[arg-type]

    monkeypatch.setattr(crypto_rsa, "rsa_pad_encrypt", spy)
    random = RandomBySize(
        v.NONCE, v.NEW_NONCE, v.RSA_PAD_RANDOM_PADDING, *temp_keys, v.B, v.CLIENT_DH_PADDING
    )
    msg_ids = iter([v.msg_id_of(v.REQ_PQ_MULTI), v.msg_id_of(v.REQ_DH_PARAMS), v.msg_id_of(v.SET_CLIENT_DH_PARAMS)])
    clock = FixedClock(v.SERVER_TIME - 42.5)
    client = ClientHandshake(
        {key.fingerprint: key}, dc_id=v.DC_ID, random_bytes=random, clock=clock, msg_ids=lambda: next(msg_ids)
    )

    # 1) req_pq_multi, byte for byte
    assert client.start() == v.REQ_PQ_MULTI

    # 2-5) p_q_inner_data_dc is the published one; req_DH_params matches up to encrypted_data
    req_dh_params = client.receive(v.with_true_length(v.RES_PQ))
    assert isinstance(req_dh_params, bytes)
    assert rsa_pad_inputs == [v.P_Q_INNER_DATA_DC]
    assert len(req_dh_params) == len(v.REQ_DH_PARAMS)
    assert req_dh_params[: v.REQ_DH_PARAMS_FIXED_PART] == v.REQ_DH_PARAMS[: v.REQ_DH_PARAMS_FIXED_PART]
    used_temp_keys = 8 - len(random.queues[32])
    encrypted_data = req_dh_params[v.REQ_DH_PARAMS_FIXED_PART :]
    assert encrypted_data == spec_rsa_pad(
        v.P_Q_INNER_DATA_DC, temp_keys[used_temp_keys - 1], v.RSA_PAD_RANDOM_PADDING, key
    )

    # 6-7) decrypt server_DH_inner_data, check it, answer with the published g_b: byte for byte
    set_client_dh_params = client.receive(v.with_true_length(v.SERVER_DH_PARAMS_OK))
    assert set_client_dh_params == v.SET_CLIENT_DH_PARAMS

    # 8-9) dh_gen_ok verifies against the published auth key
    result = client.receive(v.with_true_length(v.DH_GEN_OK))
    assert isinstance(result, AuthKeyResult)
    assert result.auth_key == v.AUTH_KEY
    assert result.auth_key_id == hashlib.sha1(v.AUTH_KEY).digest()[-8:]
    salt = bytes(a ^ b for a, b in zip(v.NEW_NONCE[:8], v.SERVER_NONCE[:8]))
    assert result.server_salt == int.from_bytes(salt, "little", signed=True)
    assert result.time_offset == 43  # server_time - int(local time)
    assert result.expires_in is None
    assert client.result is result
    assert all(not queue for size, queue in random.queues.items() if size != 32)


@pytest.mark.parametrize("payload", [v.RES_PQ, v.SERVER_DH_PARAMS_OK, v.DH_GEN_OK])
def test_page_server_messages_have_wrong_length_fields(payload: bytes) -> None:
    """Documents the page's inconsistency (see auth_vectors.with_true_length); we stay strict."""
    declared = int.from_bytes(payload[16:20], "little")
    assert declared != len(payload) - 20
    with pytest.raises(LengthError):
        unpack_plain(payload)
    assert unpack_plain(v.with_true_length(payload))[1] == payload[20:]


@pytest.mark.parametrize("payload", [v.REQ_PQ_MULTI, v.REQ_DH_PARAMS, v.SET_CLIENT_DH_PARAMS])
def test_page_client_messages_are_consistent(payload: bytes) -> None:
    assert unpack_plain(payload) == (v.msg_id_of(payload), payload[20:])


def test_published_tmp_aes_key_and_iv() -> None:
    assert kdf.handshake_aes_key_iv(v.NEW_NONCE, v.SERVER_NONCE) == (v.TMP_AES_KEY, v.TMP_AES_IV)


def test_published_encrypted_answer_decrypts_to_server_dh_inner_data() -> None:
    plain = ige.aes_ige_decrypt(v.ENCRYPTED_ANSWER, v.TMP_AES_KEY, v.TMP_AES_IV)
    assert plain == v.ANSWER_HASH + v.SERVER_DH_INNER_DATA + v.ANSWER_PADDING
    inner = types.ServerDHInnerData.from_bytes(v.SERVER_DH_INNER_DATA)
    assert inner.g == 3
    assert int.from_bytes(inner.dh_prime, "big") == TELEGRAM_DH_PRIME
    assert inner.server_time == v.SERVER_TIME
    assert inner.nonce == int.from_bytes(v.NONCE, "little", signed=True)


def test_server_side_encryption_reproduces_published_encrypted_answer() -> None:
    """Our server's SHA1 + data + padding wrapping and IGE, fed the published padding."""
    wrapped = wrap_with_sha1(v.SERVER_DH_INNER_DATA, lambda n: v.ANSWER_PADDING[:n])
    assert ige.aes_ige_encrypt(wrapped, v.TMP_AES_KEY, v.TMP_AES_IV) == v.ENCRYPTED_ANSWER


def test_published_client_dh_inner_data_and_new_nonce_hash1() -> None:
    inner = types.ClientDHInnerData.from_bytes(v.CLIENT_DH_INNER_DATA)
    assert inner.retry_id == 0 and inner.g_b == v.G_B
    dh_gen_ok = types.DhGenOk.from_bytes(v.DH_GEN_OK[20:])
    expected = kdf.new_nonce_hash(v.NEW_NONCE, 1, v.AUTH_KEY)
    assert dh_gen_ok.new_nonce_hash1 == int.from_bytes(expected, "little", signed=True)
