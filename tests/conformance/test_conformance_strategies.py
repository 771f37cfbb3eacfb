"""Every class of the layer round-trips values drawn by the public ``tlruntime.testing`` strategies.

Ours alone (the peers are covered by test_conformance): ``bytes(obj)`` read
back through ``deserialize`` and the class's typed ``from_bytes`` gives an
equal object and the same bytes.  The classes are split into chunks, each a
derandomized ``@given`` drawing a class and then a value of it, so the set of
examples is the same on every run and the whole test stays within seconds.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tlruntime.testing import from_type, layer_classes
from tlruntime.tl import deserialize

CLASSES = layer_classes()
CHUNKS = 8
EXAMPLES_PER_CHUNK = 100


@pytest.mark.parametrize("chunk", range(CHUNKS))
@settings(max_examples=EXAMPLES_PER_CHUNK, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(data=st.data())
def test_layer_round_trips(chunk: int, data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(CLASSES[chunk::CHUNKS]), label="class")
    obj = data.draw(from_type(cls), label=cls.TL_NAME)
    raw = bytes(obj)
    again = deserialize(raw)
    assert again == obj
    assert bytes(again) == raw
    assert cls.from_bytes(raw) == obj


def test_chunks_cover_the_layer() -> None:
    assert len(CLASSES) > 2000
    assert sorted(c.TL_NAME for i in range(CHUNKS) for c in CLASSES[i::CHUNKS]) == sorted(c.TL_NAME for c in CLASSES)
