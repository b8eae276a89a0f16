"""The ``lecturecut`` command line: a stable, scriptable contract over the engine.

Imports no Qt unless the GUI is asked for. Long jobs draw a progress bar on
stderr; the first Ctrl-C cancels cleanly (nothing half-written is left), a
second one aborts. SIGTERM and SIGHUP (a closed terminal, ``kill``) are handled
like Ctrl-C. Failures exit non-zero with a one-line reason.

Exit status: 0 done; 1 error (one line on stderr); 2 usage error; 128 + the
signal's number when a signal ended the run: 130 Ctrl-C (SIGINT), 143 SIGTERM,
129 SIGHUP.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_CANCELLED = 130  # the shell convention for "ended by SIGINT" (128 + 2)
# Signals that end a run cleanly, like Ctrl-C; the exit status is 128 + the first one's number
# (the shell's own convention, so `$?` reads the same as for a process the signal killed).
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
_received: list[int] = []  # signals received during this main() call, first first


# ---------------------------------------------------------------- progress
class ProgressBar:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    WIDTH = 30  # characters of bar
    MIN_INTERVAL_S = 0.1  # redraw at most this often on a terminal

    def __init__(self, stream=None, quiet: bool = False) -> None:
        # resolved now, not at import: sys.stderr may have been replaced since (pytest's capture)
        stream = sys.stderr if stream is None else stream
        self.stream = stream
        self.quiet = quiet
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self._last_draw = 0.0
        self._last_pct = -10
        self._last_msg = ""
        self._start = time.monotonic()

    def __call__(self, fraction: Optional[float], message: str) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if self.tty:
            if now - self._last_draw < self.MIN_INTERVAL_S and fraction not in (0.0, 1.0):
                return
            self._last_draw = now
            if fraction is None:
                bar = "working".center(self.WIDTH, "·")
                pct = "   "
            else:
                filled = int(round(self.WIDTH * fraction))
                bar = "█" * filled + "·" * (self.WIDTH - filled)
                pct = f"{int(fraction * 100):3d}%"
            eta = ""
            if fraction and 0.02 < fraction < 1.0:
                left = (now - self._start) * (1 - fraction) / fraction
                eta = f" ~{int(left)} s left"
            self.stream.write(f"\r{pct} |{bar}| {message[:40]:<40}{eta:<14}")
            self.stream.flush()
        else:
            pct = -1 if fraction is None else int(fraction * 100)
            if message != self._last_msg or pct >= self._last_pct + 10:
                self._last_msg, self._last_pct = message, pct
                shown = f"{pct:3d}%" if pct >= 0 else " ..."
                self.stream.write(f"{shown} {message}\n")
                self.stream.flush()

    def done(self) -> None:
        if self.tty and not self.quiet:
            self.stream.write("\r" + " " * (self.WIDTH + 64) + "\r")
            self.stream.flush()


class Interrupted(KeyboardInterrupt):
    """A stop signal arrived where there is nothing to cancel gracefully (or a second one arrived)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class CtrlC:
    """SIGINT, SIGTERM and SIGHUP: the first sets the cancel token, a second raises Interrupted.

    Without a token (short commands such as ``edit``) the first raises Interrupted
    at once; atomic writes then remove their temporary file on the way out.
    Every signal is recorded for :func:`_exit_status`.
    """

    def __init__(self, token=None) -> None:
        self.token = token
        self._previous: dict[int, object] = {}

    def __enter__(self):
        def handler(signum, frame):
            _received.append(signum)
            if self.token is None or self.token.is_set():
                raise Interrupted(signum)
            self.token.cancel()
            sys.stderr.write("\ncancelling... (Ctrl-C again to abort at once)\n")

        for signum in STOP_SIGNALS:
            try:
                self._previous[signum] = signal.signal(signum, handler)
            except ValueError:  # not the main thread (e.g. called from a test runner thread)
                break
        return self.token

    def __exit__(self, *exc) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous.clear()


def _exit_status() -> int:
    """128 + the first stop signal received (130 for Ctrl-C, also when none was recorded)."""
    return 128 + _received[0] if _received else EXIT_CANCELLED


def _job(args: argparse.Namespace, fn: Callable):
    """Run ``fn(progress, cancel)`` with a progress bar and Ctrl-C cancellation."""
    from lecturecut.core import CancelToken

    bar = ProgressBar(quiet=args.quiet)
    token = CancelToken()
    with CtrlC(token):
        try:
            return fn(bar, token)
        finally:
            bar.done()


# ---------------------------------------------------------------- helpers
def _range(text: str) -> tuple[int, int]:
    """'I:J' -> (I, J), half-open; 'I' -> (I, I+1)."""
    try:
        if ":" in text:
            a, b = text.split(":", 1)
            return int(a), int(b)
        i = int(text)
        return i, i + 1
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a word range; use I:J (half-open), e.g. 3:7") from None


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _open_session(path: str):
    from lecturecut.synthesis.session import EditSession

    return EditSession.open(path)


