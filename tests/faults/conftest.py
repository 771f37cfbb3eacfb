"""Fixtures of the fault-injection suite: 127.0.0.1 only, every scenario bounded in seconds."""

from __future__ import annotations

import pytest

from tlruntime.crypto.rsa import RSAPrivateKey


@pytest.fixture(scope="session")
def server_key() -> RSAPrivateKey:
    return RSAPrivateKey.generate(2048)
