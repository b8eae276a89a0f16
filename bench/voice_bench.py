"""Voice benchmark: plausible automatic edits of real clips, rendered in context, measured per method and kind.

    .venv/bin/python -m bench.voice_bench                  # 49 edits on 9 clips, 60 renders (~15 min on 2 cores)
    .venv/bin/python -m bench.voice_bench --quick          # one edit of each kind on each clip
    .venv/bin/python -m bench.voice_bench --json edits.json  # also every render's measures

Clips: the real recordings of /work/shared/media with speech (the 32 LJ Speech
sentences joined into one 3.7 min "lecture" with 0.4 s pauses, JFK, the two
Obama addresses, AOC, Katie Hill, the auto-editor voice, the webcam clip,
DeepSpeech's sentence). Each is transcribed with the default model (``base``,
pocketsphinx phones; cached under ``$LECTURECUT_CACHE/bench/voice``) and its
words are tagged with gruut's part-of-speech tagger (offline). Edits are drawn
deterministically (seeded) so that the edited sentence stays one a lecturer
could have meant, as a real correction would be:

- ``reuse``: a content word replaced by another word of the same part of speech
  that the clip says elsewhere (a noun for a noun, a number for a number);
- ``new``: replaced by a word of the same part of speech the clip never says
  (from a short hand-written list per tag) -> built from the lecturer's
  half-phones; each such edit is rendered a second time with the generic voice
  forced (``methods=(METHOD_GENERIC,)``), kind ``new (generic forced)``;
- ``insert``: a word inserted where English takes one ("very" before an
  adjective, "also" before a verb after its subject or modal, "new" between a
  determiner and its noun); said by whichever method can.

Each edit is synthesized (``voice.synthesize``, fresh: no span cache; the
corpus, the unit inventory and the generic voice are loaded first and timed
separately), mixed into the source as export mixes it (``voice.preview``) and
measured:

- intelligibility, "heard in place": the rendered sentence (the recording
  from a pause about 3 s before the edit to one about 3 s after it) is
  transcribed by ``base`` (and ``tiny.en``); the edit counts as heard when the
  intended words are recognised at their place with the words either side
  matched too (difflib alignment against the edited text). Beside it, the same
  check on the unedited sentence for the replaced words (the ceiling: what the
  recogniser hears of the original there);
- speaker similarity (Resemblyzer, which ships its weights): cosine between
  the embedding of the new audio and the lecturer's other speech (the mean of
  the clip's 1.6 s partial embeddings that do not overlap the edit or the
  recorded occurrence read), beside the same figure for a real span of equal
  length of the same speaker (the reference without that span) and one of
  another speaker;
- joins: the click measure (``bench.measures.quality.discontinuity``) at both
  joins into the source and, for recorded words, where each run is faded in
  and out inside the new audio; "no click" is the tests' criterion
  (``tests/test_voice.py``): every join at most the 99th percentile of the
  measure at 40 random points in each of the clip's own pauses;
- time per edit: ``synthesize`` wall time on this machine (2 cores).

Prints Markdown tables: per method, per method and kind, per clip; then every
refused edit. Reads only /work/shared/media (never the evaluation set).
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

MEDIA = Path("/work/shared/media")
LJ = tuple(MEDIA / "ljspeech" / f"LJ001-{k:04d}.flac" for k in range(1, 33))
LJ_PAUSE_S = 0.4
MODEL = "base"  # transcribes the clips and listens (the app's default model)
SECOND_LISTENER = "tiny.en"
CROSSFADE_S = 0.010  # the project's default crossfade (what export mixes a retype with)
CONTEXT_S = 3.0  # the sentence around an edit given to the listener: from a pause about this far before/after
SENTENCE_PAUSE_S = 0.15  # a gap this long between words is a place to cut the sentence
MIN_LETTERS = 3
MIN_PROBABILITY = 0.5  # words the recogniser doubted are not edited (what they say is unsure)
MIN_SPACING = 3  # edits of one clip are this many words apart at least


@dataclass(frozen=True)
class Clip:
    name: str
    path: Path | None  # None: the LJ Speech "lecture"
    speaker: str  # clips of one speaker share this (never each other's "other speaker")
    reuse: int  # edits of each kind
    new: int
    insert: int


CLIPS = (
    Clip("LJ Speech ×32", None, "lj", 7, 5, 4),
    Clip("JFK", MEDIA / "jfk_inaugural_1961_11s.flac", "jfk", 0, 2, 2),  # has no two swappable words
    Clip("Obama (oil spill)", MEDIA / "th_obama_weekly_address_2010_oilspill_450x450_20s.mp4", "obama", 3, 2, 2),
    Clip("Obama (Diwali)", MEDIA / "th_obama_diwali_message_256x256_30s.mp4", "obama", 3, 2, 2),
    Clip("AOC", MEDIA / "th_aoc_weekly_dem_address_512x512_8s.mp4", "aoc", 1, 1, 1),
    Clip("Katie Hill", MEDIA / "th_katie_hill_weekly_dem_address_512x512_8s.mp4", "hill", 1, 1, 1),
    Clip("auto-editor", MEDIA / "speech_over_timecode_auto_editor_1280x720_42s.mp4", "wyatt", 2, 1, 1),
    Clip("webcam (Jordi Mas)", MEDIA / "webcam_jordi_mas_open_dubbing_en_1080x720_10s.mp4", "jordi", 1, 1, 1),
    Clip("DeepSpeech", MEDIA / "deepspeech_new_home_in_the_stars_16k.wav", "ds", 0, 1, 1),
)

# Content words that may be retyped, by Penn tag, and words of each tag a lecturer might type instead
# that a clip may never say (a clip that does say one reuses it: it is then not offered as "new").
NEW_WORDS = {
    "NN": "method problem garden window history picture station teacher village market question engine "
          "letter doctor energy morning object".split(),
    "NNS": "methods problems gardens windows pictures stations teachers villages markets questions letters "
           "doctors".split(),
    "JJ": "simple modern careful famous useful different happy strong quiet difficult early golden".split(),
    "CD": "seven twelve fifteen thirty eighty nine".split(),
    "VB": "build change explain follow begin protect remember".split(),
    "VBP": "build change explain follow protect remember".split(),
    "VBD": "changed started followed built wanted learned opened".split(),
    "VBN": "changed started followed built opened written".split(),
    "VBG": "building changing following opening writing learning".split(),
    "VBZ": "changes starts follows builds opens".split(),
    "RB": "slowly clearly quickly often always".split(),
}
COARSE = {"NN": "noun", "NNS": "nouns", "JJ": "adj", "JJR": "adj",
          "JJS": "adj", "CD": "num", "VB": "verb", "VBP": "verb", "VBD": "past", "VBN": "past",
          "VBG": "ing", "VBZ": "verbs", "RB": "adv"}
FUNCTION_WORDS = set("""is are was were be been being am have has had do does did not so then there also as too
very just now here this that these those what which who whom whose can could will would shall should may might
must own such only well even ever more most much many other same than able""".split())  # "able" takes "to"
# insertions: (tag of the word the new one goes before, tags the word before it may have, words to insert)
INSERTIONS = (
    ("JJ", None, "very really quite truly".split()),
    ("VBD", {"PRP", "NN", "NNS", "NNP", "NNPS"}, "also often then".split()),
    ("VBZ", {"PRP", "NN", "NNS", "NNP", "NNPS"}, "also often".split()),
    ("VBP", {"PRP", "NN", "NNS", "NNP", "NNPS"}, "also often really".split()),
    ("VB", {"MD", "TO"}, "also really still".split()),
    ("NN", {"DT", "PRP$"}, "new whole simple great old important".split()),
    ("NNS", {"DT", "PRP$"}, "new simple great old important".split()),
)


@dataclass
class Render:
    clip: str
    kind: str  # reuse | new | new (generic forced) | insert
    method: str
    edit: str  # "'new' for 'old'" / "+'very' before 'old'"
    heard: dict[str, bool] = field(default_factory=dict)  # listener -> heard in place
    heard_text: dict[str, str] = field(default_factory=dict)
    ceiling: dict[str, bool] = field(default_factory=dict)  # listener -> the original heard in place there
    sim_new: float = float("nan")
    sim_real: float = float("nan")
    sim_other: float = float("nan")
    joins: list[float] = field(default_factory=list)
    natural99: float = float("nan")
    seconds: float = float("nan")  # wall time of synthesize
    cpu_seconds: float = float("nan")  # CPU time in it, all threads and the ffmpeg readers: the time without load

    @property
    def worst_join(self) -> float:
        return max(self.joins) if self.joins else float("nan")

    @property
    def clean(self) -> bool:
        return bool(self.joins) and self.worst_join <= self.natural99


# ---------------------------------------------------------------- clips and edits
def cache_dir() -> Path:
    root = Path(os.environ.get("LECTURECUT_CACHE", Path.home() / ".cache" / "lecturecut"))
    folder = root / "bench" / "voice"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def lj_lecture() -> Path:
    """The 32 LJ Speech sentences, one after another with a quiet pause between them (written once)."""
    import soundfile as sf

    out = cache_dir() / "lj_lecture.wav"
    if out.exists():
        return out
    parts, rate = [], 22050
    for p in LJ:
        x, rate = sf.read(p, dtype="float32")
        noise = 1e-4 * np.random.default_rng(1).standard_normal(int(LJ_PAUSE_S * rate)).astype(np.float32)
        parts += [x, noise]
    tmp = out.with_suffix(".part.wav")
    sf.write(tmp, np.concatenate(parts), rate, subtype="FLOAT")
    tmp.replace(out)
    return out


def transcribed(path: Path, engine):
    """The clip's transcript by ``MODEL`` with pocketsphinx phones, cached by the file's content."""
    from lecturecut.asr.transcribe import transcribe
    from lecturecut.asr.transcript import Transcript

    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    cached = cache_dir() / f"{path.stem}.{digest}.{MODEL}.json"
    if cached.exists():
        return Transcript.from_json(json.loads(cached.read_text()))
    tr = transcribe(path, model=engine, language="en")
    cached.write_text(json.dumps(tr.to_json()))
    return tr


def pos_tags(words) -> list[str | None]:
    """Penn tag per transcript word (gruut's tagger on the whole text, aligned back word by word)."""
    import gruut

    from lecturecut.asr.transcript import normalize_word

    tagged = [(normalize_word(w.text), w.pos) for s in gruut.sentences(" ".join(x.text for x in words),
                                                                      lang="en-us", pos=True, phonemes=False)
              for w in s if w.is_spoken]
    mine = [w.norm for w in words]
    out: list[str | None] = [None] * len(words)
    matcher = difflib.SequenceMatcher(a=mine, b=[t for t, _ in tagged], autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                out[i1 + k] = tagged[j1 + k][1]
    return out


def _retyped(original: str, new: str) -> str:
    """``new`` written as the lecturer would type it in place of ``original`` (its punctuation, its capital)."""
    m = re.search(r"[\W_]*$", original)
    tail = m.group(0) if m else ""
    if original[:1].isupper() and new[:1].islower():
        new = new[:1].upper() + new[1:]
    return new + tail


def choose_edits(clip: Clip, words, tags, seed: int, quick: bool):
    """[(kind, Replacement)] for one clip, deterministic in ``seed``."""
    from lecturecut.synthesis.edl import Replacement

    rng = np.random.default_rng(seed)
    norms = [w.norm for w in words]
    said = set(norms)

    def editable(k: int) -> bool:
        w = words[k]
        sentence_start = k == 0 or words[k - 1].text[-1:] in ".!?"
        return (0 < k < len(words) - 1 and tags[k] in COARSE and norms[k].isalpha() and len(norms[k]) >= MIN_LETTERS
                and norms[k] not in FUNCTION_WORDS and w.probability >= MIN_PROBABILITY
                and (tags[k] != "RB" or norms[k].endswith("ly"))
                and (sentence_start or not w.text[:1].isupper()))  # a name is no common word (tags miss some)

    def article_fits(k: int, new: str) -> bool:  # "a" before a consonant, "an" before a vowel
        vowel = new[:1].lower() in "aeiou"
        return not ((norms[k - 1] == "an" and not vowel) or (norms[k - 1] == "a" and vowel))

    used: list[int] = []

    def free(k: int) -> bool:
        return all(abs(k - u) >= MIN_SPACING for u in used)

    out = []
    n_reuse, n_new, n_insert = (min(1, clip.reuse), min(1, clip.new), min(1, clip.insert)) if quick else (
        clip.reuse, clip.new, clip.insert)
    # reuse: another word of the same tag (else of the same coarse class) said elsewhere in the clip
    for k in rng.permutation(len(words)).tolist():
        if sum(kind == "reuse" for kind, _ in out) == n_reuse:
            break
        if not editable(k) or not free(k):
            continue
        near = (norms[k], norms[k - 1], norms[k + 1])
        same_tag = sorted({norms[j] for j in range(len(words)) if editable(j) and tags[j] == tags[k]} - set(near))
        same_class = sorted({norms[j] for j in range(len(words))
                             if editable(j) and COARSE.get(tags[j]) == COARSE[tags[k]]} - set(near))
        choices = [c for c in same_tag or same_class if article_fits(k, c)]
        if choices:
            out.append(("reuse", Replacement(k, k + 1, _retyped(words[k].text, choices[rng.integers(len(choices))]))))
            used.append(k)
    # new: a word of the same tag the clip never says
    for k in rng.permutation(len(words)).tolist():
        if sum(kind == "new" for kind, _ in out) == n_new:
            break
        if not editable(k) or not free(k):
            continue
        choices = [w for w in NEW_WORDS.get(tags[k], []) if w.lower() not in said and article_fits(k, w)]
        if choices:
            out.append(("new", Replacement(k, k + 1, _retyped(words[k].text, choices[rng.integers(len(choices))]))))
            used.append(k)
    # insert: before a word that takes one
    for k in rng.permutation(len(words)).tolist():
        if sum(kind == "insert" for kind, _ in out) == n_insert:
            break
        if not 0 < k < len(words) or not free(k) or words[k].probability < MIN_PROBABILITY:
            continue
        for tag, before, choices in INSERTIONS:
            if tags[k] == tag and (before is None or tags[k - 1] in before):
                fresh = [c for c in choices if c not in (norms[k - 1], norms[k]) and article_fits(k, c)]
                if fresh:
                    out.append(("insert", Replacement(k, k, fresh[rng.integers(len(fresh))])))
                    used.append(k)
                    break
    return out


def describe(words, kind: str, r) -> str:
    if r.is_insertion:
        return f"+'{r.text}' before '{words[r.start].text}'"
    return f"'{r.text}' for '{' '.join(w.text for w in words[r.start:r.end])}'"


# ---------------------------------------------------------------- measures
def sentence_window(words, r, total16: int) -> tuple[int, int, int, int]:
    """(first word, end word, start sample, end sample @ 16 kHz) of the sentence around edit ``r``:
    from the last pause at least CONTEXT_S before it to the first pause at least CONTEXT_S after it."""
    pause, context = int(SENTENCE_PAUSE_S * 16_000), int(CONTEXT_S * 16_000)
    t_start = words[r.start].start if r.start < len(words) else words[-1].end
    t_end = words[r.end - 1].end if r.end > r.start else t_start
    lo = max(r.start - 1, 0)
    while lo > 0 and t_start - words[lo].start < 2 * context:
        if t_start - words[lo].start >= context and words[lo].start - words[lo - 1].end >= pause:
            break
        lo -= 1
    hi = min(max(r.end, r.start + 1), len(words))  # exclusive
    while hi < len(words) and words[hi - 1].end - t_end < 2 * context:
        if words[hi - 1].end - t_end >= context and words[hi].start - words[hi - 1].end >= pause:
            break
        hi += 1
    a = (words[lo - 1].end + words[lo].start) // 2 if lo > 0 else max(words[0].start - 8000, 0)
    b = (words[hi - 1].end + words[hi].start) // 2 if hi < len(words) else min(words[-1].end + 8000, total16)
    return lo, hi, a, b


def spoken(text: str) -> list[str]:
    from lecturecut.synthesis.voice.text import word_tokens

    return [t for w in text.split() for t in word_tokens(w, "en")]


def in_place(expected_before: list[str], new: list[str], expected_after: list[str], got: list[str]) -> bool:
    """The ``new`` tokens recognised exactly where they go, with a matched neighbour on each side."""
    expected = expected_before + new + expected_after
    ops = difflib.SequenceMatcher(a=expected, b=got, autojunk=False).get_opcodes()
    matched = {i for tag, i1, i2, _, _ in ops if tag == "equal" for i in range(i1, i2)}
    need = set(range(len(expected_before) - 1, len(expected_before) + len(new) + 1)) & set(range(len(expected)))
    return need <= matched


def listen(audio16: np.ndarray, engine) -> str:
    from lecturecut.asr.transcribe import transcribe

    return transcribe(np.asarray(audio16, np.float32), model=engine, language="en", refine=False).text


def cpu_time() -> float:
    """CPU seconds used so far by this process (every thread) and the child processes it waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def read_originals(path: Path) -> dict[str, str]:
    """What the listeners heard of the unedited sentences (cached: it does not depend on the engine)."""
    return json.loads(path.read_text()) if path.exists() else {}


def write_originals(path: Path, heard: dict[str, str]) -> None:
    tmp = path.with_suffix(".part")
    tmp.write_text(json.dumps(heard, indent=0, ensure_ascii=False))
    tmp.replace(path)


def natural_pause_clicks(words, source: np.ndarray, rate: int) -> np.ndarray:
    """The click measure at 40 random points of each of the recording's own pauses (as tests/test_voice.py;
    a clip without a pause between words: of the silence before and after its speech)."""
    from bench.measures.quality import discontinuity_profile

    to_rate, margin = rate / 16_000, rate // 100
    rng = np.random.default_rng(0)
    pauses = [(int(a.end * to_rate) + margin, int(b.start * to_rate) - margin)
              for a, b in zip(words, words[1:], strict=False)]
    if not any(hi - lo > 1 for lo, hi in pauses):  # one breath of connected speech: the silence around it
        fit = int(0.03 * rate)
        pauses = [(fit, int(words[0].start * to_rate) - margin),
                  (int(words[-1].end * to_rate) + margin, len(source) - fit)]
    return discontinuity_profile(source, rate, [rng.integers(lo, hi) for lo, hi in pauses if hi - lo > 1
                                                for _ in range(40)])


def inner_joins(project, speech) -> list[float]:
    """The click measure at the crossfades inside the new audio where each recorded run is faded in from
    room tone (or the word before) and out of it: their centres, from the margins the run was read with
    (``use.source`` beyond the words' extent), as tests/test_voice.py measures them."""
    from bench.measures.quality import discontinuity
    from lecturecut.synthesis.voice.corpus import word_extent
    from lecturecut.synthesis.voice.render import UNIT_MARGIN_S

    rate, margin, scores = speech.rate, UNIT_MARGIN_S * speech.rate, []
    for use in speech.sources:
        if use.method != "reused":
            continue  # built and generic words lie in room tone of their own (units: tests/test_voice_units.py)
        a, b = use.output
        first, last = project.transcript.words[use.words[0]], project.transcript.words[use.words[1] - 1]
        before = word_extent(first)[0] * rate / 16_000 - use.source[0]
        after = use.source[1] - word_extent(last)[1] * rate / 16_000
        scores += [discontinuity(speech.audio, rate, int(a - before * use.fit.stretch + margin / 2)),
                   discontinuity(speech.audio, rate, int(b + after * use.fit.stretch - margin / 2))]
    return scores


class Speakers:
    """Resemblyzer embeddings: each clip's partial embeddings once, references without given ranges."""

    def __init__(self) -> None:
        from resemblyzer import VoiceEncoder

        self.encoder = VoiceEncoder("cpu", verbose=False)
        self.partials: dict[str, tuple[np.ndarray, list[slice]]] = {}

    def add(self, name: str, audio16: np.ndarray) -> None:
        from resemblyzer.audio import normalize_volume
        from resemblyzer.hparams import audio_norm_target_dBFS

        x = normalize_volume(np.asarray(audio16, np.float32), audio_norm_target_dBFS, increase_only=True)
        _, partials, slices = self.encoder.embed_utterance(x, return_partials=True)
        self.partials[name] = (partials, slices)

    def reference(self, name: str, exclude: list[tuple[int, int]]) -> np.ndarray:
        """The speaker of ``name`` from its partials (1.6 s windows) that overlap none of ``exclude`` (16 kHz)."""
        partials, slices = self.partials[name]
        keep = [i for i, s in enumerate(slices) if all(s.stop <= a or s.start >= b for a, b in exclude)]
        e = partials[keep or list(range(len(slices)))].mean(axis=0)
        return e / np.linalg.norm(e)

    def similarity(self, audio16: np.ndarray, ref: np.ndarray) -> float:
        from resemblyzer import preprocess_wav

        x = preprocess_wav(np.asarray(audio16, np.float32))
        if len(x) < 1600:  # all of it was silence to the VAD: the span as it is
            x = np.asarray(audio16, np.float32)
        e = self.encoder.embed_utterance(x)
        return float(np.dot(e, ref) / np.linalg.norm(e))


def word_span(words, n16: int, rng, audio16: np.ndarray, avoid: tuple[int, int]) -> tuple[int, int]:
    """A real span of ``n16`` samples centred on a random word away from ``avoid`` (16 kHz)."""
    centres = [(w.start + w.end) // 2 for w in words if w.end <= avoid[0] or w.start >= avoid[1]] or [
        (w.start + w.end) // 2 for w in words]
    c = centres[int(rng.integers(len(centres)))]
    a = int(np.clip(c - n16 // 2, 0, max(len(audio16) - n16, 0)))
    return a, a + n16


# ---------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one edit of each kind per clip")
    ap.add_argument("--json", type=Path, help="write every render's measures here")
    ap.add_argument("--clips", nargs="+", help="only the clips whose names start with these")
    ap.add_argument("--table", type=Path, help="only print the tables of a --json file written before")
    args = ap.parse_args(argv)
    if args.table:
        print_tables([Render(**d) for d in json.loads(args.table.read_text())], [])
        return 0
    os.environ.setdefault("LECTURECUT_CACHE", str(Path.home() / ".cache" / "lecturecut"))

    from scipy.signal import resample_poly

    from bench.measures.quality import discontinuity
    from lecturecut.asr.transcribe import load_engine
    from lecturecut.media.audio import decode_audio
    from lecturecut.media.probe import probe
    from lecturecut.synthesis.project import Project
    from lecturecut.synthesis.voice import METHOD_GENERIC, VoiceError, synthesize
    from lecturecut.synthesis.voice.preview import in_context
    from lecturecut.synthesis.voice.render import _inventory, load_or_build_corpus

    clips = [c for c in CLIPS if not args.clips or any(c.name.lower().startswith(p.lower()) for p in args.clips)]
    listeners = {MODEL: load_engine(MODEL), SECOND_LISTENER: load_engine(SECOND_LISTENER)}
    projects, audio16 = {}, {}
    for clip in clips:
        path = lj_lecture() if clip.path is None else clip.path
        t0 = time.perf_counter()
        tr = transcribed(path, listeners[MODEL])
        projects[clip.name] = Project.create(path, probe(path), tr)
        audio16[clip.name] = decode_audio(path, 16_000, 1)  # (n,): mono
        print(f"{clip.name}: {len(tr.words)} words ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    speakers = Speakers()
    for name, x in audio16.items():
        speakers.add(name, x)
    other_of = {}
    for i, clip in enumerate(clips):
        others = [c.name for c in clips[i + 1:] + clips[:i] if c.speaker != clip.speaker]
        other_of[clip.name] = others

    renders: list[Render] = []
    refused: list[str] = []
    originals_path = cache_dir() / "originals.json"
    originals = read_originals(originals_path)
    setup: list[str] = ["load average (1, 5, 15 min) at the start: " + ", ".join(f"{v:.1f}" for v in os.getloadavg())]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LECTURECUT_CACHE"] = str(Path(tmp) / "cache")  # the voice cache starts empty
        from lecturecut.synthesis.voice.tts import speak

        t0 = time.perf_counter()
        speak("Good morning.", "en", 16_000)  # loads the generic voice once per process
        setup.append(f"generic voice loaded in {time.perf_counter() - t0:.1f} s")
        for ci, clip in enumerate(clips):
            project = projects[clip.name]
            words = project.transcript.words
            rate = project.media.audio.sample_rate
            source = decode_audio(project.source, rate, 1)
            x16 = audio16[clip.name]
            natural99 = float(np.percentile(natural_pause_clicks(words, source, rate), 99))
            t0 = time.perf_counter()
            load_or_build_corpus(project)
            t_corpus = time.perf_counter() - t0
            t0 = time.perf_counter()
            _inventory(project)
            t_inv = time.perf_counter() - t0
            setup.append(f"{clip.name}: corpus {t_corpus:.1f} s, unit inventory {t_inv:.1f} s "
                         f"({len(words)} words, {len(x16) / 16_000:.0f} s), natural pauses p99 {natural99:.1f}")
            print(setup[-1], file=sys.stderr)
            tags = pos_tags(words)
            rng = np.random.default_rng(100 + ci)
            for kind, r in choose_edits(clip, words, tags, seed=ci, quick=args.quick):
                tries = [(kind, None)] + ([("new (generic forced)", (METHOD_GENERIC,))] if kind == "new" else [])
                first_method = ""
                for label, methods in tries:
                    if methods and first_method == METHOD_GENERIC:
                        continue  # the engine fell back to the generic voice already: one render is enough
                    out = Render(clip.name, label, "", describe(words, kind, r))
                    t0, c0 = time.perf_counter(), cpu_time()
                    try:
                        speech = synthesize(project, r, audio_rate=rate, use_cache=False,
                                            **({"methods": methods} if methods else {}))
                    except VoiceError as exc:
                        refused.append(f"{clip.name} {label} {out.edit}: {exc}")
                        continue
                    out.seconds, out.cpu_seconds = time.perf_counter() - t0, cpu_time() - c0
                    out.method = first_method = first_method or speech.method
                    out.method = speech.method
                    mixed, j0, j1 = in_context(source, speech, int(CROSSFADE_S * rate))
                    out.natural99 = natural99
                    out.joins = [discontinuity(mixed, rate, j0), discontinuity(mixed, rate, j1)]
                    out.joins += inner_joins(project, speech)
                    # the sentence, heard
                    lo, hi, a16, b16 = sentence_window(words, r, len(x16))
                    delta = len(mixed) - len(source)
                    to_rate = rate / 16_000
                    a, b = int(a16 * to_rate), int(b16 * to_rate) + delta
                    heard16 = resample_poly(mixed[a:b], 16_000, rate).astype(np.float32)
                    texts = [w.text for w in words]
                    before = spoken(" ".join(texts[lo:r.start]))
                    after = spoken(" ".join(texts[r.end:hi]))
                    for name, engine in listeners.items():
                        text = listen(heard16, engine)
                        out.heard[name] = in_place(before, spoken(r.text), after, spoken(text))
                        out.heard_text[name] = text
                        key = f"{Path(project.source).name} {a16} {b16} {name}"  # the original: heard once
                        if key not in originals:
                            originals[key] = listen(x16[a16:b16], engine)
                            write_originals(originals_path, originals)
                        out.ceiling[name] = in_place(before, spoken(" ".join(texts[r.start:r.end])), after,
                                                     spoken(originals[key]))
                    # the speaker
                    new16 = resample_poly(speech.audio, 16_000, rate).astype(np.float32)
                    n = len(new16)
                    cut16 = (int(speech.source_range[0] / to_rate), int(speech.source_range[1] / to_rate))
                    exclude = [cut16] + [(int(u.source[0] / to_rate), int(u.source[1] / to_rate))
                                         for u in speech.sources if u.method == "reused"]
                    out.sim_new = speakers.similarity(new16, speakers.reference(clip.name, exclude))
                    ra, rb = word_span(words, n, rng, x16, cut16)
                    out.sim_real = speakers.similarity(x16[ra:rb], speakers.reference(clip.name, [(ra, rb)]))
                    others = other_of[clip.name]
                    o = others[len(renders) % len(others)]
                    oa, ob = word_span(projects[o].transcript.words, n, rng, audio16[o], (0, 0))
                    out.sim_other = speakers.similarity(audio16[o][oa:ob], speakers.reference(clip.name, [cut16]))
                    renders.append(out)
                    print(f"  {label:22s} {out.method:8s} {out.edit}: heard {out.heard} (orig {out.ceiling}) "
                          f"joins {max(out.joins):.1f}/{natural99:.1f} sim {out.sim_new:.2f}/{out.sim_real:.2f}/"
                          f"{out.sim_other:.2f} {out.seconds:.2f} s | {out.heard_text[MODEL]!r}", file=sys.stderr)
    setup.append("load average (1, 5, 15 min) at the end: " + ", ".join(f"{v:.1f}" for v in os.getloadavg()))
    print_tables(renders, setup)
    for line in refused:
        print("refused:", line)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in renders], indent=1, ensure_ascii=False))
    return 0


def _row(label: str, g: list[Render]) -> str:
    def share(xs) -> str:
        xs = list(xs)
        return f"{sum(xs)}/{len(xs)} ({np.mean(xs):.0%})" if xs else "–"

    worst = max(g, key=lambda r: r.worst_join / r.natural99)
    return (f"| {label} | {len(g)} | {share(r.heard[MODEL] for r in g)} | {share(r.heard[SECOND_LISTENER] for r in g)} "
            f"| {share(r.ceiling[MODEL] for r in g)} | {np.mean([r.sim_new for r in g]):.3f} "
            f"| {np.mean([r.sim_real for r in g]):.3f} | {np.mean([r.sim_other for r in g]):.3f} "
            f"| {share(r.clean for r in g)} | {worst.worst_join:.1f} ({worst.natural99:.1f}) "
            f"| {np.mean([r.seconds for r in g]):.2f} | {max(r.seconds for r in g):.2f} "
            f"| {np.mean([r.cpu_seconds for r in g]):.2f} |")


HEADER = ("| {} | renders | heard in place (base) | (tiny.en) | original heard there (base) | similarity: new "
          "| real, same speaker | other speaker | no click | worst join (clip's p99) | s/edit | max s | CPU s/edit |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def print_tables(renders: list[Render], setup: list[str]) -> None:
    def grouped(key) -> dict[str, list[Render]]:
        out: dict[str, list[Render]] = {}
        for r in renders:
            out.setdefault(key(r), []).append(r)
        return out

    order = ("reused", "units", "generic")
    print(HEADER.format("method"))
    for m, g in sorted(grouped(lambda r: r.method).items(), key=lambda kv: order.index(kv[0])):
        print(_row(m, g))
    print(_row("all", renders))
    print()
    print(HEADER.format("method, kind"))
    for label, g in sorted(grouped(lambda r: f"{r.method}, {r.kind}").items(),
                           key=lambda kv: (order.index(kv[0].split(",")[0]), kv[0])):
        print(_row(label, g))
    print()
    print(HEADER.format("clip"))
    for label, g in grouped(lambda r: r.clip).items():
        print(_row(label, g))
    print()
    for line in setup:
        print("-", line)


if __name__ == "__main__":
    raise SystemExit(main())
