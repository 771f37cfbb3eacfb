"""Fixtures of the end-to-end tests: real sockets, 127.0.0.1 only, always bounded."""

from __future__ import annotations

import pytest

from tlruntime.crypto.rsa import RSAPrivateKey


@pytest.fixture(scope="session")
def server_key() -> RSAPrivateKey:
    """One 2048-bit key for the whole run: generating one per test would waste time."""
    return RSAPrivateKey.generate(2048)
