"""The sending half of a session: msg_ids, seq_nos, the queue, pending acks, what was sent.

Kept apart from :mod:`.session` so the bookkeeping that decides *what* goes
into the next packet (and what to resend when the peer refuses a message) can
be read and tested without the crypto and the receive-side checks.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable

from ..tl import types
from .msgid import MsgIdGenerator

__all__ = ["Outgoing", "Batch", "Outbox", "ACK_BATCH", "MAX_ACKS_PER_MESSAGE"]

#: Pending acks that justify a packet of their own (service_messages_about_messages: "say, over 16").
ACK_BATCH = 16
#: Telegram accepts at most 8192 ids per msgs_ack.
MAX_ACKS_PER_MESSAGE = 8192
#: A container is closed before its bodies pass this many bytes (Telegram's limit is about 1 MiB).
MAX_CONTAINER_BYTES = 1_000_000
#: Messages per container (Telegram allows 1020; fewer keeps one refused container cheap to redo).
MAX_CONTAINER_ITEMS = 100
#: How many sent messages (and containers) are remembered to answer a bad_msg_notification or resend request.
SENT_MEMORY = 2048


@dataclass(slots=True, eq=False)
class Outgoing:
    """One message we queued.  ``msg_id``/``seqno`` change when it is re-sent; ``origin_id`` never does."""

    origin_id: int
    msg_id: int
    seqno: int
    body: bytes
    content_related: bool
    #: The request object whose answer we await (client requests, pings); None for everything else.
    request: object | None = None
    #: Server side: the message answers a client message (msg_id suffix 1 rather than 3).
    response: bool = False
    #: A ``msgs_ack`` message: the ids it acknowledged (restored to the pending acks if it is refused).
    acks: tuple[int, ...] = ()
    #: Server side: the client msg_id this ``rpc_result`` answers.
    answers: int | None = None
    #: The peer acknowledged receipt (a request stays pending until its result arrives).
    acked: bool = False
    #: Queued again under a msg_id that already went out: it must travel inside a new container
    #: (a packet whose outer msg_id repeats is a replay and is refused).
    repeat: bool = False
    #: The outbox's connection epoch when the message first went out (-1: never sent).
    first_epoch: int = -1


@dataclass(frozen=True, slots=True)
class Batch:
    """What goes into the next packet: either one message, or a container of several."""

    messages: tuple[Outgoing, ...]
    container_id: int | None
    container_seqno: int


class Outbox:
    """Queue, numbering and memory of outgoing messages for one session."""

    def __init__(self, ids: MsgIdGenerator, *, lazy_acks: bool = False) -> None:
        self.ids = ids
        #: Client side: pending acks ride along only once ``ACK_BATCH`` have gathered (or on
        #: :attr:`flush_requested`), instead of turning every request into a two-message container.
        #: The driver flushes leftovers on a timer.  A server answers right away, so it sends eagerly.
        self.lazy_acks = lazy_acks
        #: ``n``: content-related messages numbered so far (their seq_no is ``2n + 1``).
        self.content_count = 0
        self.max_seqno_sent = -1
        self.queue: list[Outgoing] = []
        #: Requests awaiting an answer, by their current wire msg_id.
        self.pending: dict[int, Outgoing] = {}
        self.recent: OrderedDict[int, Outgoing] = OrderedDict()
        self.containers: OrderedDict[int, tuple[int, ...]] = OrderedDict()
        #: msg_ids to acknowledge, in arrival order (a dict: an answer withdraws its request's ack in O(1)).
        self.acks: dict[int, None] = {}
        self.flush_requested = False
        #: Counts connections: a driver bumps it on each new one (what was sent before may be lost).
        self.epoch = 0

    # --- numbering ----------------------------------------------------------

    def next_seqno(self, content_related: bool) -> int:
        """``2n + 1`` (and ``n += 1``) for content-related messages, ``2n`` for service ones."""
        if content_related:
            seqno = 2 * self.content_count + 1
            self.content_count += 1
        else:
            seqno = 2 * self.content_count
        return seqno

    def skip_seqno_past(self, seqno: int) -> None:
        """Make the next content-related seq_no exceed ``seqno`` (after ``msg_seqno too low``)."""
        self.content_count = max(self.content_count, seqno // 2 + 1)

    # --- queueing -----------------------------------------------------------

    def enqueue(
        self,
        body: bytes,
        *,
        content_related: bool,
        request: object | None = None,
        response: bool = False,
        answers: int | None = None,
    ) -> Outgoing:
        msg_id = self.ids.next(response)
        if content_related:  # next_seqno, inlined: this runs once per message sent
            seqno = 2 * self.content_count + 1
            self.content_count += 1
        else:
            seqno = 2 * self.content_count
        # Positional: keyword arguments cost measurably at one Outgoing per message.
        out = Outgoing(msg_id, msg_id, seqno, body, content_related, request, response, (), answers)
        self.queue.append(out)
        if request is not None:
            self.pending[msg_id] = out
        return out

    def requeue(self, out: Outgoing) -> None:
        """Queue ``out`` again under a new msg_id and seq_no (never reuse a refused id)."""
        self.recent.pop(out.msg_id, None)
        if out.request is not None:
            self.pending.pop(out.msg_id, None)
        out.msg_id = self.ids.next(response=out.response)
        out.seqno = self.next_seqno(out.content_related)
        out.acked = False
        out.repeat = False
        if out.request is not None:
            self.pending[out.msg_id] = out
        if out not in self.queue:
            self.queue.append(out)

    def queue_again(self, out: Outgoing) -> bool:
        """Queue ``out`` again under the msg_id and seq_no it was sent with (the peer may have it).

        This is how a request survives a lost connection without running twice:
        the peer recognises the msg_id and answers from memory.  Returns False
        when ``out`` was still queued anyway.
        """
        if out in self.queue:
            return False
        out.repeat = True
        self.queue.append(out)
        return True

    def take_sent(self, msg_id: int) -> list[Outgoing]:
        """The messages sent as ``msg_id`` (a container expands to its entries), forgotten here."""
        inner = self.containers.pop(msg_id, None)
        ids = inner if inner is not None else (msg_id,)
        found = []
        for one in ids:
            out = self.recent.pop(one, None)
            if out is None and one in self.pending and self.pending[one] not in self.queue:
                out = self.pending[one]
            if out is not None:
                found.append(out)
        return found

    def find_sent(self, msg_id: int) -> Outgoing | None:
        """A remembered sent message (not a container), without forgetting it."""
        return self.recent.get(msg_id) or self.pending.get(msg_id)

    # --- acks ---------------------------------------------------------------

    def ack(self, msg_id: int) -> None:
        self.acks[msg_id] = None

    def ack_all(self, msg_ids: Iterable[int]) -> None:
        self.acks.update(dict.fromkeys(msg_ids))

    def discard_ack(self, msg_id: int) -> None:
        """Drop a pending ack made redundant (an ``rpc_result`` acknowledges its request)."""
        self.acks.pop(msg_id, None)

    # --- packing ------------------------------------------------------------

    def has_work(self) -> bool:
        return bool(self.queue) or (
            bool(self.acks) and (self.flush_requested or len(self.acks) >= ACK_BATCH)
        )

    def _acks_due(self) -> bool:
        """Whether pending acks go into the packet being built."""
        if not self.acks:
            return False
        return not self.lazy_acks or self.flush_requested or len(self.acks) >= ACK_BATCH

    def take_batch(self) -> Batch | None:
        """Remove the next packet's messages from the queue (adding pending acks), or None."""
        if not self.has_work():
            return None
        queue = self.queue
        taken = 0
        size = 0
        for out in queue:
            if taken == MAX_CONTAINER_ITEMS:
                break
            body_size = len(out.body)
            if taken and size + body_size > MAX_CONTAINER_BYTES:
                break
            taken += 1
            size += body_size
        chosen = queue[:taken]
        del queue[:taken]
        any_response = False
        if self._acks_due() and (taken < MAX_CONTAINER_ITEMS or not queue):
            acked = tuple(itertools.islice(self.acks, MAX_ACKS_PER_MESSAGE))
            for msg_id in acked:
                del self.acks[msg_id]
            ack_id = self.ids.next(response=True)
            chosen.append(
                Outgoing(
                    origin_id=ack_id,
                    msg_id=ack_id,
                    seqno=self.next_seqno(False),
                    body=types.MsgsAck(msg_ids=list(acked))._bytes(),
                    content_related=False,
                    response=True,
                    acks=acked,
                )
            )
        self.flush_requested = bool(self.acks) and self.flush_requested
        recent = self.recent
        max_seqno = self.max_seqno_sent
        repeated = False
        epoch = self.epoch
        for out in chosen:
            if out.seqno > max_seqno:
                max_seqno = out.seqno
            any_response = any_response or out.response
            recent[out.msg_id] = out
            if out.first_epoch < 0:
                out.first_epoch = epoch
            elif out.repeat:
                repeated = True
                out.repeat = False
        self.max_seqno_sent = max_seqno
        container_id: int | None = None
        container_seqno = 0
        if len(chosen) > 1 or repeated:
            container_id = self.ids.next(any_response)
            container_seqno = self.next_seqno(False)
            self._remember_container(container_id, tuple([out.msg_id for out in chosen]))
        while len(recent) > SENT_MEMORY:
            recent.popitem(last=False)
        return Batch(tuple(chosen), container_id, container_seqno)

    def _remember_container(self, container_id: int, msg_ids: tuple[int, ...]) -> None:
        self.containers[container_id] = msg_ids
        while len(self.containers) > SENT_MEMORY:
            self.containers.popitem(last=False)
