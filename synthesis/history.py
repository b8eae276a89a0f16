"""Undo/redo by snapshots of the immutable edit list (no observers, no commands).

In memory every step is a whole ``Edl`` (undo is then a pointer move). On disk
each step stores only its difference from the step before (words newly deleted
or restored, retypes added or removed): a project with 1000 steps grows by the
size of each edit, not 1000 times the size of the edit list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import project_schema as schema
from .edl import Edl, Pause, Replacement, VoiceTuning, _conflict, _runs, standing_pauses, text_limit

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
        """Format 2: the first state in full, then one difference per step."""
        labels = self._labels()
        steps = [_diff(a, b, label) for a, b, label in zip(self.states, self.states[1:], labels[1:])]
        return {"index": self.index, "base_label": labels[0], "base": self.states[0].to_json(), "steps": steps}

    @staticmethod
    def from_json(data: Any, transcript_chars: int | None = None, n_words: int | None = None) -> "History":
        """Read and check format 2 (differences) or 1 (full states).

        ``n_words``/``transcript_chars`` (known when loading a project) bound every
        index and retype; raises :class:`project_schema.Invalid` naming the field.
        """
        max_chars = schema.MAX_TEXT_CHARS if transcript_chars is None else text_limit(transcript_chars)
        if isinstance(data, dict) and "states" in data and "base" not in data:
            return _from_v1(schema.validate(schema.HistoryV1Model, data), n_words, max_chars)
        m = schema.validate(schema.HistoryV2Model, data)
        n = m.base.n_words if n_words is None else n_words
        states = [_edl(m.base, n, max_chars, "base")]
        budget = _TOGGLE_BUDGET
        for k, step in enumerate(m.steps):
            states.append(_apply(states[-1], step, max_chars, f"steps[{k}]"))
            budget -= sum(b - a for a, b in (*step.deleted, *step.restored))
            if budget < 0:
                raise schema.Invalid(f"steps[{k}]", "the history changes more words than any real one does")
        if m.index >= len(states):
            raise schema.Invalid("index", f"{m.index} is not a step (the history has {len(states)})")
        return History(tuple(states), m.index, (m.base_label, *(st.label for st in m.steps)))


# Words deleted plus restored, summed over all steps, that a history may contain: far more
# than a year of editing one lecture, far less than what would take minutes to replay.
_TOGGLE_BUDGET = 20_000_000


def _diff(a: Edl, b: Edl, label: str) -> dict[str, Any]:
    out: dict[str, Any] = {"label": label}
    if a.deleted is not b.deleted:
        if added := b.deleted - a.deleted:
            out["deleted"] = [list(r) for r in _runs(added)]
        if gone := a.deleted - b.deleted:
            out["restored"] = [list(r) for r in _runs(gone)]
    old, new = set(a.replacements), set(b.replacements)
    if retyped := sorted(new - old, key=lambda r: (r.start, r.end)):
        out["retyped"] = [r.to_json() for r in retyped]
    if unretyped := sorted(old - new, key=lambda r: (r.start, r.end)):
        out["unretyped"] = [[r.start, r.end] for r in unretyped]
    if a.pauses != b.pauses:
        old_p, new_p = set(a.pauses), set(b.pauses)
        if paused := sorted(new_p - old_p, key=lambda p: p.before):
            out["paused"] = [p.to_json() for p in paused]
        kept_gaps = {p.before for p in b.pauses}
        if unpaused := sorted({p.before for p in old_p - new_p} - kept_gaps):
            out["unpaused"] = unpaused
    return out


def _check_disjoint(runs: list[tuple[int, int]], n_words: int, where: str) -> None:
    schema.check_runs(runs, n_words, where)
    for k in range(1, len(runs)):
        if runs[k][0] < runs[k - 1][1]:
            raise schema.Invalid(f"{where}[{k}]", f"run {runs[k][0]}:{runs[k][1]} is out of order or overlaps "
                                                  f"the run before it")


def _words(runs: list[tuple[int, int]]) -> set[int]:
    return {i for a, b in runs for i in range(a, b)}


def _checked(n_words: int, deleted: frozenset[int], reps: list[Replacement], where: str,
             pauses: dict[int, int] | None = None, drop_edited: bool = False) -> Edl:
    """An Edl whose invariants hold (sorted, non-overlapping retypes; no word both deleted and retyped;
    a shortened pause only between two kept words with nothing inserted there: one that is not is
    refused, or with ``drop_edited`` dropped, as an edit of its words drops it)."""
    reps = sorted(reps, key=lambda r: (r.start, r.end))
    for k in range(1, len(reps)):
        if _conflict(reps[k - 1], reps[k].start, reps[k].end):
            raise schema.Invalid(where, f"retypes {reps[k - 1].start}:{reps[k - 1].end} and "
                                        f"{reps[k].start}:{reps[k].end} overlap")
    for r in reps:
        if any(i in deleted for i in range(r.start, r.end)):
            raise schema.Invalid(where, f"words of the retype {r.start}:{r.end} are also marked deleted")
    edl = Edl(n_words, deleted, tuple(reps))
    if pauses:
        given = tuple(Pause(b, ms) for b, ms in sorted(pauses.items()))
        standing = standing_pauses(edl, given)
        if standing != given and not drop_edited:
            gone = next(p for p in given if p not in standing)
            raise schema.Invalid(where, f"the pause before word {gone.before} is shortened, but its words are edited")
        edl = Edl(n_words, deleted, tuple(reps), standing)
    return edl


def _replacement(m: schema.ReplacementModel) -> Replacement:
    t = m.tuning
    if t is None:
        return Replacement(m.start, m.end, m.text)
    return Replacement(m.start, m.end, m.text, VoiceTuning(tuple(t.choices), t.gain_db, t.tempo, t.shift_ms))


def _edl(m: schema.EdlModel, n_words: int, max_chars: int, where: str) -> Edl:
    if m.n_words != n_words:
        raise schema.Invalid(f"{where}.n_words", f"{m.n_words}, but the transcript has {n_words} words")
    _check_disjoint(m.deleted, n_words, f"{where}.deleted")
    schema.check_replacements(m.replacements, n_words, max_chars, f"{where}.replacements")
    schema.check_pauses(m.pauses, n_words, f"{where}.pauses")
    return _checked(n_words, frozenset(_words(m.deleted)),
                    [_replacement(r) for r in m.replacements], where, {b: ms for b, ms in m.pauses})


def _apply(prev: Edl, step: schema.StepModel, max_chars: int, where: str) -> Edl:
    n = prev.n_words
    _check_disjoint(step.deleted, n, f"{where}.deleted")
    _check_disjoint(step.restored, n, f"{where}.restored")
    schema.check_replacements(step.retyped, n, max_chars, f"{where}.retyped")
    deleted = prev.deleted
    if step.deleted or step.restored:
        deleted = frozenset((deleted | _words(step.deleted)) - _words(step.restored))
    by_range = {(r.start, r.end): r for r in prev.replacements}
    for k, (a, b) in enumerate(step.unretyped):
        if by_range.pop((a, b), None) is None:
            raise schema.Invalid(f"{where}.unretyped[{k}]", f"there is no retype {a}:{b} to remove at this step")
    # a retuned retype is stored as removed and added again, so undo gives back its previous tuning
    reps = [*by_range.values(), *(_replacement(r) for r in step.retyped)]
    schema.check_pauses(step.paused, n, f"{where}.paused")
    pauses = {p.before: p.keep_ms for p in prev.pauses}
    for before in step.unpaused:
        pauses.pop(before, None)
    pauses.update({b: ms for b, ms in step.paused})
    # an edit of a pause's words drops it without a record of its own (Edl's rule): drop it here too
    return _checked(n, deleted, reps, where, pauses, drop_edited=True)


def _from_v1(m: schema.HistoryV1Model, n_words: int | None, max_chars: int) -> History:
    n = m.states[0].n_words if n_words is None else n_words
    states = tuple(_edl(st, n, max_chars, f"states[{k}]") for k, st in enumerate(m.states))
    # Old files clamped a wrong index; keep reading them the same way.
    index = min(max(m.index, 0), len(states) - 1)
    return History(states, index, tuple(m.labels))
