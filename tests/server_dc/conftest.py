"""Fixtures of the multi-DC server tests: real sockets on 127.0.0.1 only."""

from __future__ import annotations

import pytest

from tlruntime.crypto.rsa import RSAPrivateKey


@pytest.fixture(scope="session")
def server_key() -> RSAPrivateKey:
    """One 2048-bit key for the whole run (every DC of a LoopbackTelegram uses one key, as Telegram does)."""
    return RSAPrivateKey.generate(2048)
