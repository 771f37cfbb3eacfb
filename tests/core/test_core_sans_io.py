"""The protocol core is sans-IO: importing and using it loads no IO module.

One probe covers the whole core (crypto, transports, auth, session): every
package and submodule is imported, and the lazily loaded parts (cryptography
for RSA, the generated layer for the session) are exercised too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CORE = (
    "tlruntime.session",
    "tlruntime.crypto",
    "tlruntime.crypto.rsa",
    "tlruntime.transports",
    "tlruntime.auth",
    "tlruntime.auth.client",
    "tlruntime.auth.server",
    "tlruntime.auth.pq",
    "tlruntime.endpoint",
)

_PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
# Exercise the lazily loaded parts too: they must not pull IO in either.
import os
from tlruntime.crypto import RSAPrivateKey, rsa_pad_decrypt, rsa_pad_encrypt
key = RSAPrivateKey.generate(2048)
rsa_pad_decrypt(rsa_pad_encrypt(b"x", key.public_key, os.urandom), key)
from tlruntime.session import Session
client = Session(bytes(range(256)), side="client", server_salt=1)
server = Session(bytes(range(256)), side="server", server_salt=1)
client.ping(1)
for payload in client.outgoing():
    server.receive(payload)
for payload in server.outgoing():
    client.receive(payload)
from tlruntime.endpoint import ServerEndpoint
from tlruntime.transports import make_client_codec
endpoint = ServerEndpoint([key])
connection = endpoint.connect(("127.0.0.1", 1))
codec = make_client_codec("intermediate")
connection.receive(codec.initial_bytes() + codec.encode(bytes(8) + bytes(32)))
endpoint.poll()
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("asyncio", "socket", "selectors", "ssl"))))
"""


def test_core_imports_neither_asyncio_nor_socket() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE, *CORE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    loaded = json.loads(completed.stdout.strip().splitlines()[-1])
    assert loaded == [], f"the sans-IO core imported {loaded}"
