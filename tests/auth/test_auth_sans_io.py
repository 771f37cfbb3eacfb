"""The auth core is sans-IO: importing it pulls in neither asyncio nor socket."""

from __future__ import annotations

import subprocess
import sys


def test_auth_imports_neither_asyncio_nor_socket() -> None:
    code = (
        "import sys\n"
        "import tlruntime.auth, tlruntime.auth.client, tlruntime.auth.server, tlruntime.auth.pq\n"
        "print(','.join(m for m in ('asyncio', 'socket') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"tlruntime.auth imported: {out.stdout.strip()}"
