"""Filler sounds built from a speaker's own recorded phones, put into their real speech.

No recording the project may use holds labelled fillers (the developer media are
scripted and read speech), so the filler evaluation builds them, and says so:
a filler is a drawn-out schwa, "um" the same ending in a hum, and both are made
here from the speaker's own sounds in the same recording:

- "uh": the steady middle of the speaker's clearest /AH/ phone (the most harmonic one (pocketsphinx's
  of 50 ms or more in pocketsphinx's alignment of their real words), drawn out to 0.25-0.55 s (tiled,
  then PSOLA in Praat) on a flat, slightly falling pitch at the speaker's median, as hesitations are;
- "um": the same vowel for about 55 % of its length, then the speaker's longest
  /M/ (40 ms or more) lengthened the same way.

Each one goes either into the middle of a pause between two words (where most
hesitations are; the pause grows by the filler, whose room tone is the pause's
own, and the filler rises and falls out of it) or straight between two words said without a pause ("and uh the"),
joined with 10 ms crossfades. The labels are exact: the sample range each
filler occupies in the returned audio.

This is real speech and real phones of the speaker, not real hesitations: the
rhythm and voice quality of a true "um" (creak, a different vowel per speaker)
are not reproduced. Results on it are reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest

import numpy as np

SR = 16_000


@dataclass(frozen=True)
class FillerLabel:
    kind: str  # "uh" | "um"
    start: int  # samples in the returned audio
    end: int
    placement: str  # "pause" | "connected"
    after_word: int  # index of the original word it follows


def _phone(audio: np.ndarray, words, label: str, min_ms: int):
    """The speaker's clearest ``label`` phone of at least ``min_ms``: the most harmonic (Praat's HNR).

    The longest is not the best: an aligner's long /AH/ can be a breathy or misaligned stretch."""
    import parselmouth

    best, best_hnr = None, -np.inf
    for w in words:
        for p in w.phones:
            if p.label != label or p.end - p.start < SR * min_ms // 1000:
                continue
            snd = parselmouth.Sound(audio[p.start : p.end].astype(np.float64), SR)
            hnr = snd.to_harmonicity(time_step=0.01, minimum_pitch=max(75.0, 3.2 / snd.duration)).values
            value = float(np.mean(hnr[hnr > -100])) if np.any(hnr > -100) else -np.inf
            if value > best_hnr:
                best, best_hnr = p, value
    return best


def _median_f0(audio: np.ndarray) -> float:
    import parselmouth

    pitch = parselmouth.Sound(audio.astype(np.float64), SR).to_pitch(pitch_floor=75.0, pitch_ceiling=400.0)
    f = pitch.selected_array["frequency"]
    return float(np.median(f[f > 0])) if np.any(f > 0) else 120.0


