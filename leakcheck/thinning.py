"""A series of bounded size from a stream of any length, evenly thinned: what keeps an hour-long probe's
samples and ticks from filling the orchestrator's memory and its results file.

The stream is cut into groups of equal size (1 at first); each group is kept as a few representatives chosen
by `keep` (the lowest and the highest sample, so floors and peaks survive; a tick per phase start and the
last). When the kept items exceed the capacity, neighbouring groups are merged (the group size doubles), so
every stretch of the stream is thinned alike, old or new. `keep` must be associative: keep(keep(a) + b) ==
keep(a + b), because a group is reduced while it fills and again when it is merged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
Keep = Callable[[Sequence[T]], list[T]]

PENDING_REDUCE_AT = 8
"""A filling group is reduced to its representatives whenever it holds this many items (bounded memory while
a group of thousands fills)."""


class Thinned(Generic[T]):
    def __init__(self, capacity: int, keep: Keep[T]) -> None:
        if capacity < 8:
            raise ValueError(f"a thinned series keeps at least 8 items, not {capacity}")
        self.capacity = capacity
        self._keep = keep
        self._groups: list[list[T]] = []
        self._kept = 0
        self._pending: list[T] = []
        self._pending_count = 0
        self.group_size = 1
        """Items of the stream behind each group."""
        self.count = 0
        """Items appended in all."""

    def append(self, item: T) -> None:
        self.count += 1
        self._pending.append(item)
        self._pending_count += 1
        if self._pending_count >= self.group_size:
            group = self._keep(self._pending)
            self._groups.append(group)
            self._kept += len(group)
            self._pending, self._pending_count = [], 0
            if self._kept > self.capacity:
                self._merge()
        elif len(self._pending) >= PENDING_REDUCE_AT:
            self._pending = self._keep(self._pending)

    def extend(self, items: Iterable[T]) -> None:
        for item in items:
            self.append(item)

    def items(self) -> list[T]:
        """The kept items in stream order, the group still filling included."""
        kept = [item for group in self._groups for item in group]
        return kept + (self._keep(self._pending) if self._pending else [])

    def __len__(self) -> int:
        return self._kept + len(self._pending)

    def _merge(self) -> None:
        while self._kept > self.capacity:
            pairs = [self._groups[k:k + 2] for k in range(0, len(self._groups), 2)]
            self._groups = [self._keep([item for group in pair for item in group]) for pair in pairs]
            self._kept = sum(len(group) for group in self._groups)
            self.group_size *= 2


def thinned(items: Iterable[T], capacity: int, keep: Keep[T]) -> list[T]:
    """`items` thinned to at most `capacity` (all of them when they fit)."""
    series = Thinned(capacity, keep)
    series.extend(items)
    return series.items()


def lowest_and_highest(key: Callable[[T], float]) -> Keep[T]:
    """The group's lowest and highest item by `key`, in stream order (one item when they are the same)."""
    def keep(group: Sequence[T]) -> list[T]:
        if len(group) <= 2:
            return list(group)
        low = min(range(len(group)), key=lambda k: key(group[k]))
        high = max(range(len(group)), key=lambda k: key(group[k]))
        return [group[k] for k in sorted({low, high})]
    return keep


def starts_and_last(label: Callable[[T], str]) -> Keep[T]:
    """The first item of each label (a phase) in the group, and its last item, in stream order."""
    def keep(group: Sequence[T]) -> list[T]:
        if len(group) <= 2:
            return list(group)
        chosen, seen = [], set()
        for k, item in enumerate(group):
            if label(item) not in seen:
                seen.add(label(item))
                chosen.append(k)
        if chosen[-1] != len(group) - 1:
            chosen.append(len(group) - 1)
        return [group[k] for k in chosen]
    return keep
