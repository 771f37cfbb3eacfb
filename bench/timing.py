"""Median-of-repeats timing, sized so one repeat lasts a few tens of milliseconds.

The machine is shared and noisy, so a single long loop would mostly measure
the neighbours.  Instead each benchmark runs ``repeats`` short repeats of an
inner loop calibrated to ``target_seconds`` and we keep the median (robust
against bursts of noise) and the minimum (the best the code can do).
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Seconds per call of one benchmarked callable."""

    median: float
    minimum: float
    repeats: int
    number: int


@dataclass(frozen=True)
class Budget:
    """How long each repeat should last and how many repeats to take."""

    target_seconds: float
    repeats: int

    @classmethod
    def full(cls) -> Budget:
        return cls(target_seconds=0.03, repeats=21)

    @classmethod
    def quick(cls) -> Budget:
        return cls(target_seconds=0.01, repeats=7)

    @classmethod
    def smoke(cls) -> Budget:
        """One call, one repeat: only proves the benchmark runs (used by the tests)."""
        return cls(target_seconds=0.0, repeats=1)


def _run_loop(fn: Callable[[], object], number: int) -> float:
    # A plain for-loop over range costs ~15 ns per iteration on this kind of
    # machine; it is the same for every library compared, so it cancels out of
    # the ratios and stays far below the microseconds being measured.
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return time.perf_counter() - start


def _calibrate(fn: Callable[[], object], target_seconds: float) -> int:
    """Smallest power-of-two-ish loop count whose run lasts at least ``target_seconds``."""
    number = 1
    while True:
        elapsed = _run_loop(fn, number)
        if elapsed >= target_seconds or number >= 1 << 24:
            return number
        # Jump straight towards the target once we have a usable estimate.
        if elapsed > 0.001:
            return max(number, int(number * target_seconds / elapsed))
        number *= 4


def measure(fn: Callable[[], object], budget: Budget) -> Timing:
    """Time ``fn()`` alone: seconds per call (median and minimum over repeats).

    Garbage collection is paused during each repeat, as :mod:`timeit` does, so
    one library's allocations do not bill a collection to another's loop.
    """
    return measure_side_by_side({"only": fn}, budget)["only"]


def measure_side_by_side(
    contenders: dict[str, Callable[[], object]], budget: Budget
) -> dict[str, Timing]:
    """Time several callables with their repeats interleaved round-robin.

    On a shared machine a burst of load lasts seconds; measuring A fully and
    then B would bill the whole burst to one of them.  Interleaving spreads it
    over all contenders, so the ratios between them stay honest.
    """
    numbers = {
        name: _calibrate(fn, budget.target_seconds) if budget.target_seconds > 0 else 1
        for name, fn in contenders.items()
    }
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    gc_was_enabled = gc.isenabled()
    try:
        for _ in range(budget.repeats):
            for name, fn in contenders.items():
                gc.collect()
                gc.disable()
                try:
                    samples[name].append(_run_loop(fn, numbers[name]) / numbers[name])
                finally:
                    if gc_was_enabled:
                        gc.enable()
    finally:
        if gc_was_enabled:
            gc.enable()
    return {
        name: Timing(
            median=statistics.median(values),
            minimum=min(values),
            repeats=budget.repeats,
            number=numbers[name],
        )
        for name, values in samples.items()
    }