# ---------------------------------------------------------------- commands
def cmd_transcribe(args: argparse.Namespace) -> int:
    from lecturecut.asr.language import candidate_languages, language_code
    from lecturecut.synthesis.pipeline import new_project
    from lecturecut.synthesis.project import ProjectSettings

    _refuse_overwrite(args)  # before any work: a transcription takes minutes
    # checked before any work, so a typo costs no transcription
    language = language_code(args.language)
    candidates = candidate_languages(args.languages)
    settings = ProjectSettings(model=args.model, language=language, backend=args.backend)
    project = _job(args, lambda bar, tok: new_project(args.video, settings, refine=not args.no_refine,
                                                      candidates=candidates, progress=bar, cancel=tok))
    _save_new_project(args, project)
    t = project.transcript
    _note(args, _model_and_language(t, candidates))
    check = t.language_check
    if check is not None and check.uncertain:
        # a warning, so shown even with --quiet: the transcript may be in the wrong language
        _err(f"warning: {check.reason} {_rerun_hint(args, check)}")
    if not t.words:
        _err(f"no speech was found in '{args.video}'; the project has no words to edit")
    _note(args, f"{len(t.words)} words ({t.language}, {t.backend} {t.model}, "
                f"boundaries: {t.refinement}) -> {args.output}")
    return EXIT_OK


def _model_and_language(transcript, candidates: Sequence[str]) -> str:
    """'model base (whisper), language en (detected, p=0.98 among en/de)'."""
    check = transcript.language_check
    if check is None:
        how = "no speech to detect it from" if not transcript.words else "English-only model"
    elif check.forced:
        how = "forced by --language"
    elif check.probability is None:
        how = "English-only model"
    else:
        how = f"detected, p={check.probability:.2f} among {'/'.join(candidates)}"
    return f"model {transcript.model} ({transcript.backend}), language {transcript.language or '-'} ({how})"


def _rerun_hint(args: argparse.Namespace, check) -> str:
    """The exact command that transcribes again in the likeliest other language."""
    import shlex

    command = ["lecturecut", "transcribe", args.video, "-o", args.output]
    if check.alternatives:
        command += ["--language", check.alternatives[0][0]]
        lead = "If the language is wrong, rerun:"
    else:  # the user's own --language looks wrong and nothing else was judged: let detection decide
        lead = "If the language is wrong, rerun without --language to detect it:"
    if args.model != "auto":
        command += ["--model", args.model]
    if args.backend != "whisper":
        command += ["--backend", args.backend]
    if args.no_refine:
        command.append("--no-refine")
    command.append("--force")  # the project just written would otherwise be refused
    return f"{lead} {shlex.join(command)}"


def _refuse_overwrite(args: argparse.Namespace) -> None:
    """transcribe -o over an existing project would wipe its edits and history: only with --force."""
    from lecturecut.synthesis.project import ProjectError

    if os.path.lexists(args.output) and not args.force:
        raise ProjectError(f"'{args.output}' already exists (its edits and undo history would be lost); "
                           "use --force to replace it, or choose another -o")


def _save_new_project(args: argparse.Namespace, project) -> None:
    from lecturecut.synthesis.project import project_lock, save_project

    with project_lock(args.output):  # checked again under the lock: it may have appeared meanwhile
        _refuse_overwrite(args)
        save_project(project, args.output)


def cmd_words(args: argparse.Namespace) -> int:
    from lecturecut.synthesis.voice import synthesized_spans

    session = _open_session(args.project)
    edl = session.edl
    voice = {i: _voice_label(s) for s in synthesized_spans(session.project)
             for i in range(s.replacement.start, s.replacement.end)}
    for i, w in enumerate(session.project.transcript.words):
        extra = f"\tvoice: {voice[i]}" if i in voice else ""
        _out(f"{i}\t{w.start_s:.3f}\t{w.end_s:.3f}\t{w.text}\t{edl.state(i).value}{extra}")
    return EXIT_OK


def _voice_label(status) -> str:
    """"reused" / "units" / "generic voice" / "pending" for a listed span (synthetic speech is never silent)."""
    if status.record is None:
        return "pending"
    return "generic voice" if status.record.method == "generic" else status.record.method


def cmd_voices(args: argparse.Namespace) -> int:
    """Every retype and insertion with how its speech was made: index, words, method, sources."""
    from lecturecut.synthesis.voice import synthesized_spans

    session = _open_session(args.project)
    if args.candidates is not None:
        return _print_candidates(args, session.project, args.candidates)
    for k, s in enumerate(synthesized_spans(session.project)):
        r = s.replacement
        sources = "; ".join(u.summary for u in s.record.sources) if s.record else "not synthesized yet"
        tuning = "" if r.tuning.is_default else f"\ttuning: {r.tuning.describe()}"
        if s.record and s.record.tuning.gain_db != r.tuning.gain_db:
            tuning += f" (gain applied {s.record.tuning.gain_db:+.1f} dB: the recording has no more headroom)"
        if s.record and s.record.tuning.shift_ms != r.tuning.shift_ms:
            tuning += f" (shifted {s.record.tuning.shift_ms:+d} ms: the pause allows no more)"
        _out(f"{k}\t{r.start}:{r.end}\t{r.text}\t{_voice_label(s)}\t{sources}{tuning}\t{_lips_label(s)}")
    return EXIT_OK


def _lips_label(status) -> str:
    """What the lips engine did under a listed span at its last export (regenerated faces are never silent)."""
    from lecturecut.synthesis.lips.record import recall

    if status.record is None:
        return "lips: once spoken"
    found = recall(status.record.key)
    return found.summary if found else "lips: regenerated at export"


