"""The event loops the RPC rows run on: stdlib asyncio, and uvloop when installed.

uvloop is an optional extra (``pip install -e '.[uvloop]'``; ``make bench``
installs it).  Every client of a row runs on the same loop, so a row compares
clients, not loops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

ASYNCIO = "asyncio"
UVLOOP = "uvloop"
LOOPS = (ASYNCIO, UVLOOP)


def loop_factory(name: str) -> tuple[Callable[[], asyncio.AbstractEventLoop] | None, str | None]:
    """``(factory, None)`` for a loop name, or ``(None, why it is missing)``."""
    if name == ASYNCIO:
        return asyncio.new_event_loop, None
    if name == UVLOOP:
        try:
            import uvloop
        except ImportError as exc:
            return None, f"uvloop is not installed ({exc}); `pip install -e '.[uvloop]'` or `make bench`"
        return uvloop.new_event_loop, None
    raise ValueError(f"unknown event loop {name!r}; choose from {', '.join(LOOPS)}")


def available_loops() -> dict[str, str | None]:
    """Loop name -> None when it can run, else why not."""
    return {name: loop_factory(name)[1] for name in LOOPS}


def run_on(name: str, coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` on a fresh loop of the named kind."""
    factory, reason = loop_factory(name)
    if factory is None:
        coroutine.close()
        raise RuntimeError(reason)
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coroutine)
