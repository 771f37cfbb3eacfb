"""The objects every group measures, described once and built for each library.

A sample is a neutral spec (plain values); one builder per library turns it
into that library's own class, so all three serialize exactly the same TL
object and their bytes can be compared before anything is timed.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Pricing:
    period: int
    amount: int


@dataclass(frozen=True)
class SeedRequest:
    """``messages.exportChatInvite`` with every field set."""

    legacy_revoke_permanent: bool = True
    request_needed: bool = True
    channel_id: int = 1_234_567_890
    access_hash: int = -5_764_607_523_034_234_881
    expire_date: int = 1_800_000_000
    usage_limit: int = 100
    title: str = "Team invite \N{ROCKET}"
    pricing: Pricing = Pricing(period=2_592_000, amount=250)


@dataclass(frozen=True)
class InviteSpec:
    """``chatInviteExported``; ``None``/``False`` means the flag is absent.

    ``public_join_requests`` makes it a ``chatInvitePublicJoinRequests``
    instead (the other constructor of ``ExportedChatInvite``; it has no fields).
    """

    link: str
    admin_id: int
    date: int
    revoked: bool = False
    permanent: bool = False
    request_needed: bool = False
    start_date: int | None = None
    expire_date: int | None = None
    usage_limit: int | None = None
    usage: int | None = None
    requested: int | None = None
    subscription_expired: int | None = None
    title: str | None = None
    pricing: Pricing | None = None
    public_join_requests: bool = False


#: ``chatInviteExported`` with every flag set (group 2).
FULL_INVITE = InviteSpec(
    link="https://t.me/+AbCdEfGhIjKlMnOp",
    admin_id=777_000_123_456,
    date=1_700_000_000,
    revoked=True,
    permanent=True,
    request_needed=True,
    start_date=1_700_000_100,
    expire_date=1_800_000_000,
    usage_limit=1_000,
    usage=321,
    requested=12,
    subscription_expired=3,
    title="Weekly digest \N{EM DASH} subscribers",
    pricing=Pricing(period=2_592_000, amount=99),
)

_LINK_ALPHABET = string.ascii_letters + string.digits + "-_"
_TITLE_WORDS = ("team", "press", "beta", "Ünïcode", "新闻", "friends", "ops", "\N{ROCKET}", "club")


def varied_invites(count: int, seed: int = 229) -> list[InviteSpec]:
    """``count`` invites with varied flags, lengths and magnitudes (deterministic).

    Every 50th entry is a ``chatInvitePublicJoinRequests`` so the decoder has
    to dispatch on the constructor id inside the vector, as in real replies.
    """
    rng = random.Random(seed)
    invites: list[InviteSpec] = []
    for index in range(count):
        if index % 50 == 49:
            invites.append(InviteSpec(link="", admin_id=0, date=0, public_join_requests=True))
            continue
        date = rng.randrange(1_500_000_000, 1_750_000_000)

        def maybe_int(probability: float, low: int, high: int) -> int | None:
            return rng.randrange(low, high) if rng.random() < probability else None

        title = (
            " ".join(rng.choice(_TITLE_WORDS) for _ in range(rng.randrange(1, 6)))
            if rng.random() < 0.6
            else None
        )
        invites.append(
            InviteSpec(
                link="https://t.me/+"
                + "".join(rng.choice(_LINK_ALPHABET) for _ in range(rng.randrange(16, 23))),
                admin_id=rng.randrange(1, 1 << 40),
                date=date,
                revoked=rng.random() < 0.2,
                permanent=rng.random() < 0.1,
                request_needed=rng.random() < 0.3,
                start_date=maybe_int(0.3, date, date + 86_400),
                expire_date=maybe_int(0.5, date, date + 90 * 86_400),
                usage_limit=maybe_int(0.4, 1, 100_000),
                usage=maybe_int(0.7, 0, 100_000),
                requested=maybe_int(0.2, 0, 5_000),
                subscription_expired=maybe_int(0.1, 0, 1_000),
                title=title,
                pricing=(
                    Pricing(period=2_592_000, amount=rng.randrange(1, 2_500))
                    if rng.random() < 0.3
                    else None
                ),
            )
        )
    return invites


def _invite_kwargs(spec: InviteSpec) -> dict[str, Any]:
    return {
        "link": spec.link,
        "admin_id": spec.admin_id,
        "date": spec.date,
        "revoked": spec.revoked,
        "permanent": spec.permanent,
        "request_needed": spec.request_needed,
        "start_date": spec.start_date,
        "expire_date": spec.expire_date,
        "usage_limit": spec.usage_limit,
        "usage": spec.usage,
        "requested": spec.requested,
        "subscription_expired": spec.subscription_expired,
        "title": spec.title,
    }


def _request_kwargs(spec: SeedRequest) -> dict[str, Any]:
    return {
        "legacy_revoke_permanent": spec.legacy_revoke_permanent,
        "request_needed": spec.request_needed,
        "expire_date": spec.expire_date,
        "usage_limit": spec.usage_limit,
        "title": spec.title,
    }


class SampleBuilder:
    """Builds the samples with one library's classes.

    The three libraries agree on class and field names for these combinators
    (all generated from the same layer 229); only the request class name of
    Telethon differs (``...Request`` suffix), hence ``request_name``.
    """

    def __init__(self, library: str, functions: Any, types: Any, request_name: str) -> None:
        self.library = library
        self.functions = functions
        self.types = types
        self._request_class = getattr(functions.messages, request_name)

    def pricing(self, p: Pricing | None) -> Any:
        if p is None:
            return None
        return self.types.StarsSubscriptionPricing(period=p.period, amount=p.amount)

    def seed_request(self, spec: SeedRequest) -> Any:
        peer = self.types.InputPeerChannel(channel_id=spec.channel_id, access_hash=spec.access_hash)
        return self._request_class(
            peer=peer, subscription_pricing=self.pricing(spec.pricing), **_request_kwargs(spec)
        )

    def invite(self, spec: InviteSpec) -> Any:
        if spec.public_join_requests:
            return self.types.ChatInvitePublicJoinRequests()
        return self.types.ChatInviteExported(
            subscription_pricing=self.pricing(spec.pricing), **_invite_kwargs(spec)
        )

    def invites(self, specs: list[InviteSpec]) -> Any:
        """``messages.exportedChatInvites`` holding ``specs`` and no users."""
        return self.types.messages.ExportedChatInvites(
            count=len(specs), invites=[self.invite(s) for s in specs], users=[]
        )


def ours() -> SampleBuilder:
    """Our generated classes (``tlruntime.tl``); ImportError until the layer is generated."""
    from tlruntime.tl import functions, types

    return SampleBuilder("ours", functions, types, "ExportChatInvite")


def telethon() -> SampleBuilder:
    """Telethon's classes; dates are given as ints, its cheapest serialization path."""
    from telethon.tl import functions, types  # type: ignore[import-untyped]

    return SampleBuilder("Telethon", functions, types, "ExportChatInviteRequest")


def kurigram() -> SampleBuilder:
    """kurigram's raw classes (``pyrogram.raw``)."""
    from pyrogram.raw import functions, types

    return SampleBuilder("kurigram", functions, types, "ExportChatInvite")
