"""The explorer's done-callbacks do not keep it alive (:func:`_while_alive`)."""

from __future__ import annotations

import gc
import weakref
from concurrent.futures import Future

from sizefloor.resolve.explore import _while_alive


class _Owner:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def record(self, value: int) -> None:
        self.calls.append(value)


def test_the_callback_calls_the_method_while_its_owner_lives() -> None:
    owner = _Owner()
    future: Future[None] = Future()
    future.add_done_callback(_while_alive(owner.record, 7))
    future.set_result(None)
    assert owner.calls == [7]


def test_a_future_kept_after_it_ran_does_not_keep_the_owner() -> None:
    """The finder keeps its futures, and a future its callbacks: the owner is freed by its
    reference count alone, with the cyclic collector off."""
    owner = _Owner()
    future: Future[None] = Future()
    future.add_done_callback(_while_alive(owner.record, 1))
    future.set_result(None)
    alive = weakref.ref(owner)
    gc.disable()
    try:
        del owner
        assert alive() is None
    finally:
        gc.enable()


def test_a_callback_after_its_owner_is_gone_does_nothing() -> None:
    owner = _Owner()
    future: Future[None] = Future()
    calls = owner.calls
    future.add_done_callback(_while_alive(owner.record, 2))
    del owner
    future.set_result(None)
    assert calls == []
