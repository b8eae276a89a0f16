"""Benchmark: transcription, boundary refinement and export on long lectures built from real clips.

    .venv/bin/python -m bench.lecture_bench                 # 10-minute lecture, all backends
    .venv/bin/python -m bench.lecture_bench --minutes 10 60 # also the 60-minute one (slow on 2 cores)
    .venv/bin/python -m bench.lecture_bench --backends faster-whisper --models tiny.en

Each step runs in a fresh subprocess so its peak memory (ru_maxrss, including
ffmpeg children) is its own. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "resources" / "sample" / "sample_lecture.mp4"  # real 20 s talking-head lecture (public domain)


def build_lecture(minutes: int, out: Path) -> Path:
    """Loop the real sample clip to ``minutes`` (stream copy: instant, bit-exact real media)."""
    from lecturecut.media.ffmpeg import run_ffmpeg
    from lecturecut.media.probe import probe

    if out.exists():
        return out
    loops = int(minutes * 60 / probe(CLIP).duration_s) + 1
    run_ffmpeg(["-stream_loop", str(loops), "-i", str(CLIP), "-t", str(minutes * 60), "-c", "copy", str(out)],
               what="building the benchmark lecture")
    return out


# ---------------------------------------------------------------- steps (run in a subprocess)
def step_transcribe(video: str, backend: str, model: str, refine: bool, project_out: str) -> dict:
    from lecturecut.asr import transcribe
    from lecturecut.media.probe import probe
    from lecturecut.synthesis.project import Project, save_project

    info = probe(video)
    t0 = time.perf_counter()
    transcript = transcribe(video, model=model, language="en", backend=backend, refine=False)
    t_asr = time.perf_counter() - t0
    t_refine = 0.0
    if refine:
        from lecturecut.asr.refine import refine_transcript
        from lecturecut.media.audio import decode_audio

        audio = decode_audio(video, 16000)
        t1 = time.perf_counter()
        transcript = refine_transcript(transcript, audio)
        t_refine = time.perf_counter() - t1
    save_project(Project.create(video, info, transcript), project_out)
    return {"duration_s": info.duration_s, "asr_s": t_asr, "refine_s": t_refine, "words": len(transcript.words)}


def step_export(project_path: str, out: str, n_deletions: int) -> dict:
    from lecturecut.synthesis.export import ExportOptions, export
    from lecturecut.synthesis.session import EditSession

    session = EditSession.open(project_path)
    n = len(session.project.transcript.words)
    stride = max(3, n // (n_deletions + 1))
    for k in range(1, n_deletions + 1):
        i = min(n - 2, k * stride)
        session.delete(i, i + 2)
    t0 = time.perf_counter()
    result = export(session.project, out, ExportOptions(subtitles="sidecar", overwrite=True))  # reruns replace
    return {"export_s": time.perf_counter() - t0, "cuts": result.n_cuts, "out_duration_s": result.duration_s}


def _child_main(argv: list[str]) -> None:
    name, kwargs = argv[0], json.loads(argv[1])
    result = {"transcribe": step_transcribe, "export": step_export}[name](**kwargs)
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["peak_rss_mb"] = max(self_kb, child_kb) / 1024
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")


def run_step(name: str, **kwargs) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.lecture_bench", "--child", name, json.dumps(kwargs)],
                          cwd=ROOT, capture_output=True, text=True)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"benchmark step {name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(line[len("RESULT "):])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child_main(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=int, nargs="+", default=[10])
    ap.add_argument("--backends", nargs="+", default=["whisper", "faster-whisper"])
    ap.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    ap.add_argument("--deletions", type=int, default=10)
    ap.add_argument("--workdir", default=None, help="keep the built lectures here (default: a temp dir)")
    args = ap.parse_args()

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="lecturecut-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for minutes in args.minutes:
        video = build_lecture(minutes, workdir / f"lecture_{minutes}min.mp4")
        first_project = None
        for backend in args.backends:
            for model in args.models:
                project = workdir / f"lecture_{minutes}min_{backend}_{model}.lcproj"
                r = run_step("transcribe", video=str(video), backend=backend, model=model, refine=True,
                             project_out=str(project))
                first_project = first_project or project
                rows.append({"lecture": f"{minutes} min", "step": f"transcribe {backend} {model}",
                             "rtf": r["asr_s"] / r["duration_s"], "seconds": r["asr_s"],
                             "refine_s": r["refine_s"], "refine_pct": 100 * r["refine_s"] / max(r["asr_s"], 1e-9),
                             "peak_mb": r["peak_rss_mb"], "words": r["words"]})
                sys.stderr.write(f"{rows[-1]}\n")
        e = run_step("export", project_path=str(first_project), out=str(workdir / f"out_{minutes}min.mp4"),
                     n_deletions=args.deletions)
        rows.append({"lecture": f"{minutes} min", "step": f"export, {e['cuts']} cuts (full re-encode)",
                     "rtf": e["export_s"] / (minutes * 60), "seconds": e["export_s"], "refine_s": None,
                     "refine_pct": None, "peak_mb": e["peak_rss_mb"], "words": None})
        sys.stderr.write(f"{rows[-1]}\n")

    print("| lecture | step | seconds | × real time | refinement s (% of ASR) | peak memory MB |")
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        refine = f"{r['refine_s']:.1f} ({r['refine_pct']:.0f} %)" if r["refine_s"] is not None else "–"
        print(f"| {r['lecture']} | {r['step']} | {r['seconds']:.1f} | {r['rtf']:.3f} | {refine} | {r['peak_mb']:.0f} |")


if __name__ == "__main__":
    main()
