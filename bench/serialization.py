"""Groups 1-3: serialize the seed request, round-trip one invite, bulk-code 1,000 invites.

Before anything is timed, the bytes of all three libraries are compared: a
speed figure for code that produces different bytes would be meaningless.
Every contender is called through exactly one lambda so call overheads match,
and the three are timed side by side (interleaved repeats).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import samples
from .contenders import (
    describe_mismatch,
    kurigram_decode_call,
    ours_builder,
    peers_agree,
    telethon_decode_call,
)
from .report import KURIGRAM, TELETHON, Row, Target
from .timing import Budget, measure_side_by_side

OURS = "ours"

SEED_TARGET = Target("≥2.5x Telethon", factor=2.5, against=(TELETHON,))
DECODE_TARGET = Target("≥4x kurigram", factor=4.0, against=(KURIGRAM,))
BULK_DECODE_TARGET = Target("≥40 MB/s", threshold=40.0)

Contenders = dict[str, Callable[[], object]]


def _per_call_micros(seconds: float) -> float:
    return seconds * 1e6


def _fill(
    row: Row, contenders: Contenders, budget: Budget, convert: Callable[[float], float]
) -> None:
    """Time ``contenders`` side by side and store them in ``row`` in its unit."""
    timings = measure_side_by_side(contenders, budget)
    for name, timing in timings.items():
        value = convert(timing.median)
        row.best[name] = convert(timing.minimum)
        if name == OURS:
            row.ours = value
        else:
            row.references[name] = value


def _throughput(size: int) -> Callable[[float], float]:
    return lambda seconds: size / seconds / 1e6


def _bind(fn: Callable[[bytes], Any], data: bytes) -> Callable[[], Any]:
    """``fn(data)`` as a zero-argument callable (one lambda layer, like every contender)."""
    return lambda: fn(data)


def _check_round_trip(decoded: Any, encode: Callable[[Any], bytes], raw: bytes, who: str) -> None:
    if encode(decoded) != raw:
        raise RuntimeError(f"{who} does not re-encode what it decoded; the sample is broken")


def _peer_decoders(raw: bytes) -> Contenders:
    decoders: Contenders = {
        TELETHON: telethon_decode_call(raw),
        KURIGRAM: kurigram_decode_call(raw),
    }
    _check_round_trip(decoders[TELETHON](), lambda o: o._bytes(), raw, TELETHON)
    _check_round_trip(decoders[KURIGRAM](), lambda o: o.write(), raw, KURIGRAM)
    return decoders


def _ours_or_mark(rows: list[Row], make: Callable[[samples.SampleBuilder], Any], raw: bytes) -> Any:
    """Our object for the sample, or None after marking ``rows`` unavailable (with why)."""
    builder, reason = ours_builder()
    if builder is None:
        for row in rows:
            row.unavailable = reason
        return None
    try:
        obj = make(builder)
        ours_bytes = bytes(obj)
    except Exception as exc:  # a half-generated layer must not hide the peers' figures
        for row in rows:
            row.unavailable = f"our layer fails on the sample: {type(exc).__name__}: {exc}"
        return None
    mismatch = describe_mismatch(ours_bytes, raw)
    if mismatch is not None:
        for row in rows:
            row.unavailable = mismatch
        return None
    return obj


def bench_seed_request(budget: Budget) -> list[Row]:
    """Group 1: ``bytes(req)`` vs ``req._bytes()`` vs ``req.write()``, µs per call."""
    spec = samples.SeedRequest()
    telethon_req = samples.telethon().seed_request(spec)
    kurigram_req = samples.kurigram().seed_request(spec)
    expected = telethon_req._bytes()
    peers_agree(expected, kurigram_req.write(), "messages.exportChatInvite")

    row = Row("1 seed", "serialize messages.exportChatInvite, all fields", "µs/op", False, None)
    row.target = SEED_TARGET
    contenders: Contenders = {
        TELETHON: lambda: telethon_req._bytes(),
        KURIGRAM: lambda: kurigram_req.write(),
    }
    ours_req = _ours_or_mark([row], lambda b: b.seed_request(spec), expected)
    if ours_req is not None:
        contenders[OURS] = lambda: bytes(ours_req)
    _fill(row, contenders, budget, _per_call_micros)
    return [row]


def bench_invite(budget: Budget) -> list[Row]:
    """Group 2: serialize and deserialize ``chatInviteExported`` with every flag set."""
    spec = samples.FULL_INVITE
    telethon_obj = samples.telethon().invite(spec)
    kurigram_obj = samples.kurigram().invite(spec)
    raw = telethon_obj._bytes()
    peers_agree(raw, kurigram_obj.write(), "chatInviteExported")

    serialize = Row("2 invite", "serialize chatInviteExported, all flags", "µs/op", False, None)
    typed = Row("2 invite", "deserialize: ChatInviteExported.from_bytes", "µs/op", False, None)
    generic = Row("2 invite", "deserialize: tlruntime.tl.deserialize", "µs/op", False, None)
    typed.target = generic.target = DECODE_TARGET
    encoders: Contenders = {
        TELETHON: lambda: telethon_obj._bytes(),
        KURIGRAM: lambda: kurigram_obj.write(),
    }
    decoders = _peer_decoders(raw)

    ours_obj = _ours_or_mark([serialize, typed, generic], lambda b: b.invite(spec), raw)
    if ours_obj is not None:
        from tlruntime import tl

        encoders[OURS] = lambda: bytes(ours_obj)
        cls = type(ours_obj)
        typed_call, generic_call = _bind(cls.from_bytes, raw), _bind(tl.deserialize, raw)
        for row, call in ((typed, typed_call), (generic, generic_call)):
            decoded = call()
            if not isinstance(decoded, cls) or bytes(decoded) != raw:
                row.unavailable = f"{row.name} did not give back an equal ChatInviteExported"
    _fill(serialize, encoders, budget, _per_call_micros)
    # Both of our decoders run side by side with the peers' in one interleaved set.
    all_decoders = dict(decoders)
    if ours_obj is not None and typed.unavailable is None:
        all_decoders["typed"] = typed_call
    if ours_obj is not None and generic.unavailable is None:
        all_decoders["generic"] = generic_call
    timings = measure_side_by_side(all_decoders, budget)
    for row, key in ((typed, "typed"), (generic, "generic")):
        row.references = {peer: _per_call_micros(timings[peer].median) for peer in decoders}
        row.best = {peer: _per_call_micros(timings[peer].minimum) for peer in decoders}
        if key in timings:
            row.ours = _per_call_micros(timings[key].median)
            row.best[OURS] = _per_call_micros(timings[key].minimum)
    return [serialize, typed, generic]


def bench_bulk(budget: Budget, count: int = 1000) -> list[Row]:
    """Group 3: ``messages.exportedChatInvites`` with ``count`` varied invites, MB/s."""
    specs = samples.varied_invites(count)
    telethon_obj = samples.telethon().invites(specs)
    kurigram_obj = samples.kurigram().invites(specs)
    raw = telethon_obj._bytes()
    peers_agree(raw, kurigram_obj.write(), "messages.exportedChatInvites")
    size = len(raw)

    label = f"{count:,} invites ({size / 1024:.0f} KiB)"
    encode = Row("3 bulk", f"encode {label}", "MB/s", True, None)
    decode = Row("3 bulk", f"decode {label}", "MB/s", True, None, target=BULK_DECODE_TARGET)
    encoders: Contenders = {
        TELETHON: lambda: telethon_obj._bytes(),
        KURIGRAM: lambda: kurigram_obj.write(),
    }
    decoders = _peer_decoders(raw)
    ours_obj = _ours_or_mark([encode, decode], lambda b: b.invites(specs), raw)
    if ours_obj is not None:
        encoders[OURS] = lambda: bytes(ours_obj)
        ours_decode = _bind(type(ours_obj).from_bytes, raw)
        if bytes(ours_decode()) != raw:
            decode.unavailable = "ExportedChatInvites.from_bytes did not give back equal bytes"
        else:
            decoders[OURS] = ours_decode
    _fill(encode, encoders, budget, _throughput(size))
    _fill(decode, decoders, budget, _throughput(size))
    return [encode, decode]
