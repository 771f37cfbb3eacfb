"""The crypto package is part of the sans-IO core: importing it must not pull in asyncio or socket."""

from __future__ import annotations

import subprocess
import sys


def test_importing_crypto_loads_no_io_modules() -> None:
    code = (
        "import sys, tlruntime.crypto, tlruntime.crypto.rsa\n"
        "from tlruntime.crypto import RSAPrivateKey, rsa_pad_encrypt, rsa_pad_decrypt\n"
        "key = RSAPrivateKey.generate(2048)\n"
        "import os\n"
        "rsa_pad_decrypt(rsa_pad_encrypt(b'x', key.public_key, os.urandom), key)\n"
        "bad = sorted(m for m in ('asyncio', 'socket', 'selectors', 'ssl') if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
