"""Voice benchmark: retype words of real clips as words said elsewhere in the same clip, and measure.

``.venv/bin/python -m bench.voice_bench [--quick]``

For each clip of /work/shared/media (LJ Speech sentences joined into one
"lecture", JFK, the talking-head addresses) it transcribes with tiny.en,
picks words deterministically and retypes each as another word the clip says
elsewhere, synthesizes the new word, mixes it in place (``voice.preview``)
and reports per method:

- intelligibility: share of edits where tiny.en hears the new word in place
  (the words either side matched too);
- speaker similarity (Resemblyzer): cosine of the new span to the speaker's
  voice (the embedding of the whole clip), beside real same-speaker spans of
  the same length and another speaker's;
- joins: the click measure (``bench.measures.quality.discontinuity``) at the
  two joins, worst case, beside the clip's natural pauses' 99th percentile;
- time per edit (cold: corpus built once per clip, reported separately).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MEDIA = Path("/work/shared/media")
LJ = [MEDIA / "ljspeech" / f"LJ001-{k:04d}.flac" for k in range(1, 11)]
CLIPS = {  # name -> (path or None for the LJ lecture, edits)
    "ljspeech x10": (None, 8),
    "jfk": (MEDIA / "jfk_inaugural_1961_11s.flac", 4),
    "obama oil spill": (MEDIA / "th_obama_weekly_address_2010_oilspill_450x450_20s.mp4", 4),
    "obama diwali": (MEDIA / "th_obama_diwali_message_256x256_30s.mp4", 4),
    "aoc": (MEDIA / "th_aoc_weekly_dem_address_512x512_8s.mp4", 2),
    "katie hill": (MEDIA / "th_katie_hill_weekly_dem_address_512x512_8s.mp4", 2),
}
CROSSFADE_S = 0.010
MIN_LETTERS = 3  # words this short ("a", "of") are not retyped or used as the new word


@dataclass
class Row:
    clip: str
    method: str
    heard: bool
    sim_new: float
    sim_real: float
    sim_other: float
    join: float
    natural99: float
    seconds: float


def _lj_lecture(folder: Path) -> Path:
    import soundfile as sf

    parts, rate = [], 22050
    for p in LJ:
        x, rate = sf.read(p, dtype="float32")
        parts += [x, np.zeros(int(0.4 * rate), np.float32)]
    out = folder / "lj_lecture.wav"
    sf.write(out, np.concatenate(parts), rate, subtype="FLOAT")
    return out


def _edits(project, n: int, seed: int):
    from lecturecut.synthesis.edl import Replacement

    words = project.transcript.words
    norms = [w.norm for w in words]
    rng = np.random.default_rng(seed)
    targets = [k for k in range(1, len(words) - 1) if len(norms[k]) >= MIN_LETTERS]
    news = sorted({t for t in norms if len(t) >= MIN_LETTERS})
    out = []
    for k in rng.permutation(targets):
        choices = [t for t in news if t != norms[k] and t not in (norms[k - 1], norms[k + 1])]
        if not choices or any(abs(int(k) - r.start) < 3 for r in out):
            continue
        out.append(Replacement(int(k), int(k) + 1, str(choices[rng.integers(len(choices))])))
        if len(out) == n:
            break
    return out


def _heard_in_place(project, r, audio: np.ndarray, rate: int, model) -> bool:
    import difflib

    from scipy.signal import resample_poly

    from lecturecut.asr.transcribe import transcribe
    from lecturecut.synthesis.voice.text import word_tokens

    def spoken(text: str) -> list[str]:
        return [t for w in text.split() for t in word_tokens(w, "en")]

    x16 = resample_poly(audio, 16_000, rate).astype(np.float32)
    got = spoken(transcribe(x16, model=model, language="en", refine=False).text)
    words = [w.text for w in project.transcript.words]
    before, new, after = spoken(" ".join(words[:r.start])), spoken(r.text), spoken(" ".join(words[r.end:]))
    expected = before + new + after
    ops = difflib.SequenceMatcher(a=expected, b=got, autojunk=False).get_opcodes()
    matched = {i for tag, i1, i2, _, _ in ops if tag == "equal" for i in range(i1, i2)}
    need = set(range(len(before) - 1, len(before) + len(new) + 1)) & set(range(len(expected)))
    return need <= matched


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one edit per clip")
    args = ap.parse_args(argv)
    os.environ.setdefault("LECTURECUT_CACHE", str(Path.home() / ".cache" / "lecturecut"))
    from resemblyzer import VoiceEncoder, preprocess_wav

    from bench.measures.quality import discontinuity, discontinuity_profile
    from lecturecut.asr.transcribe import load_engine, transcribe
    from lecturecut.media.audio import decode_audio
    from lecturecut.media.probe import probe
    from lecturecut.synthesis.project import Project
    from lecturecut.synthesis.voice import VoiceError, synthesize
    from lecturecut.synthesis.voice.preview import in_context

    model = load_engine("tiny.en")
    encoder = VoiceEncoder("cpu", verbose=False)
    rows: list[Row] = []
    refused: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LECTURECUT_CACHE"] = str(Path(tmp) / "cache")  # cold: every span computed here
        sources16 = {}
        projects = {}
        for name, (path, _) in CLIPS.items():
            path = _lj_lecture(Path(tmp)) if path is None else path
            t0 = time.perf_counter()
            tr = transcribe(path, model=model, language="en")
            projects[name] = Project.create(path, probe(path), tr)
            sources16[name] = decode_audio(path, 16_000, 1)
            print(f"{name}: {len(tr.words)} words, transcribed in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        voice = {n: encoder.embed_utterance(preprocess_wav(x, 16_000)) for n, x in sources16.items()}
        names = list(CLIPS)
        for ci, (name, (_, n_edits)) in enumerate(CLIPS.items()):
            project = projects[name]
            rate = project.media.audio.sample_rate
            source = decode_audio(project.source, rate, 1)
            words = project.transcript.words
            to_rate, margin = rate / 16_000, rate // 100
            rng = np.random.default_rng(ci)
            pauses = [(int(a.end * to_rate) + margin, int(b.start * to_rate) - margin)
                      for a, b in zip(words, words[1:], strict=False)]
            natural = discontinuity_profile(source, rate, [rng.integers(lo, hi) for lo, hi in pauses
                                                           if hi - lo > 1 for _ in range(20)])
            nat99 = float(np.percentile(natural, 99)) if len(natural) else float("nan")
            other = names[(ci + 1) % len(names)]
            t0 = time.perf_counter()
            from lecturecut.synthesis.voice.render import load_or_build_corpus

            load_or_build_corpus(project)
            print(f"{name}: corpus in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            for r in _edits(project, 1 if args.quick else n_edits, seed=ci):
                t0 = time.perf_counter()
                try:
                    speech = synthesize(project, r, audio_rate=rate)
                except VoiceError as exc:
                    refused.append(f"{name} {r}: {exc}")
                    continue
                seconds = time.perf_counter() - t0
                mixed, j0, j1 = in_context(source, speech, int(CROSSFADE_S * rate))
                join = max(discontinuity(mixed, rate, j0), discontinuity(mixed, rate, j1))
                heard = _heard_in_place(project, r, mixed, rate, model)
                from scipy.signal import resample_poly

                new16 = resample_poly(speech.audio, 16_000, rate).astype(np.float32)
                n = len(new16)
                x16 = sources16[name]
                lo = int(rng.integers(0, max(len(x16) - n, 1)))
                o16 = sources16[other]
                lo2 = int(rng.integers(0, max(len(o16) - n, 1)))

                def sim(x: np.ndarray, ref=voice[name]) -> float:
                    e = encoder.embed_utterance(preprocess_wav(x, 16_000))
                    return float(np.dot(e, ref) / (np.linalg.norm(e) * np.linalg.norm(ref)))

                rows.append(Row(name, speech.method, heard, sim(new16), sim(x16[lo:lo + n]),
                                sim(o16[lo2:lo2 + n]), join, nat99, seconds))
                print(f"  {r.text!r} for {words[r.start].text!r}: heard={heard} join={join:.1f} "
                      f"{seconds:.2f} s", file=sys.stderr)
    _table(rows)
    for line in refused:
        print("refused:", line)
    return 0


def _table(rows: list[Row]) -> None:
    print("| clip | method | edits | intelligibility | sim new | sim real same-speaker | sim other speaker "
          "| join max (natural p99) | s/edit |")
    print("|---|---|---|---|---|---|---|---|---|")
    groups: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        groups.setdefault((r.clip, r.method), []).append(r)
        groups.setdefault(("all", r.method), []).append(r)
    for (clip, method), g in groups.items():
        print(f"| {clip} | {method} | {len(g)} | {np.mean([r.heard for r in g]):.0%} | "
              f"{np.mean([r.sim_new for r in g]):.3f} | {np.mean([r.sim_real for r in g]):.3f} | "
              f"{np.mean([r.sim_other for r in g]):.3f} | {max(r.join for r in g):.1f} "
              f"({np.nanmax([r.natural99 for r in g]):.1f}) | {np.mean([r.seconds for r in g]):.2f} |")


if __name__ == "__main__":
    raise SystemExit(main())