def _print_candidates(args: argparse.Namespace, project, index: int) -> int:
    """Retype ``index``'s units and every recorded occurrence of each, ranked: unit, word, time, words,
    cost, and "chosen" (what its speech uses) or "best" (the engine's pick where the user chose another)."""
    reps = project.edl.replacements
    if not 0 <= index < len(reps):
        raise ValueError(f"there is no retype {index}; this project has {len(reps)} (numbered from 0 in "
                         "'lecturecut voices PROJECT')")
    r = reps[index]
    chosen = r.tuning.overrides
    for u, unit in enumerate(_ranked_units(args, project, r).units):
        for c in unit.candidates:
            mark = "chosen" if c.start == chosen.get(u, unit.chosen.start) else "best" if c is unit.chosen else ""
            words = " ".join(w.text for w in project.transcript.words[c.start:c.end])
            _out(f"{u}\t{c.start}\t{project.transcript.words[c.start].start_s:.3f}\t{words}\t{c.cost:.3f}\t{mark}")
    return EXIT_OK


def _ranked_units(args: argparse.Namespace, project, r):
    """Every unit of retype ``r`` with all its recorded occurrences ranked (none overridden), or the one-line
    reason there are none to choose from."""
    from lecturecut.synthesis.voice import rank_occurrences

    selection = _job(args, lambda bar, tok: rank_occurrences(project, r, progress=bar, cancel=tok))
    if selection.missing:
        said = ", ".join(f"'{w}'" for w in selection.missing)
        raise ValueError(f"words {r.start}:{r.end} (\"{r.text[:40]}\") include {said}, which the lecture never says; "
                         "that speech is built, so it has no recorded occurrences to choose from")
    return selection


def _tune(args: argparse.Namespace, session, start: int, end: int, settings: dict) -> None:
    """``edit --tune I:J`` and the settings after it: one "adjust voice" step; a choice must name an
    occurrence that ``voices --candidates`` lists."""
    import dataclasses

    from lecturecut.synthesis import edl as E

    r = next((r for r in session.edl.replacements if (r.start, r.end) == (start, end)), None)
    if r is None:
        session.tune_voice(start, end, E.DEFAULT_TUNING)  # raises the one-line EditError
    limits = {"gain_db": (-E.MAX_TUNING_GAIN_DB, E.MAX_TUNING_GAIN_DB, "--gain-db"),
              "tempo": (E.MIN_TUNING_TEMPO, E.MAX_TUNING_TEMPO, "--tempo"),
              "shift_ms": (-E.MAX_TUNING_SHIFT_MS, E.MAX_TUNING_SHIFT_MS, "--shift-ms")}
    values = {k: v for k, v in settings.items() if k in limits}
    for name, value in values.items():
        lo, hi, flag = limits[name]
        if not lo <= value <= hi:
            raise ValueError(f"{flag} {value:g} is outside {lo:g} to {hi:g}")
    tuning = dataclasses.replace(r.tuning, **values)
    if settings.get("choose"):
        units = _ranked_units(args, session.project, r).units
        for unit, word in settings["choose"]:
            if not 0 <= unit < len(units):
                raise ValueError(f"words {start}:{end} are said by units 0 to {len(units) - 1}; "
                                 f"there is no unit {unit}")
            valid = [c.start for c in units[unit].candidates]
            if word is not None and word not in valid:
                raise ValueError(f"unit {unit} ('{' '.join(units[unit].tokens)}') is said nowhere starting at word "
                                 f"{word}; choose one of {', '.join(map(str, valid))} "
                                 "(see 'lecturecut voices PROJECT --candidates N')")
            tuning = tuning.with_choice(unit, word)
    session.tune_voice(start, end, tuning)


def _synthesize_new(args: argparse.Namespace, project, before) -> None:
    """Synthesize each retype not in ``before``; report its voice, or why it stays pending (never an error)."""
    from lecturecut.core import Cancelled
    from lecturecut.synthesis.voice import VoiceError, synthesize
    from lecturecut.synthesis.voice.tts import TtsFailed, TtsUnavailable

    rate = project.media.audio.sample_rate if project.media.audio else 16_000
    for r in project.edl.replacements:
        if r in before:
            continue
        where = f"words {r.start}:{r.end}, \"{r.text[:40]}\""
        try:
            speech = _job(args, lambda bar, tok, r=r: synthesize(project, r, audio_rate=rate, progress=bar,
                                                                 cancel=tok))
        except Cancelled:
            _err(f"voice ({where}): pending (cancelled; the edit is saved and is synthesized at export)")
            raise
        except (VoiceError, TtsUnavailable, TtsFailed) as exc:
            _err(f"voice ({where}): pending ({exc})")
            continue
        label = "generic voice" if speech.method == "generic" else speech.method
        _note(args, f"voice ({where}): {label}")


def cmd_say(args: argparse.Namespace) -> int:
    """The words in the lecturer's voice as a WAV file (inserted at the end, or before word --at)."""
    import io
    import wave

    import numpy as np

    from lecturecut.files import write_bytes_atomic
    from lecturecut.synthesis.edl import Replacement
    from lecturecut.synthesis.voice import synthesize

    if os.path.lexists(args.output) and not args.force:
        raise FileExistsError(f"'{args.output}' already exists; use --force to replace it, or choose another -o")
    project = _open_session(args.project).project
    n = len(project.transcript.words)
    at = n if args.at is None else args.at
    if not 0 <= at <= n:
        raise ValueError(f"--at {at} is not a word index of this lecture (0..{n}); see 'lecturecut words'")
    rate = project.media.audio.sample_rate if project.media.audio else 16_000
    speech = _job(args, lambda bar, tok: synthesize(project, Replacement(at, at, args.text), audio_rate=rate,
                                                    progress=bar, cancel=tok))
    pcm = (np.clip(speech.audio, -1.0, 1.0) * 32767).round().astype("<i2")  # (n,) 16-bit mono
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    write_bytes_atomic(args.output, buf.getvalue())
    label = "generic voice" if speech.method == "generic" else speech.method
    _err(f"voice: {label}; {speech.duration_s:.2f} s -> {args.output}")
    for use in speech.sources:
        _err(f"  {use.method}: {use.summary}")
    return EXIT_OK


