"""Undo/redo by snapshots of the immutable edit list (no observers, no commands)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .edl import Edl

MAX_UNDO_STEPS = 1000  # older snapshots are dropped; an Edl is small, so this is cheap


@dataclass(frozen=True)
class History:
    states: tuple[Edl, ...]
    index: int  # position of the current state in ``states``
    labels: tuple[str, ...] = ()  # what each step did, for the GUI's Edit menu ("Delete 3 words")

    @staticmethod
    def start(edl: Edl) -> "History":
        return History((edl,), 0, ("open",))

    @property
    def current(self) -> Edl:
        return self.states[self.index]

    @property
    def can_undo(self) -> bool:
        return self.index > 0

    @property
    def can_redo(self) -> bool:
        return self.index < len(self.states) - 1

    @property
    def undo_label(self) -> str:
        return self.labels[self.index] if self.can_undo and self.index < len(self.labels) else ""

    @property
    def redo_label(self) -> str:
        return self.labels[self.index + 1] if self.can_redo and self.index + 1 < len(self.labels) else ""

    def push(self, edl: Edl, label: str = "edit") -> "History":
        if edl == self.current:
            return self
        states = (*self.states[: self.index + 1], edl)
        labels = (*self._labels()[: self.index + 1], label)
        drop = max(0, len(states) - MAX_UNDO_STEPS)
        return History(states[drop:], len(states) - 1 - drop, labels[drop:])

    def undo(self) -> "History":
        return History(self.states, self.index - 1, self.labels) if self.can_undo else self

    def redo(self) -> "History":
        return History(self.states, self.index + 1, self.labels) if self.can_redo else self

    def _labels(self) -> tuple[str, ...]:
        return self.labels + ("edit",) * (len(self.states) - len(self.labels))

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "labels": list(self._labels()), "states": [s.to_json() for s in self.states]}

    @staticmethod
    def from_json(data: dict[str, Any]) -> "History":
        states = tuple(Edl.from_json(s) for s in data["states"])
        index = min(max(int(data.get("index", len(states) - 1)), 0), len(states) - 1)
        return History(states, index, tuple(data.get("labels", ())))
