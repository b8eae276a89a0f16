"""Benchmark: words built from the lecturer's own phones, held out of LJ Speech and compared with the real ones.

    .venv/bin/python -m bench.units_bench               # 24 held-out words, Whisper tiny.en and base
    .venv/bin/python -m bench.units_bench --words 40 --asr tiny.en

The 32 LJ Speech clips (one voice, 3.7 min) are transcribed once with tiny.en
plus pocketsphinx phones (cached under ``$LECTURECUT_CACHE/bench/units``) and
laid end to end as one lecture. Each held-out word has every occurrence
removed from the unit inventory, and so has every word containing it ("book"
also takes "books" away), so nothing of the word itself is reused. It is
then built from units and measured against its real recording:

- intelligibility: Whisper says the built word, heard alone between two short
  quiet pauses, is the intended word (the real word cut out the same way is
  the ceiling: isolated words are hard for Whisper too);
- MCD: mel-cepstral distortion (dB, c1..c24 of a 40-band mel log-amplitude
  spectrum, DTW-aligned) against the real recording; beside it the MCD of a
  second real occurrence of the word, where the word recurs (natural variation);
- speaker similarity: Resemblyzer cosine between the word and the speaker's
  embedding from the clips that do not hold the word, for the built word and
  for the real word (a span of equal length);
- time to build each word.

Prints a Markdown table and one summary line.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

LJ_DIR = Path("/work/shared/media/ljspeech")
RATE = 16_000
PAD_S = 0.5  # quiet pause around a word given to Whisper
N_CEPS = 24
MIN_LETTERS = 5  # held-out words are content words of this many letters or more


def cache_dir() -> Path:
    root = Path(os.environ.get("LECTURECUT_CACHE", Path.home() / ".cache" / "lecturecut"))
    folder = root / "bench" / "units"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def transcripts(engine) -> list[tuple[str, object, np.ndarray]]:
    from lecturecut.asr.transcribe import transcribe
    from lecturecut.asr.transcript import Transcript
    from lecturecut.media import decode_audio

    out = []
    for path in sorted(LJ_DIR.glob("*.flac")):
        audio = decode_audio(path, RATE)
        cached = cache_dir() / f"{path.stem}.tiny.en.json"
        if cached.exists():
            tr = Transcript.from_json(json.loads(cached.read_text()))
        else:
            tr = transcribe(audio, model=engine, language="en")
            cached.write_text(json.dumps(tr.to_json()))
        out.append((path.stem, tr, audio))
    return out


# ---------------------------------------------------------------- measures
def mel_cepstrum(audio: np.ndarray) -> np.ndarray:
    """(frames, N_CEPS) c1..c24 of a 40-band mel log-amplitude (natural log) spectrum, 5 ms hop."""
    from scipy.fft import dct

    from lecturecut.synthesis.voice.units import _mel_filters

    n_fft, hop = 512, 80
    x = np.pad(np.asarray(audio, np.float64), n_fft // 2)
    n = 1 + max(len(x) - n_fft, 0) // hop
    frames = x[np.arange(n_fft)[None, :] + hop * np.arange(n)[:, None]]  # (frames, n_fft)
    power = np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)) ** 2
    log_amp = 0.5 * np.log(np.maximum(power @ _mel_filters(RATE, n_fft, 40).T, 1e-10))  # (frames, 40)
    ceps = dct(log_amp, type=2, norm="ortho", axis=1)[:, 1:N_CEPS + 1]
    energy = np.log(np.maximum(power.sum(axis=1), 1e-10))
    return ceps[energy > energy.max() - 12]  # speech frames only (within ~52 dB of the peak)


def dtw_mcd(a: np.ndarray, b: np.ndarray) -> float:
    """Mel-cepstral distortion (dB) along the DTW path between two cepstrum sequences."""
    ca, cb = mel_cepstrum(a), mel_cepstrum(b)
    dist = np.sqrt(((ca[:, None, :] - cb[None, :, :]) ** 2).sum(axis=2))  # (A, B)
    acc = np.full((len(ca) + 1, len(cb) + 1), np.inf)
    steps = np.zeros_like(acc)
    acc[0, 0] = 0
    for i in range(1, len(ca) + 1):
        for j in range(1, len(cb) + 1):
            choices = (acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1])
            k = int(np.argmin(choices))
            prev = ((i - 1, j - 1), (i - 1, j), (i, j - 1))[k]
            acc[i, j] = choices[k] + dist[i - 1, j - 1]
            steps[i, j] = steps[prev] + 1
    return float(10 / np.log(10) * np.sqrt(2) * acc[-1, -1] / steps[-1, -1])


def padded(audio: np.ndarray) -> np.ndarray:
    n = int(PAD_S * RATE)
    pad = (1e-4 * np.random.default_rng(0).standard_normal(n)).astype(np.float32)
    return np.concatenate([pad, np.asarray(audio, np.float32), pad])


def heard(engine, audio: np.ndarray) -> str:
    return " ".join(w.text for s in engine.transcribe_window(padded(audio), "en", 0, None) for w in s.words)


def is_word(text: str, word: str) -> bool:
    from lecturecut.asr.spoken import spoken_tokens
    from lecturecut.asr.transcript import normalize_word

    return [t for t, _ in spoken_tokens(text)] == [t for t, _ in spoken_tokens(word)] or normalize_word(text) == word


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=24, help="how many words to hold out (>= 20)")
    parser.add_argument("--asr", nargs="+", default=["tiny.en", "base"], help="Whisper models that listen")
    args = parser.parse_args(argv)

    from resemblyzer import VoiceEncoder

    from lecturecut.asr.transcribe import load_engine
    from lecturecut.synthesis.voice.units import UnitsUnavailable, build_word, inventory_from

    listeners = {name: load_engine(name) for name in args.asr}
    clips = transcripts(listeners.get("tiny.en") or load_engine("tiny.en"))
    t0 = time.perf_counter()
    inventory = inventory_from([(tr, audio) for _, tr, audio in clips], RATE)
    t_inventory = time.perf_counter() - t0

    # where each word occurs: (clip number, Word); the real recording of a word is its first occurrence
    occurrences: dict[str, list[tuple[int, object]]] = {}
    for c, (_, tr, _) in enumerate(clips):
        for w in tr.words:
            if w.norm.isalpha() and w.phones:
                occurrences.setdefault(w.norm, []).append((c, w))
    vocabulary = sorted(occurrences)
    # the held-out words: content words, most frequent first (those have a second real occurrence), then A-Z
    chosen = sorted((w for w in vocabulary if len(w) >= MIN_LETTERS), key=lambda w: (-len(occurrences[w]), w))
    chosen = chosen[: args.words]

    encoder = VoiceEncoder("cpu", verbose=False)
    # each clip embedded once; the speaker without clip c is the normalised mean of the others
    # (what Resemblyzer's embed_speaker computes, without embedding 31 clips again per word)
    per_clip = np.stack([encoder.embed_utterance(audio) for _, _, audio in clips])  # (clips, 256)

    def speaker_without(clip: int) -> np.ndarray:
        others = np.delete(per_clip, clip, axis=0).mean(axis=0)
        return others / np.linalg.norm(others)

    def similarity(audio: np.ndarray, clip: int) -> float:
        emb = encoder.embed_utterance(np.asarray(audio, np.float32))
        spk = speaker_without(clip)
        return float(np.dot(emb, spk) / (np.linalg.norm(emb) * np.linalg.norm(spk)))

    rows = []
    for word in chosen:
        related = [v for v in vocabulary if word in v]
        held = inventory.without(*related)
        clip, real_word = occurrences[word][0]
        real = clips[clip][2][real_word.start: real_word.end]
        t = time.perf_counter()
        try:
            built = build_word(word, held, language="en", rate=RATE)
        except UnitsUnavailable as error:
            rows.append({"word": word, "error": f"missing {' '.join(error.missing)}"})
            continue
        seconds = time.perf_counter() - t
        row = {"word": word, "n": len(occurrences[word]), "runs": len(built.sources), "time_s": seconds}
        for name, listener in listeners.items():
            said = heard(listener, built.audio)
            row[f"ok_{name}"] = is_word(said, word)
            row[f"heard_{name}"] = said
            row[f"real_ok_{name}"] = is_word(heard(listener, real), word)
        row["mcd"] = dtw_mcd(built.audio, real)
        if len(occurrences[word]) > 1:
            c2, w2 = occurrences[word][1]
            row["mcd_real"] = dtw_mcd(clips[c2][2][w2.start: w2.end], real)
        n = len(built.audio)
        # the real word at the built word's length (a span of equal length around it, from its own clip)
        mid = (real_word.start + real_word.end) // 2
        lo = max(mid - n // 2, 0)
        row["sim_built"] = similarity(built.audio, clip)
        row["sim_real"] = similarity(clips[clip][2][lo: lo + n], clip)
        rows.append(row)
        print(f"{word}: built in {seconds:.2f} s, heard {[row[f'heard_{m}'] for m in listeners]}", flush=True)

    names = list(listeners)
    header = ["word", "occ.", "runs"] + [f"{m} built" for m in names] + [f"{m} real" for m in names] + [
        "MCD built dB", "MCD 2nd real dB", "sim built", "sim real", "build s"]
    print(f"inventory: {len(inventory)} phones from {len(clips)} clips in {t_inventory:.1f} s\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        if "error" in r:
            print(f"| {r['word']} | {r['error']} |")
            continue
        cells = [r["word"], str(r["n"]), str(r["runs"])]
        cells += [("yes" if r[f"ok_{m}"] else f"no ({r[f'heard_{m}'][:24]})") for m in names]
        cells += ["yes" if r[f"real_ok_{m}"] else "no" for m in names]
        cells += [f"{r['mcd']:.2f}", f"{r['mcd_real']:.2f}" if "mcd_real" in r else "-",
                  f"{r['sim_built']:.3f}", f"{r['sim_real']:.3f}", f"{r['time_s']:.2f}"]
        print("| " + " | ".join(cells) + " |")
    done = [r for r in rows if "error" not in r]
    summary = [f"{len(done)}/{len(rows)} built"]
    for m in names:
        summary.append(f"{m}: built {sum(r[f'ok_{m}'] for r in done)}/{len(done)}, "
                       f"real {sum(r[f'real_ok_{m}'] for r in done)}/{len(done)}")
    second = [r["mcd_real"] for r in done if "mcd_real" in r]
    summary.append(f"MCD built {np.mean([r['mcd'] for r in done]):.2f} dB"
                   + (f" (2nd real occurrence {np.mean(second):.2f} dB over {len(second)} words)" if second else ""))
    summary.append(f"similarity built {np.mean([r['sim_built'] for r in done]):.3f} "
                   f"real {np.mean([r['sim_real'] for r in done]):.3f}")
    summary.append(f"build {np.mean([r['time_s'] for r in done]):.2f} s/word")
    print("\n" + "; ".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