def cmd_text(args: argparse.Namespace) -> int:
    session = _open_session(args.project)
    _out(session.edl.edited_text(session.project.transcript))
    return EXIT_OK


def cmd_edit(args: argparse.Namespace) -> int:
    from lecturecut.files import LOCK_TIMEOUT_S
    from lecturecut.synthesis.project import project_lock

    # The lock spans load, edits and save: twenty edits started at once all land, one after another.
    with project_lock(args.project, LOCK_TIMEOUT_S if args.wait is None else args.wait):
        session = _open_session(args.project)
        before = set(session.edl.replacements)
        for op, *values in args.ops:  # in the order given on the command line
            if op == "delete":
                session.delete(*values[0])
            elif op == "restore":
                session.restore(*values[0])
            elif op == "retype":
                (start, end), text = values
                session.replace_words(start, end, text)
            elif op == "apply_text":
                session.apply_text(_read_edit_text(values[0], session.project.transcript))
            elif op == "tune":
                (start, end), settings = values
                _tune(args, session, start, end, settings)
            elif op == "undo":
                session.undo()
            else:
                session.redo()
        if session.dirty:
            session.save()
    edl = session.edl
    _note(args, f"{len(edl.deleted)} words deleted, {len(edl.replacements)} retypes")
    # after the save and outside the lock: the edits are kept whatever the voice does
    _synthesize_new(args, session.project, before)
    return EXIT_OK


def _read_edit_text(source: str, transcript) -> str:
    """The text for --apply-text, read no further than the longest text an edit may have."""
    from lecturecut.synthesis.edl import MAX_TEXT_FACTOR, EditError, text_limit

    limit = text_limit(sum(len(w.text) + 1 for w in transcript.words))
    fh = sys.stdin if source == "-" else open(source, encoding="utf-8")
    try:
        text = fh.read(limit + 1)
    finally:
        if fh is not sys.stdin:
            fh.close()
    if len(text) > limit:
        raise EditError(f"'{source}' is longer than {limit:,} characters, more than {MAX_TEXT_FACTOR} times the "
                        "transcript; is it the right file?")
    return text


class _EditOp(argparse.Action):
    """Append ``(op, *values)`` to ``args.ops``, so edits apply in the order they were given."""

    def __call__(self, parser, namespace, values, option_string=None):
        ops = list(getattr(namespace, self.dest, None) or [])  # a copy: argparse shares the default
        if self.const == "retype":
            spec, text = values
            try:
                ops.append(("retype", _range(spec), text))
            except argparse.ArgumentTypeError as exc:
                raise argparse.ArgumentError(self, str(exc)) from None
        elif self.const == "insert":  # an insertion is a retype of no words: Replacement(I, I, text)
            spec, text = values
            try:
                ops.append(("retype", (int(spec), int(spec)), text))
            except ValueError:
                raise argparse.ArgumentError(self, f"'{spec}' is not a word index; use I (insert before word I)") \
                    from None
        elif self.const == "tune":
            ops.append(("tune", values, {}))
        elif self.nargs == 0:
            ops.append((self.const,))
        else:
            ops.append((self.const, values))
        setattr(namespace, self.dest, ops)


class _TuneSetting(argparse.Action):
    """``--gain-db``/``--tempo``/``--shift-ms``/``--choose``: a setting of the ``--tune I:J`` just before it."""

    def __call__(self, parser, namespace, values, option_string=None):
        ops = list(getattr(namespace, self.dest, None) or [])
        if not ops or ops[-1][0] != "tune":
            raise argparse.ArgumentError(self, "give --tune I:J (the retype to tune) just before it")
        op, span, settings = ops[-1]
        settings = dict(settings)  # a copy: parsed ops are never changed in place
        if self.const == "choose":
            settings["choose"] = [*settings.get("choose", []), values]
        else:
            settings[self.const] = values
        ops[-1] = (op, span, settings)
        setattr(namespace, self.dest, ops)


def _choice(text: str) -> tuple[int, int | None]:
    """'U=W' -> (U, W); 'U=auto' -> (U, None): the engine chooses again."""
    unit, sep, word = text.partition("=")
    try:
        return int(unit), (None if word == "auto" else int(word))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not U=W (unit U said by the occurrence starting at "
                                         "source word W, or U=auto)") from None