def _lengthen(piece: np.ndarray, duration_s: float, f0: float) -> np.ndarray:
    """``piece`` drawn out to ``duration_s`` on a pitch falling from ``f0`` by 7 %.

    Praat's PSOLA lengthens a 60 ms vowel only a little (too few pitch pulses to
    repeat), so the vowel is first tiled to length with Hann-windowed 50 % overlaps,
    forwards and backwards in turn (no jump at the turns), and PSOLA then gives the
    long sound one smooth pitch contour, which also removes the tiling's phase jumps.
    """
    import parselmouth
    from parselmouth.praat import call

    n = int(SR * duration_s)
    grain = len(piece)
    hop = max(1, grain // 2)
    window = np.hanning(grain).astype(np.float32)
    out = np.zeros(n + grain, dtype=np.float32)
    norm = np.zeros(n + grain, dtype=np.float32)
    k = 0
    for at in range(0, n, hop):
        g = piece if k % 2 == 0 else piece[::-1]
        out[at : at + grain] += g * window
        norm[at : at + grain] += window
        k += 1
    tiled = (out / np.maximum(norm, 1e-3))[:n]
    snd = parselmouth.Sound(tiled.astype(np.float64), SR)
    manipulation = call(snd, "To Manipulation", 0.01, 60, 400)
    pitch = call(manipulation, "Extract pitch tier")
    call(pitch, "Remove points between", 0, snd.duration)
    call(pitch, "Add point", 0.0, f0)
    call(pitch, "Add point", snd.duration, f0 * 0.93)
    call([manipulation, pitch], "Replace pitch tier")
    return call(manipulation, "Get resynthesis (overlap-add)").values[0].astype(np.float32)


def _ramp(x: np.ndarray, rise_ms: float, fall_ms: float) -> np.ndarray:
    x = x.copy()
    a, b = int(SR * rise_ms / 1000), int(SR * fall_ms / 1000)
    if a:
        x[:a] *= np.linspace(0, 1, a, dtype=np.float32)
    if b:
        x[-b:] *= np.linspace(1, 0, b, dtype=np.float32)
    return x


def filler_sound(audio: np.ndarray, words, kind: str, duration_s: float) -> np.ndarray:
    """A "uh" or "um" of about ``duration_s`` in the speaker's voice (see the module's notes)."""
    ah = _phone(audio, words, "AH", 50)
    if ah is None:
        raise ValueError("the recording has no /AH/ of 50 ms or more to build a filler from")
    trim = (ah.end - ah.start) // 10
    vowel = audio[ah.start + trim : ah.end - trim]
    f0 = _median_f0(audio) * 0.95
    if kind == "uh":
        return _lengthen(vowel, duration_s, f0)
    m = _phone(audio, words, "M", 40)
    if m is None:
        raise ValueError("the recording has no /M/ of 40 ms or more to build an 'um' from")
    hum = audio[m.start + (m.end - m.start) // 10 : m.end - (m.end - m.start) // 10]
    first = _lengthen(vowel, duration_s * 0.55, f0)
    second = _lengthen(hum, duration_s * 0.45, f0 * 0.95)
    n = min(SR * 10 // 1000, len(first) // 2, len(second) // 2)
    fade = np.linspace(0, 1, n, dtype=np.float32)
    return np.concatenate([first[:-n], first[-n:] * (1 - fade) + second[:n] * fade, second[n:]])


def insert_fillers(audio: np.ndarray, words, count: int, seed: int = 0,
                   min_apart_s: float = 1.5) -> tuple[np.ndarray, list[FillerLabel]]:
    """``audio`` with up to ``count`` fillers put between its words, and where each one is.

    Half go into pauses of at least 0.3 s, half between words said without a pause
    (the earlier word ending in a consonant, the later starting with one), where those exist.
    """
    rng = np.random.default_rng(seed)
    vowels = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
    pauses, connected = [], []
    for i in range(len(words) - 1):
        a, b = words[i], words[i + 1]
        if not a.phones or not b.phones:
            continue
        gap = b.start - a.end
        if gap >= SR * 3 // 10:
            pauses.append(i)
        elif gap <= SR * 3 // 100 and a.phones[-1].label not in vowels and b.phones[0].label not in vowels:
            connected.append(i)
    rng.shuffle(pauses)
    rng.shuffle(connected)
    chosen: list[tuple[int, str]] = []
    # alternate the two placements while both last
    order = [t for pair in zip_longest([(i, "pause") for i in pauses], [(i, "connected") for i in connected])
             for t in pair if t is not None]
    for i, placement in order:
        if len(chosen) >= count:
            break
        at = words[i].end
        if all(abs(at - words[j].end) >= SR * min_apart_s for j, _ in chosen):
            chosen.append((i, placement))
    chosen.sort()
    pieces, labels, pos, shift = [], [], 0, 0
    for i, placement in chosen:
        kind = "um" if rng.random() < 0.5 else "uh"
        sound = filler_sound(audio, words, kind, float(rng.uniform(0.25, 0.55)))
        if placement == "pause":
            # in the middle of the pause, on the pause's own room tone (tiled under it)
            at = (words[i].end + words[i + 1].start) // 2
            sound = _ramp(sound, 25, 60)
            room = audio[words[i].end + SR // 50 : words[i + 1].start - SR // 50]
            sound = sound + np.resize(room, len(sound)) if len(room) else sound
        else:
            at = words[i].end
            sound = _ramp(sound, 10, 10)
        pieces.append(audio[pos:at])
        pieces.append(sound.astype(np.float32))
        labels.append(FillerLabel(kind, at + shift, at + shift + len(sound), placement, i))
        shift += len(sound)
        pos = at
    pieces.append(audio[pos:])
    return np.concatenate(pieces).astype(np.float32), labels


def score(found: list[tuple[int, int]], labels: list[FillerLabel], min_overlap: float = 0.5) -> dict[str, float]:
    """Precision, recall and boundary errors of ``found`` (sample ranges) against ``labels``.

    A finding is a hit where it and a label overlap by half of the shorter of the two."""
    matched: set[int] = set()
    hits, errors = 0, []
    for s, e in found:
        for k, lab in enumerate(labels):
            if k in matched:
                continue
            overlap = min(e, lab.end) - max(s, lab.start)
            if overlap >= min_overlap * min(lab.end - lab.start, e - s):
                matched.add(k)
                hits += 1
                errors += [abs(s - lab.start) / SR, abs(e - lab.end) / SR]
                break
    return {
        "found": len(found), "labelled": len(labels), "hits": hits,
        "precision": hits / len(found) if found else float("nan"),
        "recall": hits / len(labels) if labels else float("nan"),
        "boundary_median_ms": 1000 * float(np.median(errors)) if errors else float("nan"),
        "boundary_max_ms": 1000 * float(np.max(errors)) if errors else float("nan"),
    }
