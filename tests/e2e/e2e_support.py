"""Helpers shared by the end-to-end tests (a uniquely named module: tests/ is not a package).

pytest-asyncio is not a dependency, so each test drives its own event loop
through :func:`run`, which puts a hard timeout on the whole coroutine: a
protocol bug fails the test instead of hanging CI.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


HOST = "127.0.0.1"
DEFAULT_TEST_TIMEOUT = 60.0

# Every transport our client speaks and our server detects.
ALL_TRANSPORTS = (
    "abridged",
    "intermediate",
    "padded",
    "full",
    "obfuscated-abridged",
    "obfuscated-intermediate",
    "obfuscated-padded",
)


def run(coro: Coroutine[Any, Any, T], timeout: float = DEFAULT_TEST_TIMEOUT) -> T:
    """Run ``coro`` on a fresh event loop, failing (not hanging) after ``timeout`` seconds."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def future_date(seconds: int = 86_400) -> int:
    return int(time.time()) + seconds
