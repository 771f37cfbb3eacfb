"""Fixtures of the PFS tests: real sockets on 127.0.0.1, seeded randomness, bounded runs."""

from __future__ import annotations

import pytest

from tlruntime.crypto.rsa import RSAPrivateKey


@pytest.fixture(scope="session")
def server_key() -> RSAPrivateKey:
    """One 2048-bit key for the whole run: generating one per test would waste time."""
    return RSAPrivateKey.generate(2048)
