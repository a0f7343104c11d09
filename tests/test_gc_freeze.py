"""The console freezes what a bootstrap brought out of the cyclic GC: the first time after a
pass over the young generations only, later times after letting the earlier freeze go with one
full pass (else cyclic garbage frozen then would never be collected)."""

from __future__ import annotations

import gc
import weakref

from console.state import Diff
from widgets.app.console_app import ConsoleApp


class _Node:
    pass


def _old_garbage_cycle() -> weakref.ref:
    """A cycle that lived through two collections (so it sits in the old generation), then
    lost its last outside reference."""
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    for _ in range(2):
        gc.collect(1)
    return weakref.ref(a)


def test_bootstraps_freeze_and_a_later_one_collects_the_frozen_cycles():
    passes: list[int] = []

    def on_gc(phase, info):
        if phase == "start":
            passes.append(info["generation"])

    gc.unfreeze()  # (other tests in this process may have started consoles)
    gc.callbacks.append(on_gc)
    try:
        garbage = _old_garbage_cycle()
        passes.clear()
        ConsoleApp._after_bootstrap(Diff(reset=True))  # the first: young generations only
        assert passes == [1] and gc.get_freeze_count() > 0
        assert garbage() is not None  # frozen with the rest, not collected
        ConsoleApp._after_bootstrap(Diff())  # not a bootstrap: nothing
        assert passes == [1]
        ConsoleApp._after_bootstrap(Diff(reset=True))  # a later one: one full pass
        assert passes == [1, 2] and garbage() is None
    finally:
        gc.callbacks.remove(on_gc)
        gc.unfreeze()
