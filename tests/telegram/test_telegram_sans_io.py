"""tlruntime.telegram and the MTProxy codecs are sans-IO: using them loads no asyncio, socket or ssl."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys
from tlruntime.telegram import builtin_dc_table, dc_address, parse_proxy_link, telegram_public_keys
from tlruntime.transports.fake_tls import FakeTlsClientHandshake, FakeTlsHelloVerifier
from tlruntime.transports.mtproxy import MTProxyAcceptor, mtproxy_client_codec
from tlruntime.transports.proxy_secret import MTProxySecret

dc_address(2); builtin_dc_table(test=True).address(1, ipv6=True); telegram_public_keys()
setting = parse_proxy_link("tg://proxy?server=127.0.0.1&port=443&secret=ee" + "11" * 16 + "6578616d706c652e636f6d")
secret = setting.secret
handshake = FakeTlsClientHandshake(secret, dc_id=2)
decision = MTProxyAcceptor(secret, verifier=FakeTlsHelloVerifier(secret)).feed(handshake.client_hello)
ready = handshake.feed(decision.reply)
message = bytes(8) + bytes(8) + (20).to_bytes(4, "little") + bytes(20)
assert decision.codec.feed(ready.codec.encode(message))[0].payload == message
client = mtproxy_client_codec(secret.key, dc_id=2)
assert MTProxyAcceptor(secret.key).feed(client.initial_bytes() + client.encode(message)).events[0].payload == message
from tlruntime.telegram.pfs import BindAuthKeyInner, auth_key_id, bind_message, open_bind_message
perm, temp = bytes(range(256)), bytes(255 - b for b in range(256))
inner = BindAuthKeyInner(1, auth_key_id(temp), auth_key_id(perm), 2, 1_800_000_000)
sealed = bind_message(perm, inner, msg_id=4)
assert open_bind_message(perm, sealed, msg_id=4, perm_auth_key_id=auth_key_id(perm), nonce=1,
                         expires_at=1_800_000_000, temp_auth_key_id=auth_key_id(temp), temp_session_id=2) == inner
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("asyncio", "socket", "selectors", "ssl"))))
"""


def test_telegram_facts_and_mtproxy_codecs_import_no_io() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == []
