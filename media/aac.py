"""AAC in ADTS framing: one long encode split into pieces encoded side by side, and joined again.

ffmpeg's AAC encoder runs on one core; an hour of stereo takes it about a minute on this
project's 2-core reference machine. :func:`splice` lets two encoders each take half: each half is
encoded with some real audio beyond its edge (``margin`` frames), and the join keeps, from the
first encode, the frames that end at the split and, from the second, the frames from the split
on. AAC frames are independent in the bitstream (no bits are shared between frames, unlike MP3),
and the decoder's overlap-add at the join mixes two halves of transforms of the very same
samples, so the join is as exact as any other frame boundary, give or take coding noise (the
caller checks it by decoding the join). The split must fall on a frame boundary (1024 samples).

ADTS frames carry their own length (13 bits of the 7-byte header), so splitting and joining is a
byte operation; :func:`to_m4a` puts the joined frames in an M4A with the encoder delay (the first,
"priming" frame) declared in its edit list, as ffmpeg writes for an encode straight to M4A.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from .errors import MediaError
from .ffmpeg import media_arg, run_ffmpeg

FRAME = 1024  # samples per AAC-LC frame
PRIMING = 1  # frames ffmpeg's encoder puts before the first sample (its encoder delay, 1024 samples)


def frames(data: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each ADTS frame in ``data``; a MediaError where the framing breaks."""
    out, at = [], 0
    while at < len(data):
        if at + 7 > len(data) or data[at] != 0xFF or (data[at + 1] & 0xF6) != 0xF0:
            raise MediaError(f"The encoded audio is not valid ADTS at byte {at}; export with --full-render.")
        length = ((data[at + 3] & 0x03) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5)
        if length < 7 or at + length > len(data):
            raise MediaError(f"The encoded audio has a broken ADTS frame at byte {at}.")
        out.append((at, length))
        at += length
    return out


def splice(first: Path, second: Path, out: Path, split_frame: int, margin: int) -> int:
    """Join two ADTS encodes at a frame boundary into ``out``; returns the frames written.

    ``first`` encoded samples [0, split + margin frames), ``second`` samples [split - margin frames,
    end): the result holds ``first``'s priming frame and its frames up to the split, then
    ``second``'s frames from the split on (its own priming and margin dropped)."""
    a, b = first.read_bytes(), second.read_bytes()
    fa, fb = frames(a), frames(b)
    keep = PRIMING + split_frame  # the priming frame and every frame before the split
    skip = PRIMING + margin  # the second's priming frame and its frames before the split
    if len(fa) < keep + 1 or len(fb) <= skip:
        raise MediaError("An encoded half of the audio is shorter than planned; export with --full-render.")
    end_a = fa[keep - 1][0] + fa[keep - 1][1]
    with open(out, "wb") as f:
        f.write(a[:end_a])
        f.write(b[fb[skip][0]:])
    return keep + len(fb) - skip


def to_m4a(adts: Path, out: Path, rate: int, cancel: object | None = None) -> None:
    """The ADTS frames in an M4A (copied), the priming frame declared as the encoder delay."""
    delay = Fraction(PRIMING * FRAME, rate)
    run_ffmpeg(["-itsoffset", f"-{float(delay):.9f}", "-f", "aac", "-i", media_arg(adts), "-c:a", "copy",
                "-f", "ipod", media_arg(out)], cancel=cancel, message="joining the audio", what="joining the audio")
