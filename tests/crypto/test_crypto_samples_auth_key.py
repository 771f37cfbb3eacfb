"""Known-answer tests: Telegram's own worked handshake (mtproto/samples-auth_key) through our functions."""

from __future__ import annotations

import hashlib

import samples_auth_key as sample

from tlruntime.crypto import (
    TELEGRAM_DH_PRIME,
    RSAPublicKey,
    aes_ige_decrypt,
    aes_ige_encrypt,
    auth_key_aux_hash,
    bytes_to_int,
    check_dh_params,
    check_dh_value,
    factorize_pq,
    handshake_aes_key_iv,
    initial_server_salt,
    int_to_bytes,
    new_nonce_hash,
)


def test_pq_bytes_and_factorization() -> None:
    pq = bytes_to_int(sample.PQ_BYTES)
    assert pq == sample.PQ
    assert factorize_pq(pq) == (sample.P, sample.Q)
    # p and q go back on the wire as minimal big-endian strings (4 bytes each here).
    assert int_to_bytes(sample.P) == bytes.fromhex("3C2357CF")
    assert int_to_bytes(sample.Q) == bytes.fromhex("56BFB29F")
    assert int_to_bytes(sample.PQ) == sample.PQ_BYTES


def test_p_q_inner_data_carries_the_sample_values() -> None:
    # The sample's p_q_inner_data_dc embeds pq, p, q, the nonces and new_nonce at fixed offsets.
    data = sample.P_Q_INNER_DATA
    assert data[5:13] == sample.PQ_BYTES
    assert data[32:48] == sample.NONCE
    assert data[48:64] == sample.SERVER_NONCE
    assert data[64:96] == sample.NEW_NONCE


def test_server_key_fingerprint_matches_the_one_chosen_on_the_wire() -> None:
    key = RSAPublicKey(sample.SERVER_KEY_N, sample.SERVER_KEY_E)
    wire = int.from_bytes(sample.SERVER_KEY_FINGERPRINT_WIRE, "little", signed=True)
    assert key.fingerprint == wire
    assert key.fingerprint & 0xFFFFFFFFFFFFFFFF == 0xD09D1D85DE64FD85


def test_tmp_aes_key_and_iv() -> None:
    assert handshake_aes_key_iv(sample.NEW_NONCE, sample.SERVER_NONCE) == (
        sample.TMP_AES_KEY,
        sample.TMP_AES_IV,
    )


def test_encrypted_answer_decrypts_to_server_dh_inner_data() -> None:
    answer_with_hash = aes_ige_decrypt(sample.ENCRYPTED_ANSWER, sample.TMP_AES_KEY, sample.TMP_AES_IV)
    assert answer_with_hash == sample.ANSWER_WITH_HASH
    answer = answer_with_hash[20 : 20 + sample.SERVER_DH_INNER_DATA_LENGTH]
    assert hashlib.sha1(answer).digest() == answer_with_hash[:20]
    assert answer[:4] == bytes.fromhex("BA0D89B5")  # server_DH_inner_data constructor
    assert answer[4:20] == sample.NONCE
    assert answer[20:36] == sample.SERVER_NONCE
    assert int.from_bytes(answer[36:40], "little") == sample.G
    assert answer[44:300] == sample.DH_PRIME
    assert answer[304:560] == sample.G_A
    # and the reverse direction gives the server's ciphertext back
    assert aes_ige_encrypt(answer_with_hash, sample.TMP_AES_KEY, sample.TMP_AES_IV) == sample.ENCRYPTED_ANSWER


def test_client_dh_inner_data_encrypts_to_the_sample() -> None:
    data = sample.CLIENT_DH_INNER_DATA
    data_with_hash = hashlib.sha1(data).digest() + data + sample.CLIENT_DH_PADDING
    encrypted = aes_ige_encrypt(data_with_hash, sample.TMP_AES_KEY, sample.TMP_AES_IV)
    assert encrypted == sample.CLIENT_DH_ENCRYPTED_DATA


def test_dh_values_of_the_sample_pass_every_check() -> None:
    dh_prime = bytes_to_int(sample.DH_PRIME)
    assert dh_prime == TELEGRAM_DH_PRIME
    check_dh_params(dh_prime, sample.G)
    g_a = bytes_to_int(sample.G_A)
    g_b = bytes_to_int(sample.G_B)
    check_dh_value(g_a, dh_prime)
    check_dh_value(g_b, dh_prime)
    b = bytes_to_int(sample.B)
    assert pow(sample.G, b, dh_prime) == g_b
    assert int_to_bytes(pow(g_a, b, dh_prime), 256) == sample.AUTH_KEY


def test_new_nonce_hash1_of_dh_gen_ok() -> None:
    assert new_nonce_hash(sample.NEW_NONCE, 1, sample.AUTH_KEY) == sample.NEW_NONCE_HASH1
    # the three numbers give three different hashes (dh_gen_ok/retry/fail cannot be swapped)
    hashes = {new_nonce_hash(sample.NEW_NONCE, n, sample.AUTH_KEY) for n in (1, 2, 3)}
    assert len(hashes) == 3


def test_initial_server_salt_is_the_xor_of_the_nonces() -> None:
    salt = initial_server_salt(sample.NEW_NONCE, sample.SERVER_NONCE)
    expected = bytes(a ^ b for a, b in zip(sample.NEW_NONCE[:8], sample.SERVER_NONCE[:8]))
    assert salt == int.from_bytes(expected, "little", signed=True)
    assert auth_key_aux_hash(sample.AUTH_KEY) == hashlib.sha1(sample.AUTH_KEY).digest()[:8]
