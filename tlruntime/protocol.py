"""The protocol vocabulary, in one place: hand-written constructor ids, header sizes, limits of MTProto 2.0.

Everything here is a fact of the protocol (https://core.telegram.org/mtproto/description,
/mtproto/serialize, /mtproto/mtproto-transports, /mtproto/security_guidelines) that some
module needs before (or without) the generated layer.  Constructor ids the
generated layer has are read from it instead (``types.Pong.CONSTRUCTOR_ID``).
This module imports nothing, so every layer of the runtime may use it.
"""

from __future__ import annotations

__all__ = [
    "VECTOR_ID",
    "BOOL_TRUE_ID",
    "BOOL_FALSE_ID",
    "GZIP_PACKED_ID",
    "MESSAGE_ID",
    "MSG_CONTAINER_ID",
    "RPC_RESULT_ID",
    "RPC_ERROR_ID",
    "UNENCRYPTED_HEADER_SIZE",
    "ENCRYPTED_HEADER_SIZE",
    "PLAINTEXT_HEADER_SIZE",
    "OBFUSCATED_HEADER_SIZE",
    "MIN_PADDING",
    "MAX_PADDING",
    "MAX_PAST",
    "MAX_FUTURE",
    "MAX_CONTAINER_MESSAGES",
]

# --- constructor ids written by hand (built-in types, and mtproto.tl lines the runtime implements itself)

VECTOR_ID = 0x1CB5C415
BOOL_TRUE_ID = 0x997275B5
BOOL_FALSE_ID = 0xBC799737
GZIP_PACKED_ID = 0x3072CFA1
#: ``message msg_id:long seqno:int bytes:int body:Object`` (mtproto.tl; api.tl's ``message`` owns the name).
MESSAGE_ID = 0x5BB8E511
MSG_CONTAINER_ID = 0x73F1F8DC
RPC_RESULT_ID = 0xF35C6D01
RPC_ERROR_ID = 0x2144CA19

# --- header sizes (each is a different header: the names say which) --------------------------

#: Unencrypted message: auth_key_id (8, zero) + msg_id (8) + message_data_length (4).
UNENCRYPTED_HEADER_SIZE = 20
#: Encrypted message: auth_key_id (8) + msg_key (16), then whole 16-byte AES blocks.
ENCRYPTED_HEADER_SIZE = 24
#: Decrypted plaintext: salt (8) + session_id (8) + msg_id (8) + seq_no (4) + message_data_length (4).
PLAINTEXT_HEADER_SIZE = 32
#: The obfuscated2 transport's opening header.
OBFUSCATED_HEADER_SIZE = 64

# --- limits --------------------------------------------------------------------------------------

#: MTProto 2.0 padding after the plaintext: 12..1024 bytes.
MIN_PADDING = 12
MAX_PADDING = 1024
#: A peer msg_id may be at most this many seconds older than our estimate of server time...
MAX_PAST = 300
#: ...and at most this many seconds ahead of it (security guidelines).
MAX_FUTURE = 30
#: Telegram accepts at most 1020 messages in one container.
MAX_CONTAINER_MESSAGES = 1020