def cmd_export(args: argparse.Namespace) -> int:
    from lecturecut.synthesis.export import ExportOptions, export

    session = _open_session(args.project)
    if args.otio and Path(args.otio).exists() and not args.force:  # refused before anything is rendered
        from lecturecut.synthesis.render import DestinationExists

        raise DestinationExists(f"'{args.otio}' already exists and was left as it is. Choose another name, "
                                "or allow replacing it (--force).")
    options = ExportOptions(subtitles=args.subtitles, smooth_cuts=not args.no_smooth, overwrite=args.force,
                            full_render=args.full_render, target=args.preset, prefix=args.prefix or "",
                            loudness_lufs=args.loudness, audio_track=args.audio_track,
                            mark_synthetic=args.mark_synthetic,
                            lips=_lips_option(args))
    result = _job(args, lambda bar, tok: export(session.project, args.output, options, progress=bar, cancel=tok))
    reps = session.project.edl.replacements
    for index, method, duration_s in result.synthesized:  # synthetic speech is never silent about itself
        r = reps[index]
        voice = "generic voice" if method == "generic" else f"{method} from the lecture"
        _note(args, f"retype {index + 1} (words {r.start}:{r.end}, \"{r.text[:40]}\"): {duration_s:.2f} s "
                    f"of new speech, {voice}")
    for lips in result.lips:  # nor are regenerated faces, nor faces that could not be
        line = f"retype {lips.replacement + 1}: {lips.summary}"
        if lips.changed:
            _note(args, line)
        else:
            _err(f"warning: {line}")
    for warning in result.warnings:
        _err(f"warning: {warning}")
    if result.video_render is not None:
        _note(args, result.video_render.summary)  # smart (how much was copied) or full, and why
    if result.loudness is not None:
        _note(args, result.loudness.summary)
    _note(args, f"exported {result.duration_s:.2f} s with {result.n_cuts} cuts -> {result.path}")
    for path in result.files[1:]:
        _note(args, f"  also {path}")
    from lecturecut.synthesis.render.provenance import record_path

    _note(args, f"every cut and synthetic span is listed in {record_path(result.path)}")
    if args.otio:
        from lecturecut.synthesis.render.timeline import write_timeline

        otio_path = write_timeline(session.project, result.plan, args.otio, result.path, overwrite=args.force)
        _note(args, f"timeline (OpenTimelineIO) -> {otio_path}")
    return EXIT_OK


def _lips_option(args: argparse.Namespace) -> str:
    """--lips own|gan|off; --no-lips (kept for older scripts) is --lips off."""
    return "off" if args.no_lips else args.lips


def _add_lips(s: argparse.ArgumentParser, what: str) -> None:
    s.add_argument("--lips", choices=["own", "gan", "off"], default="own",
                   help=f"the mouth under new speech in the {what}: 'own' regenerates it from the lecturer's own "
                        "mouth footage (default), 'gan' draws it with the Wav2Lip GAN (needs `lecturecut models "
                        "fetch wav2lip_gan`; research / non-commercial use only), 'off' keeps the background "
                        "frames as chosen from the footage around the span")
    s.add_argument("--no-lips", action="store_true", help="the same as --lips off")


def cmd_review(args: argparse.Namespace) -> int:
    from lecturecut.synthesis.review import review_reel

    session = _open_session(args.project)
    result = _job(args, lambda bar, tok: review_reel(session.project, args.output, context_s=args.context,
                                                     overwrite=args.force, lips=_lips_option(args), progress=bar,
                                                     cancel=tok))
    _note(args, f"review reel of {result.n_edits} edits ({result.duration_s:.1f} s) -> {result.path}")
    return EXIT_OK


def cmd_edits(args: argparse.Namespace) -> int:
    """Every edit, numbered as 'preview --edit N' takes it: number, kind, words I:J, time, before -> after."""
    from lecturecut.synthesis.moment import edits

    for e in edits(_open_session(args.project).project):
        _out(f"{e.number}\t{e.kind}\t{e.start}:{e.end}\t{_clock(e.start_s)}-{_clock(e.end_s)}\t"
             f"\"{e.before}\" -> \"{e.after}\"")
    return EXIT_OK


def _clock(t: float) -> str:
    """Seconds as m:ss.ss."""
    return f"{int(t // 60)}:{t % 60:05.2f}"


def cmd_preview(args: argparse.Namespace) -> int:
    from lecturecut.synthesis.moment import preview_edit

    session = _open_session(args.project)
    result = _job(args, lambda bar, tok: preview_edit(session.project, args.edit, args.output, context_s=args.context,
                                                      overwrite=args.force, side_by_side=args.side_by_side,
                                                      lips=_lips_option(args), progress=bar, cancel=tok))
    e = result.edit
    for warning in result.warnings:
        _err(f"warning: {warning}")
    for lips in result.lips:  # regenerated faces are never silent
        if lips.changed:
            _note(args, f"edit {e.number}: {lips.summary}")
    spoken = f", new speech: {result.method}" if result.method else ""
    shown = (f"{result.before_s:.1f} s before beside {result.after_s:.1f} s after ({result.audio}'s sound)"
             if result.layout == "side-by-side" else f"{result.before_s:.1f} s before + {result.after_s:.1f} s after")
    _note(args, f"edit {e.number}/{result.n_edits} ({e.kind}, words {e.start}:{e.end}{spoken}): "
                f"{shown} -> {result.path}")
    return EXIT_OK


def cmd_clean(args: argparse.Namespace) -> int:
    """Find fillers, repeats, false starts and long pauses; remove them as one undoable step."""
    from lecturecut.files import LOCK_TIMEOUT_S
    from lecturecut.synthesis import clean
    from lecturecut.synthesis.project import project_lock

    chosen = args.fillers or args.repeats or args.pauses is not None
    if chosen and args.pauses is None and args.keep is not None:
        raise clean.CleanError("--keep sets how long a shortened pause stays; give it together with --pauses")
    options = clean.CleanOptions(
        fillers=args.fillers or not chosen, repeats=args.repeats or not chosen,
        pauses=args.pauses is not None or not chosen,
        pause_longer_than_s=clean.DEFAULT_PAUSE_S if args.pauses is None else args.pauses,
        keep_s=clean.DEFAULT_KEEP_S if args.keep is None else args.keep)
    # The lock spans load, change and save, as for 'edit': a concurrent edit is never lost.
    with project_lock(args.project, LOCK_TIMEOUT_S if args.wait is None else args.wait):
        session = _open_session(args.project)
        findings = clean.find(session.project, options)
        result = clean.apply(session.edl, findings)
        if result.applied and not args.dry_run:
            session.apply_edl(result.edl, result.label)
            session.save()
    skipped = dict((id(f), why) for f, why in result.skipped)
    verb = "would " if args.dry_run else ""
    for f in findings:
        action = f"skip: {skipped[id(f)]}" if id(f) in skipped else verb + f.action
        _out(f"{_clock(f.start_s)}\t{f.kind.value}\t{f.shown}\t{action}")
    if options.fillers and (search_note := clean.filler_search_note(session.project)):
        _note(args, search_note)
    counts = result.counts
    skip_note = f"; {len(result.skipped)} left as they are" if result.skipped else ""
    if args.dry_run:
        _note(args, f"dry run, nothing changed: would clean up {counts} (at least {result.saved_s:.1f} s){skip_note}")
    elif result.applied:
        _note(args, f"cleaned up {counts}: at least {result.saved_s:.1f} s shorter, one step "
                    f"('lecturecut edit --undo' takes it back){skip_note}")
    else:
        _note(args, f"nothing to clean up{skip_note}")
    return EXIT_OK


