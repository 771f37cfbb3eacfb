"""Shared helpers for the auth tests: deterministic randomness, clocks, an in-memory exchange."""

from __future__ import annotations

import random
from collections.abc import Callable

from tlruntime.auth import AuthKeyCreated, AuthKeyResult, ClientHandshake, ServerHandshake


class SeededRandom:
    """A reproducible ``random_bytes`` (NOT secure: tests only)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def __call__(self, n: int) -> bytes:
        return self._rng.randbytes(n)


class ScriptedRandom:
    """Returns the given chunks in order; each request must ask for exactly that chunk's size."""

    def __init__(self, *chunks: bytes) -> None:
        self._chunks = list(chunks)
        self.calls: list[int] = []

    def __call__(self, n: int) -> bytes:
        self.calls.append(n)
        assert self._chunks, f"unexpected random request #{len(self.calls)} for {n} bytes"
        chunk = self._chunks.pop(0)
        assert len(chunk) == n, f"random request #{len(self.calls)}: asked {n} bytes, script has {len(chunk)}"
        return chunk

    @property
    def exhausted(self) -> bool:
        return not self._chunks


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def exchange(
    client: ClientHandshake,
    server: ServerHandshake,
    *,
    tamper: Callable[[str, bytes], bytes] | None = None,
) -> tuple[AuthKeyResult, AuthKeyCreated, list[bytes]]:
    """Run a whole handshake in memory; returns both outcomes and every payload, in order.

    ``tamper(direction, payload)`` may rewrite a payload in flight
    (direction is "c2s" or "s2c").
    """
    transcript: list[bytes] = []

    def through(direction: str, payload: bytes) -> bytes:
        if tamper is not None:
            payload = tamper(direction, payload)
        transcript.append(payload)
        return payload

    to_server = through("c2s", client.start())
    for _ in range(20):
        answer = server.receive(to_server)
        if isinstance(answer, AuthKeyCreated):
            created = answer
            final = client.receive(through("s2c", answer.reply))
            assert isinstance(final, AuthKeyResult), f"client answered dh_gen_ok with {final!r}"
            return final, created, transcript
        out = client.receive(through("s2c", answer))
        assert isinstance(out, bytes)
        to_server = through("c2s", out)
    raise AssertionError("handshake did not finish in 20 round trips")
