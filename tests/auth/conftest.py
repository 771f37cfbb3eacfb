from __future__ import annotations

import pytest

from tlruntime.crypto.rsa import RSAPrivateKey


@pytest.fixture(scope="session")
def server_key() -> RSAPrivateKey:
    """One 2048-bit server key for the whole run (generation is the slow part)."""
    return RSAPrivateKey.generate()


@pytest.fixture(scope="session")
def other_key() -> RSAPrivateKey:
    """A key the server does not have."""
    return RSAPrivateKey.generate()