def cmd_relink(args: argparse.Namespace) -> int:
    from lecturecut.synthesis.project import load_project, project_lock, save_project

    with project_lock(args.project):  # read-modify-write, like edit
        project = load_project(args.project).relinked(args.new_source)
        save_project(project, args.project)
    return EXIT_OK


def cmd_models(args: argparse.Namespace) -> int:
    from lecturecut.models import registry

    if args.action == "list":
        for status in registry.list_models():
            spec = status.spec
            where = str(status.path) if status.path else "-"
            _out(f"{spec.name}\t{spec.kind}\t{'present' if status.path else 'missing'}\t{spec.licence}\t{where}")
        return EXIT_OK
    if args.action == "fetch":
        if not args.name:
            raise SystemExit("lecturecut models fetch: give a model NAME (see 'lecturecut models list')")
        path = _job(args, lambda bar, tok: registry.fetch(args.name, progress=bar, cancel=tok))
        _out(str(path))
        return EXIT_OK
    # verify
    names = [args.name] if args.name else [s.spec.name for s in registry.list_models() if s.path]
    bad = 0
    for name in names:
        result = registry.verify(name)
        ok = getattr(result, "ok", False)
        bad += not ok
        _out(f"{name}\t{'ok' if ok else 'FAILED'}\t{getattr(result, 'message', '')}")
    return EXIT_OK if not bad else EXIT_ERROR


