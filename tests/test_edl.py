"""Edit list, text diff and history: pure logic on a small real-shaped transcript."""

import pytest

from lecturecut.asr.transcript import Transcript, Word, normalize_word, to_samples
from lecturecut.synthesis.edl import EditError, Edl, Replacement, WordState, edl_from_text
from lecturecut.synthesis.history import History

TEXT = "Today we talk about the the gradient descent algorithm, which converges in 100 steps."


@pytest.fixture
def transcript():
    words = [Word(t, to_samples(0.5 * i), to_samples(0.5 * i + 0.4)) for i, t in enumerate(TEXT.split())]
    return Transcript(tuple(words), "en", "test")


def test_delete_and_restore(transcript):
    edl = Edl(len(transcript.words)).delete(4, 5)  # the doubled "the"
    assert edl.edited_text(transcript) == ("Today we talk about the gradient descent algorithm, "
                                           "which converges in 100 steps.")
    assert edl.state(4) is WordState.DELETED and edl.state(5) is WordState.KEPT
    assert edl.restore(0, len(transcript.words)).is_empty


def test_out_of_range_and_empty_ranges_are_refused(transcript):
    edl = Edl(len(transcript.words))
    with pytest.raises(EditError, match="outside the transcript"):
        edl.delete(10, 99)
    with pytest.raises(EditError, match="outside the transcript"):
        edl.delete(-1, 2)
    with pytest.raises(EditError, match="empty"):
        edl.delete(3, 3)


def test_retype_insert_and_conflicts(transcript):
    edl = Edl(len(transcript.words)).replace(12, 13, "fifty")
    assert edl.state(12) is WordState.REPLACED
    assert "converges in fifty steps." in edl.edited_text(transcript)
    edl = edl.replace(2, 2, "briefly")  # insertion before "talk"
    assert edl.edited_text(transcript).startswith("Today we briefly talk")
    with pytest.raises(EditError, match="overlap"):
        edl.replace(11, 13, "after")
    # deleting a retyped word drops the retype
    assert edl.delete(12, 13).replacement_at(12) is None


def test_apply_text_is_a_word_diff(transcript):
    new = "Today we talk about the gradient descent method, which converges in fifty steps"
    edl = edl_from_text(transcript, new)
    assert edl.deleted in (frozenset({4}), frozenset({5}))  # either copy of the doubled "the"
    assert edl.replacements == (Replacement(8, 9, "method,"), Replacement(12, 13, "fifty"))
    # the edited text reads like the new text (up to punctuation, which is not an edit)
    assert [normalize_word(w) for w in edl.edited_text(transcript).split()] == [normalize_word(w) for w in new.split()]
    # punctuation and case alone are not edits
    assert edl_from_text(transcript, TEXT.lower().replace(",", "")).is_empty


def test_apply_text_restores_words_typed_back(transcript):
    # whatever was deleted before, text that reads like the recording again means no edits
    assert not Edl(len(transcript.words)).delete(0, 5).is_empty
    assert edl_from_text(transcript, TEXT).is_empty


def test_json_round_trip(transcript):
    edl = Edl(len(transcript.words)).delete(1, 3).delete(7, 8).replace(12, 13, "fifty")
    assert Edl.from_json(edl.to_json()) == edl


def test_history_undo_redo_and_branching(transcript):
    n = len(transcript.words)
    h = History.start(Edl(n))
    a = h.current.delete(0, 1)
    b = a.delete(5, 6)
    h = h.push(a, "A").push(b, "B")
    assert h.current == b and h.undo_label == "B"
    h = h.undo()
    assert h.current == a and h.can_redo and h.redo_label == "B"
    c = a.replace(3, 4, "over")
    h = h.push(c, "C")  # a new edit after undo drops the redo branch
    assert not h.can_redo and h.current == c
    assert h.undo().undo().current == Edl(n)
    assert History.from_json(h.to_json()) == h
    assert h.push(h.current) is h  # a no-op edit is not an undo step


def test_deleting_part_of_a_retype_keeps_its_new_text(transcript):
    # "gradient descent algorithm," (6:9) retyped as "method,"
    edl = Edl(len(transcript.words)).replace(6, 9, "method,")
    # the deletion covers the retype's start: the retype shrinks, its text stays
    cut = edl.delete(5, 7)
    assert cut.replacements == (Replacement(7, 9, "method,"),) and cut.deleted == {5, 6}
    assert "about the method, which" in cut.edited_text(transcript)
    # ... or its end
    cut = edl.delete(8, 10)
    assert cut.replacements == (Replacement(6, 8, "method,"),) and cut.deleted == {8, 9}
    assert "the gradient method, converges" not in cut.edited_text(transcript)
    assert cut.edited_text(transcript).endswith("the the method, converges in 100 steps.")
    # a deletion covering the whole retype takes the new wording with it
    gone = edl.delete(5, 10)
    assert gone.replacements == () and gone.deleted == set(range(5, 10))
    # inside it, there is nothing to cut: the new text already replaces those words
    with pytest.raises(EditError, match="inside the retyped words 6:9"):
        edl.delete(7, 8)
    # an insertion strictly inside a deleted stretch goes with it, one at its edge stays
    ins = Edl(len(transcript.words)).replace(3, 3, "now").replace(6, 6, "fast")
    assert ins.delete(2, 5).replacements == (Replacement(6, 6, "fast"),)
    assert ins.delete(3, 5).replacements == ins.replacements


def test_retypes_and_edited_text_have_a_size_limit(transcript):
    from lecturecut.synthesis.edl import MAX_RETYPE_CHARS

    with pytest.raises(EditError, match="at most"):
        Edl(len(transcript.words)).replace(0, 1, "x" * (MAX_RETYPE_CHARS + 1))
    with pytest.raises(EditError, match="more than 4 times"):
        edl_from_text(transcript, TEXT * 400)
    assert edl_from_text(transcript, TEXT + " and more" * 10).replacements  # a longer rewrite is fine
