"""Loudness to ITU-R BS.1770 / EBU R128, measured and normalised by ffmpeg, streaming (a 3-hour
lecture is never held in memory).

- :func:`measure`: integrated loudness (LUFS, gated), loudness range and true peak (dBTP, 4x
  oversampled) with ffmpeg's ``ebur128`` filter;
- :func:`normalization`: a linear gain to the target integrated loudness; where that gain would
  push the true peak over the ceiling, a look-ahead limiter (delay compensated, so the audio
  stays sample-aligned with the video) holds the peaks under it. Nothing else is changed: no
  compression, no EQ. A plain gain needs no measuring after it (:func:`shifted`); the limiter's
  pass (:meth:`Normalization.write`) measures what it writes, and a plain gain of at most
  ``MAX_TRIM_DB`` (:func:`trim_for`) gives back the loudness it took.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import FFmpegError, MediaError
from .ffmpeg import media_arg, run_ffmpeg

SILENT_LUFS = -60.0  # quieter than this there is no programme to normalise (BS.1770's gate is -70)
MEASURE = "ebur128=peak=true:framelog=verbose"  # BS.1770 with a 4x oversampled true peak; only its summary logged
LIMITER_MARGIN_DB = 1.5  # the limiter's sample-peak ceiling sits this far under the true-peak one
# (inter-sample peaks, and the AAC encoder's own overshoot, fit in between)


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float
    range_lu: float
    true_peak_dbtp: float


@dataclass(frozen=True)
class Normalized:
    before: Loudness
    after: Loudness
    gain_db: float
    limited: bool  # the limiter held peaks under the ceiling

    @property
    def summary(self) -> str:
        limit = ", peaks limited" if self.limited else ""
        return (f"loudness {self.before.integrated_lufs:.1f} -> {self.after.integrated_lufs:.1f} LUFS "
                f"({self.gain_db:+.1f} dB{limit}), true peak {self.after.true_peak_dbtp:.1f} dBTP")


def _number(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    if not m:
        raise MediaError("The loudness could not be measured (ffmpeg's ebur128 gave no summary).")
    value = m.group(1)
    return -math.inf if value.startswith("-inf") else float(value)


def measure(path: str | Path, af: str = "", cancel: object | None = None) -> Loudness:
    """Integrated loudness, loudness range and true peak of ``path``'s audio (after the filter ``af``)."""
    chain = (af + "," if af else "") + MEASURE
    try:
        log = run_ffmpeg(["-i", media_arg(path), "-vn", "-af", chain, "-f", "null", "-"], cancel=cancel,
                         message="measuring loudness", what="measuring the loudness")
    except FFmpegError as exc:
        last = exc.stderr.strip().splitlines()[-1] if exc.stderr.strip() else "ffmpeg failed"
        raise MediaError(f"The loudness of '{Path(path).name}' could not be measured: {last}") from None
    return _summary(log)


def _summary(log: str) -> Loudness:
    """The loudness in the summary ffmpeg's ebur128 filter logs at the end of a run."""
    summary = log[log.rfind("Summary:"):]
    return Loudness(_number(r"I:\s+(-?[\d.]+|-inf)\s+LUFS", summary), _number(r"LRA:\s+(-?[\d.]+)\s+LU", summary),
                    _number(r"Peak:\s+(-?[\d.]+|-inf)\s+dBFS", summary))


def _chain(gain_db: float, ceiling_dbtp: float | None) -> str:
    chain = f"volume={gain_db:.3f}dB"
    if ceiling_dbtp is not None:
        limit = 10 ** ((ceiling_dbtp - LIMITER_MARGIN_DB) / 20)
        chain += f",alimiter=limit={limit:.5f}:attack=5:release=100:level=0:latency=1"
    return chain


@dataclass(frozen=True)
class Normalization:
    """How to bring a recording to its target: ``filter`` (ffmpeg's ``-af``) applies the gain (and the
    limiter) and measures what comes out, which :meth:`result` reads from that run's log."""

    before: Loudness
    gain_db: float
    ceiling_dbtp: float | None  # the limiter's true-peak ceiling, None where no limiter is needed

    @property
    def filter(self) -> str:
        return _chain(self.gain_db, self.ceiling_dbtp) + "," + MEASURE

    def shifted(self) -> Normalized:
        """The loudness after a plain gain (no limiter), without measuring (see :func:`shifted`)."""
        if self.ceiling_dbtp is not None:
            raise ValueError("a limited normalisation must be measured")
        return Normalized(self.before, shifted(self.before, self.gain_db), self.gain_db, False)

    def write(self, src: str | Path, dst: str | Path, *, rate: int | None = None, channels: int | None = None,
              cancel: object | None = None) -> Loudness:
        """Apply it to ``src`` into ``dst`` (float WAV, resampled to ``rate`` and mixed to ``channels``
        where given) in one pass, which measures what it writes; returns that loudness."""
        log = run_ffmpeg(["-i", media_arg(src), "-af", self.filter, *(["-ar", str(rate)] if rate else []),
                          *(["-ac", str(channels)] if channels else []), "-c:a", "pcm_f32le", "-rf64", "auto",
                          media_arg(dst)], cancel=cancel, message="normalising loudness",
                         what="normalising the loudness")
        return _summary(log)

    def result(self, log: str) -> Normalized:
        """The loudness after the filter, from the log (stderr) of the ffmpeg run that applied it."""
        return Normalized(self.before, _summary(log), self.gain_db, self.ceiling_dbtp is not None)


def shifted(loudness: Loudness, gain_db: float) -> Loudness:
    """``loudness`` after a plain gain of ``gain_db``, without measuring: a gain moves BS.1770's
    integrated loudness and true peak by exactly itself and leaves the range as it was (only a block
    crossing the -70 LUFS absolute gate could differ, far below speech)."""
    return Loudness(loudness.integrated_lufs + gain_db, loudness.range_lu, loudness.true_peak_dbtp + gain_db)


MAX_TRIM_DB = 1.0  # the most a limited normalisation's result is corrected by a plain gain after it
TRIM_PEAK_MARGIN_DB = 0.5  # and only while its true peak stays this far under the ceiling (AAC's overshoot)


def trim_for(written: Loudness, *, target_lufs: float, max_true_peak: float) -> float | None:
    """The plain gain that takes a normalised (limited) recording measured at ``written`` the rest of the
    way to ``target_lufs``, or None where that gain is too large or would push its peaks too close to
    ``max_true_peak`` (then the limiter has to run again with the corrected gain)."""
    trim = target_lufs - written.integrated_lufs
    if abs(trim) > MAX_TRIM_DB or written.true_peak_dbtp + trim > max_true_peak - TRIM_PEAK_MARGIN_DB:
        return None
    return trim


def normalization(src: str | Path, *, target_lufs: float = -16.0, max_true_peak: float = -1.0,
                  cancel: object | None = None) -> Normalization:
    """The gain (and limiter) that bring ``src`` to ``target_lufs`` integrated, true peak at most
    ``max_true_peak``; a silent recording is left unchanged (gain 0). With the limiter the gain is a
    first guess: the limiter takes some loudness with the peaks, which :meth:`Normalization.write`
    measures, for the caller to give back (:func:`trim_for`)."""
    before = measure(src, cancel=cancel)
    if before.integrated_lufs < SILENT_LUFS:
        return Normalization(before, 0.0, None)
    gain = target_lufs - before.integrated_lufs
    ceiling = max_true_peak if before.true_peak_dbtp + gain > max_true_peak - LIMITER_MARGIN_DB else None
    return Normalization(before, gain, ceiling)
