"""Fixtures of the client's DC tests: real sockets on 127.0.0.1 only."""

from __future__ import annotations

import pytest

from tlruntime.crypto.rsa import RSAPrivateKey


@pytest.fixture(scope="session")
def dc_key() -> RSAPrivateKey:
    """One 2048-bit key shared by every loopback DC of the run (as Telegram's DCs share theirs)."""
    return RSAPrivateKey.generate(2048)
