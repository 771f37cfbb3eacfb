"""The fuzz target registry: a name -> a function of bytes that must return or raise TLError.

A target runs one input through one public entry point.  Returning, or raising
a :class:`~tlruntime.errors.TLError`, is correct behaviour; any other exception
(RecursionError, struct.error, KeyError...) or a hang is a finding.  Each
target also names its seed corpus: inputs generated from the schema (or from
real codecs and handshakes) with a fixed seed, so the fuzzer starts from
valid messages instead of noise.

To add a target (for example the client session's receive path or the server
endpoint), write a function of ``bytes`` and register it::

    @register("session-receive", seeds=lambda: [...])
    def session_receive(data: bytes) -> None:
        ...

``python -m fuzz`` and the replay test (tests/fuzz/) pick it up by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from tlruntime.errors import TLError

__all__ = ["Target", "TARGETS", "register", "run_one", "Finding"]


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], object]
    seeds: Callable[[], Iterable[bytes]]
    doc: str
    # Which tlruntime modules the target exercises: these get coverage instrumentation.
    instrument: tuple[str, ...] = ("tlruntime",)


TARGETS: dict[str, Target] = {}


def register(
    name: str, *, seeds: Callable[[], Iterable[bytes]], instrument: tuple[str, ...] = ("tlruntime",)
) -> Callable[[Callable[[bytes], object]], Callable[[bytes], object]]:
    """Register ``fn`` as the fuzz target ``name`` (a duplicate name is a bug in the registry)."""

    def add(fn: Callable[[bytes], object]) -> Callable[[bytes], object]:
        if name in TARGETS:
            raise ValueError(f"fuzz target {name!r} registered twice")
        TARGETS[name] = Target(name, fn, seeds, (fn.__doc__ or "").strip().splitlines()[0], instrument)
        return fn

    return add


class Finding(Exception):
    """An input made a target raise something other than a TLError."""


def run_one(target: Target, data: bytes) -> None:
    """Run ``data`` through ``target``: TLError is fine, anything else raises :class:`Finding`."""
    try:
        target.run(data)
    except TLError:
        pass
    except Exception as exc:  # noqa: BLE001 - this is exactly what a finding is
        raise Finding(f"{target.name}: {type(exc).__name__}: {exc}") from exc
