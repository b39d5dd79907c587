"""long_lived_allocations: the collector is tuned inside the block and restored after it."""

from __future__ import annotations

import gc

import pytest

from costopt.gc_tuning import YOUNG_THRESHOLD, long_lived_allocations, settle


@pytest.fixture(autouse=True)
def default_gc():
    saved = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.set_threshold(*saved)
    gc.unfreeze()


def test_freezes_and_raises_the_young_threshold_then_restores():
    before = gc.get_threshold()
    with long_lived_allocations():
        assert gc.get_threshold() == (max(before[0], YOUNG_THRESHOLD), *before[1:])
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restores_after_an_exception():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), long_lived_allocations():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_nested_blocks_restore_only_on_the_outermost_exit():
    before = gc.get_threshold()
    with long_lived_allocations():
        with long_lived_allocations(young_threshold=5):
            pass
        assert gc.get_threshold()[0] == max(before[0], YOUNG_THRESHOLD)  # still tuned
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_settle_freezes_new_objects_only_inside_a_block():
    settle()
    assert gc.get_freeze_count() == 0  # outside: no effect
    with long_lived_allocations():
        frozen = gc.get_freeze_count()
        kept = [[i] for i in range(1000)]  # lists are always tracked by the collector
        settle()
        assert gc.get_freeze_count() >= frozen + len(kept)
