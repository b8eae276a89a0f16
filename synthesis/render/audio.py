"""Audio render: the kept spans copied sample-exactly, new speech in place of spoken retypes,
with an equal-power crossfade centred on every join.

One sequential decoder for the whole source, constant memory for any length.
"""

from __future__ import annotations

import bisect
import logging
import sys
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
import soundfile as sf

from lecturecut.core import Background, ProgressFn, check_cancel, scaled
from lecturecut.files import WriteError, disk_error_message
from lecturecut.media.aac import FRAME, splice, to_m4a
from lecturecut.media.audio import stream_audio_from
from lecturecut.media.ffmpeg import FFmpegPipe, run_ffmpeg
from lecturecut.media.mux import container_for, mux_args, pcm_encode_args

from ..plan import RenderPlan, SynthSpan
from ..project import Project

log = logging.getLogger(__name__)


def equal_power(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Fade-out and fade-in gains whose powers sum to one (no dip, no bump at the join)."""
    t = (np.arange(n, dtype=np.float64) + 0.5) / n
    return np.cos(t * np.pi / 2).astype(np.float32), np.sin(t * np.pi / 2).astype(np.float32)


class SequentialSource:
    """Hands out increasing sample ranges of a block stream, discarding what lies between."""

    def __init__(self, blocks: Iterator[np.ndarray], channels: int, history: int = 0, start: int = 0) -> None:
        self._blocks = blocks
        self._buf = np.zeros((0, channels), np.float32)
        self._pos = start  # source sample index of self._buf[0] (the blocks begin at sample ``start``)
        self._channels = channels
        # the last ``history`` samples handed out stay at hand: the source after a short
        # synthetic span resumes (crossfade included) a little before where it stopped
        self._history = history
        self._hist = np.zeros((0, channels), np.float32)  # samples [self._pos - len(self._hist), self._pos)

    def _keep(self, piece: np.ndarray) -> None:
        if not self._history or not len(piece):
            return
        if len(piece) >= self._history:
            self._hist = piece[-self._history:].copy()
        else:
            self._hist = np.concatenate([self._hist, piece])[-self._history:]

    def _refill(self) -> bool:
        nxt = next(self._blocks, None)
        if nxt is None:
            return False
        self._keep(self._buf)
        self._pos += len(self._buf)
        self._buf = nxt
        return True

    def take(self, lo: int, hi: int) -> Iterator[np.ndarray]:
        """Yield samples [lo, hi) in pieces; ``lo`` may precede an earlier ``hi`` by at most ``history``."""
        if self._history and lo < self._pos:  # already handed out: from the history
            back = self._hist[max(len(self._hist) - (self._pos - lo), 0):]
            if len(back) < self._pos - lo:
                raise ValueError(f"source samples from {lo} were discarded (history {self._history})")
            back = back[:max(hi - lo, 0)]
            if len(back):
                yield back
            lo += len(back)
            if lo >= hi:
                return
        while self._pos + len(self._buf) <= lo and self._refill():
            pass
        drop = min(max(lo - self._pos, 0), len(self._buf))
        self._keep(self._buf[:drop])
        self._buf, self._pos = self._buf[drop:], self._pos + drop
        at = max(lo, self._pos)
        while at < hi:
            if not len(self._buf) and not self._refill():
                # the decoder gave fewer samples than the container promised: pad with
                # silence so audio keeps its exact planned length (and sync)
                yield np.zeros((hi - at, self._channels), np.float32)
                return
            n = min(len(self._buf), hi - at)
            piece = self._buf[:n]
            self._keep(piece)
            self._buf, self._pos = self._buf[n:], self._pos + n
            yield piece
            at += n


def crossfade_join(span_pieces: Iterable[Iterator[np.ndarray]], n_spans: int, xfade: int,
                   write: Callable[[np.ndarray], None]) -> None:
    """Concatenate spans, mixing the last ``xfade`` samples of each with the first of the next.

    Each inner span must carry ``xfade // 2`` extra samples beyond its cut on
    each inner side, so the mix is centred on the cut and the output length is
    the sum of the spans' nominal lengths.
    """
    fade_out, fade_in = equal_power(xfade) if xfade else (np.zeros(0, np.float32),) * 2
    carry: np.ndarray | None = None
    for k, pieces in enumerate(span_pieces):
        last = k == n_spans - 1
        hold = 0 if last else xfade
        pending = None
        need_head = carry is not None and len(carry) > 0
        for piece in pieces:
            pending = piece if pending is None else np.concatenate([pending, piece])
            if need_head:
                if len(pending) < len(carry):
                    continue  # gather a whole crossfade's worth first
                m = min(len(carry), len(pending))
                write(carry[:m] * fade_out[:m, None] + pending[:m] * fade_in[:m, None])
                pending, need_head = pending[m:], False
            if len(pending) > hold:
                write(pending[: len(pending) - hold])
                pending = pending[len(pending) - hold:]
        if need_head and pending is not None:  # a span shorter than a crossfade
            m = min(len(carry), len(pending))
            write(carry[:m] * fade_out[:m, None] + pending[:m] * fade_in[:m, None])
            pending = pending[m:]
        carry = None if last else pending
        if last and pending is not None and len(pending):
            write(pending)


def synth_audio(span: SynthSpan, channels: int, half: int, *, first: bool, last: bool) -> np.ndarray:
    """The span's new speech on every channel, (n, channels): its nominal samples plus the half
    crossfade it carries beyond each inner join (none at the output's very start or end)."""
    x = np.asarray(span.speech.audio, np.float32)  # (n,)
    lo = half if first else 0
    hi = len(x) - (half if last else 0)
    x = x[lo:max(hi, lo)]
    return np.ascontiguousarray(np.repeat(x[:, None], channels, axis=1))  # (n, channels)


def output_starts(plan: RenderPlan) -> list[int]:
    """The output sample where each piece of the plan starts (its nominal start, the middle of a join)."""
    out, acc = [], 0
    for s in plan.spans:
        out.append(acc)
        acc += s.n_samples
    return out


def window_pieces(plan: RenderPlan, start: int, end: int) -> tuple[int, int]:
    """The first and last piece (inclusive) whose mix gives output samples ``[start, end)`` exactly as
    the whole plan's mix does.

    The mix of a window starts with a piece that has no predecessor to crossfade with and ends with one
    that has no successor: half a crossfade either side of those two joins differs from the whole mix,
    and a piece shorter than a crossfade passes less than a crossfade on. So the first piece is one that
    starts at least half a crossfade before ``start`` and is at least a crossfade long (or the plan's
    first), and the last one mirrors it.
    """
    starts = output_starts(plan)
    last = len(plan.spans) - 1
    half = plan.crossfade // 2
    first = min(max(bisect.bisect_right(starts, start) - 1, 0), last)
    while first > 0 and (start < starts[first] + half or plan.spans[first].n_samples < 2 * half):
        first -= 1
    final = max(bisect.bisect_left(starts, end) - 1, first)
    while final < last and (end > starts[final] + plan.spans[final].n_samples - half
                            or plan.spans[final].n_samples < 2 * half):
        final += 1
    return first, final


def mix_plan(project: Project, plan: RenderPlan, write: Callable[[np.ndarray], None], cancel,
             window: tuple[int, int] | None = None) -> None:
    """Hand the plan's output audio to ``write`` in blocks of (n, channels): the whole of it, or only
    output samples ``window = (start, end)``, which are then the very samples the whole mix has there.

    A window decodes the source only up to its end and mixes only the pieces it needs.
    """
    channels = project.media.audio.channels
    half = plan.crossfade // 2
    last = len(plan.spans) - 1
    first, final = 0, last
    emit = write
    if window is not None:
        start, end = max(window[0], 0), min(window[1], plan.output_samples)
        if end <= start:
            return
        first, final = window_pieces(plan, start, end)
        pos = output_starts(plan)[first] - (half if first > 0 else 0)  # output sample of the mix's first sample

        def emit(block: np.ndarray) -> None:  # only the window's samples of the mix
            nonlocal pos
            lo, hi = max(start - pos, 0), min(end - pos, len(block))
            pos += len(block)
            if hi > lo:
                write(block[lo:hi])

    history = 2 * plan.crossfade if plan.synth_spans else 0
    reads = [plan.spans[k].audio_start - (half if k > 0 else 0) for k in range(first, final + 1)
             if not isinstance(plan.spans[k], SynthSpan)]
    begin = max(min(reads, default=0), 0) if window is not None else 0  # the first source sample read
    blocks = stream_audio_from(project.source, plan.audio_rate, channels, begin, cancel=cancel)
    source = SequentialSource(blocks, channels, history, begin)

    def spans() -> Iterator[Iterator[np.ndarray]]:
        for k in range(first, final + 1):
            s = plan.spans[k]
            if isinstance(s, SynthSpan):
                yield iter((synth_audio(s, channels, half, first=k == 0, last=k == last),))
                continue
            lo = s.audio_start - (half if k > 0 else 0)
            hi = s.audio_end + (half if k < last else 0)
            yield source.take(lo, hi)

    try:
        crossfade_join(spans(), final - first + 1, 2 * half, emit)
    finally:
        blocks.close()  # stop the decoder now: a window ends long before the source does


def render_audio(project: Project, plan: RenderPlan, wav_path: Path, progress: ProgressFn, cancel, *,
                 window: tuple[int, int] | None = None) -> None:
    """Write the kept spans and the new speech, crossfaded at each join, to ``wav_path`` in one
    sequential pass (or only output samples ``window = (start, end)`` of them: see :func:`mix_plan`)."""
    channels = project.media.audio.channels
    start, end = (0, plan.output_samples) if window is None else window
    total = max(end - start, 1)
    written = 0
    try:
        # RF64: a plain WAV stops at 4 GB, which a long stereo lecture in float exceeds.
        with sf.SoundFile(str(wav_path), "w", samplerate=plan.audio_rate, channels=channels,
                          format="RF64", subtype="FLOAT") as out:

            def write(block: np.ndarray) -> None:
                nonlocal written
                check_cancel(cancel)
                out.write(block)
                written += len(block)
                progress(min(written / total, 1.0), "cutting audio")

            mix_plan(project, plan, write, cancel, window)
    except (OSError, sf.LibsndfileError) as exc:
        raise _write_error(exc, wav_path) from exc


HALVES_FROM_S = 120.0  # audio at least this long is encoded in two halves side by side (media.aac)
MARGIN_FRAMES = 24  # AAC frames (about half a second) of real audio each half is encoded beyond the split
WindowWriter = Callable[[int, int, Callable[[np.ndarray], None], object], None]


def plan_windows(project: Project, plan: RenderPlan) -> WindowWriter:
    """``write_window(lo, hi, write, stop)``: the plan's output samples [lo, hi), as the whole mix has them."""
    def write_window(lo: int, hi: int, write, stop) -> None:
        whole = lo <= 0 and hi >= plan.output_samples
        mix_plan(project, plan, write, stop, None if whole else (lo, hi))

    return write_window


class AudioEncoder:
    """The export's audio, encoded to AAC (``out``, M4A) on threads of its own while the video renders.

    ``write_window`` hands out the samples to encode (:func:`plan_windows`, or a gain applied to a
    file's); they go straight into ffmpeg's encoder, no intermediate file. An hour of stereo takes
    ffmpeg's (one-core) encoder about a minute, longer than the smart-rendered video of a 2-core
    machine, so audio of ``HALVES_FROM_S`` or more is encoded as two halves at once and joined on a
    frame boundary (:mod:`lecturecut.media.aac`). The join is decoded and compared with the samples
    it should hold before it is used; a join that differs more than coding noise does is encoded
    again in one piece (and ``note`` says so).

    Use as a context manager around the video's work; :meth:`wait` finishes the file.
    """

    def __init__(self, write_window: WindowWriter, n_samples: int, rate: int, channels: int, bitrate: int,
                 out: Path, cancel) -> None:
        self.write_window, self.n, self.rate, self.channels = write_window, n_samples, rate, channels
        self.bitrate, self.out, self.cancel = bitrate, out, cancel
        self.split = (n_samples // 2) // FRAME * FRAME if n_samples >= HALVES_FROM_S * rate else 0
        self.note = ""
        self._jobs: list[Background] = []

    def _encode(self, lo: int, hi: int, path: Path, adts: bool, share: float, progress: dict):
        def work(stop, note) -> None:
            total = max(hi - lo, 1)
            done = 0
            with FFmpegPipe(pcm_encode_args(path, self.rate, self.channels, self.bitrate, adts=adts),
                            what="encoding the audio", write=True, cancel=stop) as pipe:

                def write(block: np.ndarray) -> None:
                    nonlocal done
                    pipe.write(np.ascontiguousarray(block, dtype=np.float32).tobytes())
                    done += len(block)
                    progress[path] = share * min(done / total, 1.0)
                    note(sum(progress.values()))

                self.write_window(lo, hi, write, stop)
                pipe.finish()

        return work

    def __enter__(self) -> "AudioEncoder":
        progress: dict = {}
        m = MARGIN_FRAMES * FRAME
        if self.split:
            parts = [(0, min(self.split + m, self.n), self.out.with_suffix(".1.aac")),
                     (self.split - m, self.n, self.out.with_suffix(".2.aac"))]
            works = [self._encode(lo, hi, p, True, 0.5, progress) for lo, hi, p in parts]
        else:
            works = [self._encode(0, self.n, self.out, False, 1.0, progress)]
        try:
            for work in works:
                self._jobs.append(Background(work, self.cancel, message="encoding the audio").__enter__())
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def wait(self, progress: ProgressFn | None = None) -> None:
        for job in self._jobs:
            job.wait(progress)
        if not self.split or self.out.exists():
            return
        first, second = self.out.with_suffix(".1.aac"), self.out.with_suffix(".2.aac")
        joined = self.out.with_suffix(".aac")
        splice(first, second, joined, self.split // FRAME, MARGIN_FRAMES)
        to_m4a(joined, self.out, self.rate, self.cancel)
        for p in (first, second, joined):
            p.unlink(missing_ok=True)
        why = self.join_error()
        if why:
            log.warning("the audio's two halves did not join cleanly (%s): encoding it in one piece", why)
            self.note = f"audio encoded in one piece ({why})"
            self.out.unlink()
            self._encode(0, self.n, self.out, False, 1.0, {})(self.cancel, lambda f: None)

    def join_error(self) -> str:
        """Why the joined file's samples around the split are not what they should be ("" when they are)."""
        around = 4 * FRAME
        lo, hi = self.split - around, self.split + around
        want: list[np.ndarray] = []
        self.write_window(lo, hi, want.append, self.cancel)
        ref = np.concatenate(want)[: hi - lo]
        got = []
        n = 0
        blocks = stream_audio_from(self.out, self.rate, self.channels, lo, cancel=self.cancel)
        try:
            for block in blocks:
                got.append(block)
                n += len(block)
                if n >= hi - lo:
                    break
        finally:
            blocks.close()  # stop the decoder now, not when the generator is collected
        dec = np.concatenate(got)[: hi - lo] if got else np.zeros((0, self.channels), np.float32)
        if len(dec) < hi - lo or len(ref) < hi - lo:
            return "the joined audio is shorter than planned"
        err = (dec - ref).astype(np.float64) ** 2
        join = slice(around - FRAME, around + 2 * FRAME)  # the frames whose overlap-add spans the split
        mask = np.ones(len(err), bool)
        mask[join] = False
        at_join, beside = np.sqrt(err[join].mean()), np.sqrt(err[mask].mean())
        level = np.sqrt((ref.astype(np.float64) ** 2).mean())
        if beside > 0.1 * level + 1e-4:
            return f"the decoded audio does not line up with the mix (error {beside:.4f} at level {level:.4f})"
        if at_join > 2 * beside + 1e-4:
            return f"the join's error {at_join:.5f} against {beside:.5f} beside it"
        return ""

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.wait()
            return
        for job in reversed(self._jobs):  # stop them and wait for them
            job.__exit__(exc_type, exc, tb)


def file_windows(path: Path, gain_db: float = 0.0) -> WindowWriter:
    """``write_window`` over a WAV file's samples, times a gain (``gain_db``)."""
    factor = np.float32(10 ** (gain_db / 20))

    def write_window(lo: int, hi: int, write, stop) -> None:
        with sf.SoundFile(str(path)) as f:
            f.seek(max(lo, 0))
            at = max(lo, 0)
            while at < hi:
                check_cancel(stop)
                block = f.read(min(1 << 16, hi - at), dtype="float32", always_2d=True)
                if not len(block):
                    break
                write(block * factor)
                at += len(block)

    return write_window


def openhpi_audio(project: Project, plan: RenderPlan, tmp: Path, out: Path, bitrate: int, target_lufs: float,
                  progress: ProgressFn, cancel):
    """openhpi's audio job: the mix at ``target_lufs`` (true peak at most -1 dBTP), 48 kHz stereo, AAC in
    ``out``; returns the job (a context manager to run beside the video) and a function that turns
    what the job's ``wait`` returned into the :class:`~lecturecut.media.loudness.Normalized` result.

    The mix is written to a WAV (``tmp``) and measured. A plain gain on audio already at 48 kHz stereo
    is applied as the samples go to the encoder. Otherwise one pass applies the gain with the limiter
    (and resamples or remixes) into a second WAV while measuring it, and a plain gain gives back what
    the limiter took; where that gain would be too large, the limiter runs again with the corrected
    gain in the pass that encodes, which measures it too.
    """
    from lecturecut.media.loudness import Normalization, Normalized, normalization, shifted, trim_for

    from .delivery import MAX_TRUE_PEAK_DBTP, OPENHPI_CHANNELS, OPENHPI_RATE

    rate, channels = OPENHPI_RATE, OPENHPI_CHANNELS
    has_video = project.media.video is not None
    wav = tmp / "audio.wav"
    render_audio(project, plan, wav, scaled(progress, 0.05, 0.1 if has_video else 0.8), cancel)
    progress(None, "measuring loudness")
    normal = normalization(wav, target_lufs=target_lufs, max_true_peak=MAX_TRUE_PEAK_DBTP, cancel=cancel)
    if normal.ceiling_dbtp is None and (plan.audio_rate, project.media.audio.channels) == (rate, channels):
        result = normal.shifted()
        return (AudioEncoder(file_windows(wav, normal.gain_db), plan.output_samples, rate, channels, bitrate, out,
                             cancel), lambda _: result)
    progress(None, "normalising loudness")
    norm = tmp / "audio_normalized.wav"
    written = normal.write(wav, norm, rate=rate, channels=channels, cancel=cancel)
    trim = trim_for(written, target_lufs=target_lufs, max_true_peak=MAX_TRUE_PEAK_DBTP)
    if trim is not None:
        result = Normalized(normal.before, shifted(written, trim), normal.gain_db + trim,
                            normal.ceiling_dbtp is not None)
        return (AudioEncoder(file_windows(norm, trim), sf.info(str(norm)).frames, rate, channels, bitrate, out,
                             cancel), lambda _: result)
    again = Normalization(normal.before, normal.gain_db + target_lufs - written.integrated_lufs, normal.ceiling_dbtp)
    args = mux_args(out, wav, bitrate, audio_rate=rate, audio_channels=channels, audio_filter=again.filter,
                    container=container_for(out, has_video=False, embed_subtitles=False))

    def encode(stop, note) -> str:
        return run_ffmpeg(args, duration_s=plan.output_duration_s, progress=lambda f, m: note(f), cancel=stop,
                          message="encoding the audio", what="encoding the audio")

    return Background(encode, cancel, message="encoding the audio"), again.result


def _write_error(exc: Exception, path: Path) -> WriteError:
    """libsndfile reports a failed write without an errno: ask the file system whether it is full."""
    import errno
    import os

    if isinstance(exc, OSError) and exc.errno is not None:
        return WriteError(disk_error_message(exc, path))
    try:
        st = os.statvfs(path.parent)
        full = st.f_bavail * st.f_frsize < (1 << 20)  # under a MiB left
    except OSError:
        full = False
    code = errno.ENOSPC if full else errno.EIO
    return WriteError(disk_error_message(OSError(code, os.strerror(code)), path))


