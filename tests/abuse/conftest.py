"""Fixtures of the abuse tests: hostile peers on 127.0.0.1 against small, named limits."""

from __future__ import annotations

import pytest

from tlruntime.crypto.rsa import RSAPrivateKey


@pytest.fixture(scope="session")
def server_key() -> RSAPrivateKey:
    return RSAPrivateKey.generate(2048)
