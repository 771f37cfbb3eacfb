"""Replay protection: the bounded set of msg_ids already received from the peer.

Security guidelines (https://core.telegram.org/mtproto/security_guidelines):
remember the last N incoming msg_ids; a message whose id equals one of them,
or is lower than all of them once N are stored, is a replay and is ignored.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from typing import Iterable

__all__ = ["SeenMsgIds"]


class SeenMsgIds:
    """The ``capacity`` highest msg_ids received, kept sorted (insertion is O(capacity), tiny)."""

    __slots__ = ("_capacity", "_ids")

    def __init__(self, capacity: int = 1024) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be positive, got {capacity}")
        self._capacity = capacity
        self._ids: list[int] = []

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, msg_id: object) -> bool:
        if not isinstance(msg_id, int):
            return False
        index = bisect_left(self._ids, msg_id)
        return index < len(self._ids) and self._ids[index] == msg_id

    @property
    def lowest(self) -> int | None:
        return self._ids[0] if self._ids else None

    @property
    def highest(self) -> int | None:
        return self._ids[-1] if self._ids else None

    def replay_reason(self, msg_id: int) -> str | None:
        """Why ``msg_id`` must be refused as a replay, or None when it is new."""
        if msg_id in self:
            return f"msg_id {msg_id} was already received"
        if len(self._ids) >= self._capacity and msg_id < self._ids[0]:
            return f"msg_id {msg_id} is older than the {self._capacity} remembered ids"
        return None

    def add_all(self, msg_ids: Iterable[int]) -> None:
        ids = self._ids
        new = sorted(msg_ids)
        if not new:
            return
        if not ids or new[0] > ids[-1]:
            ids.extend(new)  # the usual case: appended in order, no search
        else:
            for msg_id in new:
                insort(ids, msg_id)
        overflow = len(ids) - self._capacity
        if overflow > 0:
            del ids[:overflow]

    def clear(self) -> None:
        self._ids.clear()