def cmd_demo(args: argparse.Namespace) -> int:
    """The main job without a display: transcribe the sample, cut a phrase, export."""
    from lecturecut.core import scaled
    from lecturecut.resources import SAMPLE_LECTURE
    from lecturecut.synthesis.export import ExportOptions, export
    from lecturecut.synthesis.pipeline import new_project
    from lecturecut.synthesis.project import ProjectSettings
    from lecturecut.synthesis.session import EditSession

    video = Path(args.video or SAMPLE_LECTURE)
    out_dir = Path(args.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    project_path = out_dir / f"{video.stem}.lcproj"
    out_video = out_dir / f"{video.stem}_edited.mp4"

    def run(bar, tok):
        project = new_project(video, ProjectSettings(), progress=scaled(bar, 0.0, 0.6), cancel=tok)
        session = EditSession(project, project_path)
        start, end = _demo_phrase(project.transcript)
        session.delete(start, end)
        session.save()
        # the demo writes only into its own output folder: running it again replaces its last result
        result = export(session.project, out_video, ExportOptions(overwrite=True), progress=scaled(bar, 0.6, 1.0),
                        cancel=tok)
        return session, (start, end), result

    session, (start, end), result = _job(args, run)
    words = session.project.transcript.words
    _out(f"transcript: {' '.join(w.text for w in words)}")
    _out(f"deleted words {start}:{end}: \"{' '.join(w.text for w in words[start:end])}\"")
    _out(f"project: {project_path}")
    _out(f"exported: {result.path} ({session.project.media.duration_s:.2f} s -> {result.duration_s:.2f} s, "
         f"{result.n_cuts} cut{'s' * (result.n_cuts != 1)})")
    for sub in getattr(result, "subtitle_paths", ()) or ():
        _out(f"subtitles: {sub}")
    return EXIT_OK


def _demo_phrase(transcript) -> tuple[int, int]:
    """A whole sentence from the middle of the sample (the second one), else a few middle words."""
    words = transcript.words
    if len(words) < 4:
        raise SystemExit("lecturecut demo: the sample has too few words to demonstrate a cut")
    ends = [i + 1 for i, w in enumerate(words) if w.text.rstrip().endswith((".", "?", "!"))]
    if len(ends) >= 3:
        return ends[0], ends[1]
    mid = len(words) // 2
    return mid, min(len(words) - 1, mid + 3)


def cmd_open(args: argparse.Namespace) -> int:
    headless = sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM"))
    if headless:
        _err("lecturecut: error: no display is available for the desktop app; "
             "use 'lecturecut demo' for the headless sample edit, or the transcribe/edit/export commands")
        return EXIT_ERROR
    from lecturecut.app.gui import main as gui_main

    return gui_main(([args.path] if args.path else []) + (["--lang", args.lang] if args.lang else []))


def _note(args: argparse.Namespace, message: str) -> None:
    """A summary line on stderr, unless --quiet."""
    if not args.quiet:
        sys.stderr.write(message + "\n")


def _err(message: str) -> None:
    sys.stderr.write(message + "\n")


# ---------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lecturecut", description="Edit a lecture video by editing its transcript.")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("-v", "--verbose", action="store_true", help="log every ffmpeg command")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("open", help="start the desktop app (the default with no command)")
    s.add_argument("path", nargs="?", help="a video or a .lcproj project")
    s.add_argument("--lang", choices=["en", "de"], help="user-interface language (default: the system's)")
    s.set_defaults(fn=cmd_open)

    s = sub.add_parser("transcribe", help="transcribe a video into a new project")
    s.add_argument("video")
    s.add_argument("-o", "--output", required=True, help="project file to write (.lcproj)")
    s.add_argument("--model", default="auto",
                   help="Whisper model name (tiny.en, base, small, ...) or a file path; "
                        "default: base, whatever the language")
    s.add_argument("--language", default=None, help="language code (en, de, ...) to use; detected when omitted")
    s.add_argument("--languages", default=None, metavar="CODES",
                   help="comma-separated languages detection chooses among (default: en,de)")
    s.add_argument("--backend", choices=["whisper", "faster-whisper"], default="whisper")
    s.add_argument("--no-refine", action="store_true", help="keep Whisper's raw word times (not recommended)")
    s.add_argument("--force", action="store_true", help="replace an existing project file (its edits are lost)")
    s.set_defaults(fn=cmd_transcribe)

    s = sub.add_parser("words", help="list the source words: index, start, end, text, state")
    s.add_argument("project")
    s.set_defaults(fn=cmd_words)

    s = sub.add_parser("text", help="print the edited transcript text")
    s.add_argument("project")
    s.set_defaults(fn=cmd_text)

    s = sub.add_parser("edit", help="delete, restore or retype words; undo/redo")
    s.add_argument("project")
    # Every edit option appends to one list, applied in the order given ("--undo --delete 3:4" undoes first).
    s.add_argument("--delete", type=_range, action=_EditOp, const="delete", dest="ops", metavar="I:J",
                   help="delete words I..J-1")
    s.add_argument("--restore", type=_range, action=_EditOp, const="restore", dest="ops", metavar="I:J",
                   help="restore words I..J-1")
    s.add_argument("--retype", nargs=2, action=_EditOp, const="retype", dest="ops", metavar=("I:J", "TEXT"),
                   help="retype words I..J-1 as TEXT (I:I inserts before word I)")
    s.add_argument("--insert", nargs=2, action=_EditOp, const="insert", dest="ops", metavar=("I", "TEXT"),
                   help="insert TEXT before word I (the number of words: at the end)")
    s.add_argument("--apply-text", action=_EditOp, const="apply_text", dest="ops", metavar="FILE",
                   help="make the transcript read like FILE ('-' = stdin)")
    s.add_argument("--tune", type=_range, action=_EditOp, const="tune", dest="ops", metavar="I:J",
                   help="adjust the new speech of the retype of words I..J-1 (I:I an insertion) with the "
                        "settings that follow it; unset ones keep their value")
    s.add_argument("--gain-db", type=float, action=_TuneSetting, const="gain_db", dest="ops", metavar="DB",
                   help="after --tune: the new words this much louder (-6 to 6; 0 as made)")
    s.add_argument("--tempo", type=float, action=_TuneSetting, const="tempo", dest="ops", metavar="F",
                   help="after --tune: the new words' duration times F (0.75 to 1.33; 1.2 = 20%% slower)")
    s.add_argument("--shift-ms", type=int, action=_TuneSetting, const="shift_ms", dest="ops", metavar="MS",
                   help="after --tune: the new words start MS later, or earlier if negative (-300 to 300)")
    s.add_argument("--choose", type=_choice, action=_TuneSetting, const="choose", dest="ops", metavar="U=W",
                   help="after --tune: unit U is said by its recording starting at word W (U=auto: the "
                        "engine's pick; 'voices PROJECT --candidates N' lists them)")
    s.add_argument("--undo", nargs=0, action=_EditOp, const="undo", dest="ops", help="undo the last edit (repeatable)")
    s.add_argument("--redo", nargs=0, action=_EditOp, const="redo", dest="ops", help="redo (repeatable)")
    s.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                   help="wait at most this long while another program changes the project (default 30)")
    s.set_defaults(fn=cmd_edit, ops=[])

    s = sub.add_parser("clean", help="find filler words, repeats, false starts and long pauses and remove "
                                     "them in one undoable step")
    s.add_argument("project")
    s.add_argument("--fillers", action="store_true", help="filler words (uh, um, hmm; German äh, ähm, hm)")
    s.add_argument("--repeats", action="store_true", help="repeated words (\"the the\") and false starts")
    s.add_argument("--pauses", type=float, default=None, metavar="SECONDS",
                   help="shorten pauses longer than SECONDS (with no kind chosen: all kinds, pauses over "
                        "1.0 s)")
    s.add_argument("--keep", type=float, default=None, metavar="SECONDS",
                   help="how long a shortened pause stays (default 0.5)")
    s.add_argument("--dry-run", action="store_true", help="only list what would be cleaned up; change nothing")
    s.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                   help="wait at most this long while another program changes the project (default 30)")
    s.set_defaults(fn=cmd_clean)

    s = sub.add_parser("say", help="say words in the lecturer's voice into a WAV file")
    s.add_argument("project")
    s.add_argument("text")
    s.add_argument("-o", "--output", required=True, help="WAV file to write")
    s.add_argument("--at", type=int, default=None, metavar="I",
                   help="say them as if inserted before word I (default: at the end of the lecture)")
    s.add_argument("--force", action="store_true", help="replace an existing file")
    s.set_defaults(fn=cmd_say)

    s = sub.add_parser("voices", help="list every retype's new speech: index, words, method, sources, tuning")
    s.add_argument("project")
    s.add_argument("--candidates", type=int, default=None, metavar="N",
                   help="instead: retype N's units and their recorded occurrences, ranked (unit, word, time, "
                        "words, cost, chosen)")
    s.set_defaults(fn=cmd_voices)

    s = sub.add_parser("export", help="render the edited lecture")
    s.add_argument("project")
    s.add_argument("-o", "--output", required=True, help="video file to write (.mp4)")
    s.add_argument("--subtitles", choices=["sidecar", "embed", "both", "none"], default="sidecar")
    s.add_argument("--no-smooth", action="store_true", help="hard jump cuts (no visual smoothing)")
    _add_lips(s, "export")
    s.add_argument("--preset", choices=["openhpi", "archive"], default="openhpi",
                   help="openhpi (default): loudness to --loudness LUFS (true peak <= -1 dBTP), AAC 48 kHz stereo, "
                        "video larger than 1080p scaled down to it, PREFIX-LANG.vtt/.srt and a zip of the WebVTT "
                        "for upload; archive: the source's audio as it "
                        "was, subtitles named after the video")
    s.add_argument("--prefix", metavar="COURSE", help="a course prefix every output's name starts with")
    s.add_argument("--loudness", type=float, default=-16.0, metavar="LUFS",
                   help="openhpi: the integrated loudness (default -16)")
    s.add_argument("--audio-track", action="store_true", help="also write the audio alone (.m4a)")
    s.add_argument("--mark-synthetic", action="store_true",
                   help="burn a small 'synthetic' badge into the frames under new speech")
    s.add_argument("--full-render", action="store_true",
                   help="re-encode every frame (by default the untouched stretches of an H.264 source are "
                        "copied as they are and only the stretches around each change are re-encoded)")
    s.add_argument("--otio", metavar="FILE", help="also write the edit as an OpenTimelineIO timeline (.otio) for "
                                                  "other editors: kept source ranges, synthetic spans as clips of "
                                                  "the export")
    s.add_argument("--force", action="store_true", help="replace an existing video, .srt/.vtt, .edits.json "
                                                        "(and --otio file) of that name")
    s.set_defaults(fn=cmd_export)

    s = sub.add_parser("review", help="a reel of every cut: the original, then the edited moment")
    s.add_argument("project")
    s.add_argument("-o", "--output", required=True, help="video file to write (.mp4)")
    s.add_argument("--context", type=float, default=2.0, help="seconds shown either side of each cut")
    _add_lips(s, "reel")
    s.add_argument("--force", action="store_true", help="replace an existing reel")
    s.set_defaults(fn=cmd_review)

    s = sub.add_parser("edits", help="list the edits: number, kind, words, time, before -> after")
    s.add_argument("project")
    s.set_defaults(fn=cmd_edits)

    s = sub.add_parser("preview", help="a few seconds around one edit: the original, then the edited moment")
    s.add_argument("project")
    s.add_argument("--edit", type=int, required=True, metavar="N", help="the edit's number (see 'lecturecut edits')")
    s.add_argument("-o", "--output", required=True,
                   help="file to write (.mp4; .m4a for a lecture without video)")
    s.add_argument("--context", type=float, default=2.0, help="seconds shown either side of the edit")
    s.add_argument("--side-by-side", action="store_true",
                   help="the original on the left and the edited moment on the right, playing together, "
                        "with the edited sound (video lectures only)")
    _add_lips(s, "preview")
    s.add_argument("--force", action="store_true", help="replace an existing file")
    s.set_defaults(fn=cmd_preview)

    s = sub.add_parser("relink", help="point a project at its moved source video")
    s.add_argument("project")
    s.add_argument("new_source")
    s.set_defaults(fn=cmd_relink)

    s = sub.add_parser("models", help="list, fetch and verify model weights")
    s.add_argument("action", choices=["list", "fetch", "verify"])
    s.add_argument("name", nargs="?")
    s.set_defaults(fn=cmd_models)

    s = sub.add_parser("demo", help="headless sample edit: transcribe, cut a sentence, export")
    s.add_argument("video", nargs="?", help="default: the bundled sample lecture")
    s.add_argument("-o", "--output-dir", default="lecturecut-demo")
    s.set_defaults(fn=cmd_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if args.command is None:
        args = parser.parse_args(["open", *(argv or [])])

    from lecturecut.core import Cancelled, LecturecutError
    from lecturecut.media.errors import FFmpegError
    from lecturecut.models.errors import ModelError  # models/ may not import media/, so its errors have their own root

    _received.clear()
    try:
        # Commands without a job of their own stop at once on a signal; _job nests its own.
        # The desktop app handles its signals itself.
        with (CtrlC() if args.fn is not cmd_open else contextlib.nullcontext()):
            return args.fn(args)
    except Cancelled:
        _err("lecturecut: cancelled; nothing was written")
        return _exit_status()
    except KeyboardInterrupt:
        _err("lecturecut: aborted")
        return _exit_status()
    except (LecturecutError, ModelError, ValueError, OSError) as exc:
        if _received:
            # A Ctrl-C in the terminal reaches the whole process group: ffmpeg children die of the
            # same SIGINT and fail first. Their failure is the cancellation, not an error to report.
            _err("lecturecut: cancelled; nothing was written")
            return _exit_status()
        if isinstance(exc, FFmpegError) and args.verbose:
            _err(exc.details())
        _err(f"lecturecut: error: {exc}")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
