"""Fixtures of the endpoint tests: no sockets, an injected clock."""

from __future__ import annotations

import pytest

from tlruntime.crypto.rsa import RSAPrivateKey


@pytest.fixture(scope="session")
def server_key() -> RSAPrivateKey:
    return RSAPrivateKey.generate(2048)
