"""The voice panel of one retype: which recorded occurrence says each of its units, and a nudge of
its loudness, length and timing.

The occurrences come from the engine (``voice.rank_occurrences``, on a worker), best first; the
one the engine picks by itself is marked "(best)". Apply records the choices as the retype's
``edl.VoiceTuning`` (``QtSession.tune_voice``: one undoable step, saved with the project); the
app then synthesizes the tuned speech in the background and auditions it. The panel holds no edit
state of its own: it shows the tuning of the retype as the session has it now (after an undo too)
and closes when the retype is gone.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from lecturecut.synthesis.edl import (
    MAX_TUNING_GAIN_DB,
    MAX_TUNING_SHIFT_MS,
    MAX_TUNING_TEMPO,
    MIN_TUNING_TEMPO,
    Replacement,
    VoiceTuning,
)

from .playback import samples_to_ms
from .session import QtSession
from .voice import VoiceSynthesizer
from .workers import format_tenths

GAIN_STEP_DB = 0.5
SHIFT_STEP_MS = 10
LISTEN_PAD_MS = 1_000  # Listen plays this much before and after the retype
MAX_CHOICES_SHOWN = 40  # occurrences offered per unit (a lecture may say "the" thousands of times)


class VoicePanel(QDialog):
    def __init__(self, session: QtSession, voice: VoiceSynthesizer, start: int, end: int,
                 player: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VoicePanel")
        self.setWindowTitle(self.tr("Voice of the retype"))
        self.session, self.voice, self.player = session, voice, player
        self.start, self.end = start, end
        self.selection: Any = None  # the engine's ranked units, once the worker has them
        self.combos: list[QComboBox] = []
        self._engine_pick: list[int] = []  # per unit: the occurrence the engine chooses by itself
        self._ranked_text: str | None = None
        self.rank_job: Any = None

        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.units_box = QGroupBox(self.tr("Recorded words"), self)
        self.units_form = QFormLayout(self.units_box)
        self.units_note = QLabel(self.tr("Finding where the lecture says these words\u2026"), self.units_box)
        self.units_note.setWordWrap(True)
        self.units_form.addRow(self.units_note)

        self.gain = QDoubleSpinBox(self)
        self.gain.setRange(-MAX_TUNING_GAIN_DB, MAX_TUNING_GAIN_DB)
        self.gain.setSingleStep(GAIN_STEP_DB)
        self.gain.setDecimals(1)
        self.gain.setSuffix(" dB")
        self.gain.setToolTip(self.tr("Louder or softer new words (the room sound around them stays)"))
        self.tempo = QSpinBox(self)
        self.tempo.setRange(round(MIN_TUNING_TEMPO * 100), round(MAX_TUNING_TEMPO * 100))
        self.tempo.setSuffix(" %")
        self.tempo.setToolTip(self.tr("The new words' length: over 100 % slower, under 100 % faster (pitch kept)"))
        self.shift = QSpinBox(self)
        self.shift.setRange(-MAX_TUNING_SHIFT_MS, MAX_TUNING_SHIFT_MS)
        self.shift.setSingleStep(SHIFT_STEP_MS)
        self.shift.setSuffix(" ms")
        self.shift.setToolTip(self.tr("Start the new words later (+) or earlier (\u2212) in their pause"))
        nudge = QGroupBox(self.tr("Adjust"), self)
        form = QFormLayout(nudge)
        form.addRow(self.tr("Loudness"), self.gain)
        form.addRow(self.tr("Duration"), self.tempo)
        form.addRow(self.tr("Shift"), self.shift)

        buttons = QDialogButtonBox(self)
        self.apply_button = buttons.addButton(self.tr("Apply"), QDialogButtonBox.ButtonRole.ApplyRole)
        self.apply_button.setToolTip(self.tr("Make the new speech this way (undoable), then hear it"))
        self.reset_button = buttons.addButton(self.tr("Reset"), QDialogButtonBox.ButtonRole.ResetRole)
        self.reset_button.setToolTip(self.tr("As the voice engine chose it"))
        self.listen_button = QPushButton(self.tr("Listen"), self)
        self.listen_button.setToolTip(self.tr("Play the retype with a second either side, as edited"))
        buttons.addButton(self.listen_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.close)
        self.apply_button.clicked.connect(self.apply)
        self.reset_button.clicked.connect(self.reset)
        self.listen_button.clicked.connect(self.listen)
        self.listen_button.setVisible(player is not None)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.units_box)
        layout.addWidget(nudge)
        layout.addWidget(buttons)

        session.edlChanged.connect(self._sync)
        session.projectOpened.connect(lambda _p: self.close())
        voice.statesChanged.connect(self._show_heading)
        self._sync()

    # ---- the retype ---------------------------------------------------------------------------
    def replacement(self) -> Replacement | None:
        """The retype of ``[start, end)`` as the session has it now (None: it is gone)."""
        edl = self.session.edl
        if edl is None:
            return None
        return next((r for r in edl.replacements if (r.start, r.end) == (self.start, self.end)), None)

    def _sync(self, _project: object = None) -> None:
        r = self.replacement()
        if r is None:
            self.close()
            return
        self._show_heading()
        if r.text != self._ranked_text:
            self._rank(r)
        self._show_tuning(r.tuning)

    def _show_heading(self) -> None:
        r = self.replacement()
        transcript = self.session.transcript
        if r is None or transcript is None:
            return
        before = " ".join(w.text for w in transcript.words[r.start:r.end])
        what = f"+ {r.text}" if r.is_insertion else f"{before} \u2192 {r.text}"
        from .edit_list import edits_of, voice_text

        entry = next((e for e in edits_of(self.session.project, self.voice.states)  # type: ignore[arg-type]
                      if e.replacement == r), None)
        self.heading.setText(what + ("\n" + voice_text(entry) if entry is not None else ""))

    def _show_tuning(self, tuning: VoiceTuning) -> None:
        self.gain.setValue(tuning.gain_db)
        self.tempo.setValue(round(tuning.tempo * 100))
        self.shift.setValue(tuning.shift_ms)
        chosen = dict(tuning.choices)
        for u, combo in enumerate(self.combos):
            word = chosen.get(u, self._engine_pick[u])
            k = combo.findData(word)
            combo.setCurrentIndex(k if k >= 0 else combo.findData(self._engine_pick[u]))

    # ---- the occurrences ------------------------------------------------------------------------
    def _rank(self, r: Replacement) -> None:
        self._ranked_text = r.text
        self.units_note.setText(self.tr("Finding where the lecture says these words\u2026"))
        self.units_note.show()
        self._clear_units()
        self.rank_job = self.voice.rank(r, lambda sel, text=r.text: self._ranked(text, sel),
                                        lambda exc, text=r.text: self._rank_failed(text, exc))

    def _clear_units(self) -> None:
        while self.units_form.rowCount() > 1:
            self.units_form.removeRow(1)
        self.combos, self._engine_pick, self.selection = [], [], None

    def _ranked(self, text: str, selection: Any) -> None:
        r = self.replacement()
        if r is None or r.text != text:
            return  # the retype changed meanwhile: its own ranking is on its way
        self._clear_units()
        self.selection = selection
        words = self.session.transcript.words  # type: ignore[union-attr]
        if not selection.units:
            self.units_note.setText(self.tr("The lecture never says some of these words, so they are built from "
                                            "the lecturer's sounds or a generic voice: there is no recording to "
                                            "choose."))
            return
        self.units_note.setText(self.tr("Which recording of the lecture says each part (best first):"))
        for u, unit in enumerate(selection.units):
            combo = QComboBox(self.units_box)
            combo.setObjectName(f"unit{u}")
            shown = list(unit.candidates[:MAX_CHOICES_SHOWN])
            if all(c.start != unit.chosen.start for c in shown):
                shown.append(unit.chosen)
            for c in shown:
                said = " ".join(w.text for w in words[c.start:c.end])
                label = f"{format_tenths(samples_to_ms(words[c.start].start))} \u2018{said}\u2019"
                if c.start == unit.chosen.start:
                    label += " " + self.tr("(best)")
                combo.addItem(label, c.start)
            self.combos.append(combo)
            self._engine_pick.append(unit.chosen.start)
            self.units_form.addRow(f"\u2018{' '.join(unit.tokens)}\u2019", combo)
        self._show_tuning(r.tuning)

    def _rank_failed(self, text: str, exc: BaseException) -> None:
        r = self.replacement()
        if r is None or r.text != text:
            return
        self._clear_units()
        first = str(exc).strip().splitlines()
        self.units_note.setText(first[0] if first else type(exc).__name__)

    # ---- actions --------------------------------------------------------------------------------
    def tuning(self) -> VoiceTuning:
        """What the panel shows, as a tuning (units whose recording was not looked up yet keep theirs)."""
        r = self.replacement()
        chosen = dict(r.tuning.choices) if r is not None and not self.combos else {}
        for u, combo in enumerate(self.combos):
            word = combo.currentData()
            if word is not None and word != self._engine_pick[u]:
                chosen[u] = int(word)
        return VoiceTuning(tuple(chosen.items()), self.gain.value(), self.tempo.value() / 100, self.shift.value())

    def apply(self) -> bool:
        """Record the panel's tuning on the retype (one undoable step); False when nothing changed."""
        r = self.replacement()
        if r is None:
            return False
        tuning = self.tuning()
        if tuning == r.tuning:
            return False
        return self.session.tune_voice(self.start, self.end, tuning)

    def reset(self) -> None:
        """The engine's own choices and no nudge (Apply records it)."""
        self._show_tuning(VoiceTuning())

    def listen(self) -> None:
        r = self.replacement()
        transcript = self.session.transcript
        if r is None or transcript is None or self.player is None:
            return
        words = transcript.words
        a = samples_to_ms(words[min(r.start, len(words) - 1)].start)
        b = samples_to_ms(words[r.end - 1].end) if r.end > r.start else a
        self.player.play_range(max(0, a - LISTEN_PAD_MS), b + LISTEN_PAD_MS)
