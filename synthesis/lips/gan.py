"""The opt-in method: Wav2Lip's GAN generator draws the lower face from the new speech's mel.

Where the user has fetched ``wav2lip_gan.pth`` (``lecturecut models fetch wav2lip_gan``; research and
non-commercial use only, see the registry's licence note), the frames under a span of new speech
are regenerated as Wav2Lip's inference does, on the affected frames only:

- the face is tracked (:func:`.track.track`, dlib landmarks One Euro smoothed); its box is the
  landmarks' (jaw from ear to ear, from a little above the brows down to the chin), extended downward
  past the chin (Wav2Lip pads its detector's box by 10 px at the bottom) and smoothed by a centred
  moving mean over ``BOX_SMOOTH`` frames;
- each box is cropped, resized to 96x96 BGR and given to the generator with its lower half masked
  and itself as reference, with the (80, 16) mel window of the new speech that starts at
  ``int(i * 80 / fps)`` for the span's frame ``i`` (:func:`lecturecut.models.audio.mel_window_for_frame`),
  batched, without gradients, on CUDA where there is one, else on the CPU;
- the 96x96 output is resized back to the box, sharpened (an unsharp mask scaled to the enlargement),
  colour-matched to the frame's skin around the mouth (:func:`.composite._match_colour`), and pasted
  through a feathered mask of the lower face (:func:`.composite.region_polygon`: lower cheeks, chin,
  mouth, up to just under the nose) that never leaves the box's lower half, the part the generator
  was asked to draw; it fades in and out over the span's first and last frames as the own mouth does.

Every pixel outside that mask keeps its value, and so does every frame outside the span. A span whose
frames lose the face (none, several, leaving the picture) is left as it is, with the reason.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from fractions import Fraction
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np

from lecturecut.core import ProgressFn, check_cancel, no_progress
from lecturecut.models.errors import ModelError

from .composite import DILATE, FEATHER, _match_colour, face_width, region_polygon
from .engine import NOT_REGENERATED, LipsResult, _weights, clock, shared_landmarker, span_offsets
from .track import track

GAN = "Wav2Lip GAN"  # LipsResult.method of this method
WEIGHTS = "wav2lip_gan"  # the registry's name of the weights (lecturecut models fetch wav2lip_gan)
FACE = 96  # px: the generator's square face
BATCH = 16  # frames per generator call (Wav2Lip's own inference used 128 on a GPU; 16 keeps CPU memory small)
BOX_SMOOTH = 5  # frames: the centred moving mean over the face boxes (Wav2Lip's minimum)
PAD_BOTTOM_PX = 10  # the reference's padding below the box ...
PAD_BOTTOM = 0.05  # ... or this fraction of the box's height where that is more (large faces)
ABOVE_BROWS = 0.2  # the box's top: this fraction of brows-to-chin above the brows (a detector's box has some forehead)
SHARPEN_AMOUNT = 0.6  # unsharp mask: out = x + amount * (x - blur(x)) ...
SHARPEN_SIGMA = 0.5  # ... blur sigma in output px per unit of enlargement (box side / 96)
EDGE_SIGMA = 0.02  # of the face width: the feather that keeps the paste inside the box's lower half
AUDIO_RATE = 16_000  # Hz: the generator's audio


class GanWeightsMissing(ModelError):
    """The Wav2Lip GAN was chosen but its weights are not installed."""


def weights_path() -> Path:
    """Where ``wav2lip_gan.pth`` is installed; a one-line error saying how to fetch it where it is not."""
    from lecturecut.models.registry import locate

    path = locate(WEIGHTS)
    if path is None:
        raise GanWeightsMissing(f"The Wav2Lip GAN lips need the weights {WEIGHTS}.pth, which are not installed: "
                                f"run `lecturecut models fetch {WEIGHTS}` (research / non-commercial use only), "
                                "or choose the own-mouth lips (command line: --lips own).")
    return path


def device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


_LOADING = threading.Lock()


def generator(path: Path, on: str):
    """The generator from ``path`` on device ``on``, loaded once per file version and device."""
    st = path.stat()
    with _LOADING:
        return _load(str(path), st.st_mtime_ns, st.st_size, on)


@functools.lru_cache(maxsize=1)  # 36 M weights: one copy at a time
def _load(path: str, mtime_ns: int, size: int, on: str):
    from lecturecut.models.checkpoint import load_wav2lip

    return load_wav2lip(path, on)


# ---------------------------------------------------------------- geometry


def face_boxes(landmarks: Sequence[np.ndarray], shape) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) per frame: the landmarks' face box, extended past the chin, smoothed over
    ``BOX_SMOOTH`` frames (a centred moving mean, shorter at the ends), inside the picture."""
    h, w = shape[:2]
    raw = []
    for p in landmarks:
        p = np.asarray(p, np.float64)
        brows, chin = float(p[17:27, 1].min()), float(p[0:17, 1].max())
        height = chin - brows
        top = brows - ABOVE_BROWS * height
        bottom = chin + max(PAD_BOTTOM_PX, PAD_BOTTOM * (chin - top))
        raw.append((float(p[0:17, 0].min()), top, float(p[0:17, 0].max()), bottom))
    raw_a = np.asarray(raw, np.float64).reshape(-1, 4)
    half = BOX_SMOOTH // 2
    out = []
    for i in range(len(raw_a)):
        x0, y0, x1, y1 = raw_a[max(i - half, 0):i + half + 1].mean(0)
        x0, y0 = max(int(round(x0)), 0), max(int(round(y0)), 0)
        x1, y1 = min(int(round(x1)), w), min(int(round(y1)), h)
        out.append((x0, y0, x1, y1))
    return out


def crop(frame: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """The box of an RGB frame as the generator's (96, 96, 3) BGR face."""
    x0, y0, x1, y1 = box
    face = cv2.resize(frame[y0:y1, x0:x1], (FACE, FACE), interpolation=cv2.INTER_LINEAR)  # as Wav2Lip resized
    return np.ascontiguousarray(face[..., ::-1])


def generator_faces(faces: np.ndarray) -> np.ndarray:
    """(B, 96, 96, 3) BGR uint8 -> (B, 6, 96, 96) float32: lower half masked, then the reference, /255."""
    masked = faces.copy()
    masked[:, FACE // 2:] = 0
    both = np.concatenate([masked, faces], axis=3).astype(np.float32) / 255.0  # (B, 96, 96, 6)
    return np.ascontiguousarray(both.transpose(0, 3, 1, 2))  # (B, 6, 96, 96)


def paste_mask(landmarks: np.ndarray, box: tuple[int, int, int, int], shape) -> tuple[np.ndarray, tuple]:
    """(alpha, (x0, y0, x1, y1)): the feathered lower-face mask in [0, 1] over the box's area, zero
    everywhere outside the box's lower half (the rows the generator redrew)."""
    x0, y0, x1, y1 = box
    pts = np.asarray(landmarks, np.float32) - np.array([x0, y0], np.float32)
    size = (y1 - y0, x1 - x0)
    fw = face_width(np.asarray(landmarks, np.float32))
    mask = np.zeros(size, np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(region_polygon(pts).astype(np.int32)), 255)
    k = max(int(round(DILATE * fw)), 1)
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1)))
    alpha = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), max(FEATHER * fw / 2, 1.0))
    # the box's lower half, its edges feathered inward only: a Gaussian's support (4 sigma for float
    # images in OpenCV) inside the eroded area never reaches past it
    inside = np.zeros(size, np.uint8)
    top = int(math.ceil(size[0] * (FACE // 2) / FACE))
    inside[top:, :] = 255
    sigma = max(EDGE_SIGMA * fw, 1.0)
    e = int(math.ceil(4 * sigma)) + 1
    inside = cv2.erode(inside, np.ones((2 * e + 1, 2 * e + 1), np.uint8), borderType=cv2.BORDER_CONSTANT,
                       borderValue=0)
    alpha *= cv2.GaussianBlur(inside.astype(np.float32) / 255.0, (0, 0), sigma)
    return alpha, box


def sharpen(img: np.ndarray, enlargement: float) -> np.ndarray:
    """An unsharp mask sized to the enlargement from 96 px (uint8 in, uint8 out)."""
    sigma = max(SHARPEN_SIGMA * enlargement, 0.5)
    x = img.astype(np.float32)
    out = x + SHARPEN_AMOUNT * (x - cv2.GaussianBlur(x, (0, 0), sigma))
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def paste(frame: np.ndarray, landmarks: np.ndarray, box: tuple[int, int, int, int], drawn_bgr: np.ndarray,
          weight: float) -> np.ndarray:
    """``frame`` (RGB) with the generator's face ``drawn_bgr`` (96, 96, 3) laid into ``box`` through the
    lower-face mask, at opacity ``weight`` (a new array)."""
    from lecturecut.models.face import MOUTH

    out = frame.copy()
    x0, y0, x1, y1 = box
    if weight <= 0 or x1 - x0 < 8 or y1 - y0 < 8:
        return out
    drawn = cv2.resize(np.ascontiguousarray(drawn_bgr[..., ::-1]), (x1 - x0, y1 - y0),
                       interpolation=cv2.INTER_CUBIC)
    drawn = sharpen(drawn, (x1 - x0) / FACE)
    patch = out[y0:y1, x0:x1]
    alpha, _ = paste_mask(landmarks, box, frame.shape)
    # colour: the drawn face's skin around the mouth (the mask less the mouth) moved onto the frame's
    pts = np.asarray(landmarks, np.float32) - np.array([x0, y0], np.float32)
    mouth = np.zeros(alpha.shape, np.uint8)
    cv2.fillConvexPoly(mouth, cv2.convexHull(pts[MOUTH].astype(np.int32)), 255)
    k = max(int(round(DILATE * face_width(np.asarray(landmarks, np.float32)))), 1)
    mouth = cv2.dilate(mouth, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1)))
    drawn = _match_colour(drawn, patch, (alpha > 0.5) & (mouth == 0))
    a = (alpha * float(min(weight, 1.0)))[..., None]
    blended = patch.astype(np.float32) * (1 - a) + drawn.astype(np.float32) * a
    out[y0:y1, x0:x1] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    return out


# ---------------------------------------------------------------- audio


def mel_windows(plan, index: int, n: int) -> np.ndarray:
    """(n, 1, 80, 16) float32: the new speech's mel window for each of the span's ``n`` frames.

    The speech's audio is shifted so that its sample 0 is the instant of the span's first frame;
    frame ``i``'s window then starts at mel frame ``int(i * 80 / fps)``, as Wav2Lip's inference.
    """
    from scipy.signal import resample_poly

    from lecturecut.models.audio import mel_window_for_frame, melspectrogram

    span = plan.spans[index]
    rate, fps = plan.audio_rate, plan.fps
    acc_samples, acc_frames = span_offsets(plan, index)
    x = np.asarray(span.speech.audio, np.float64)  # (m,) at the plan's rate, starting half a crossfade early
    g = math.gcd(AUDIO_RATE, rate)
    x16 = resample_poly(x, AUDIO_RATE // g, rate // g) if rate != AUDIO_RATE else x
    first = Fraction(acc_frames) / fps * rate - acc_samples + plan.crossfade // 2  # speech sample of frame 0
    k0 = int(round(first * AUDIO_RATE / rate))
    x16 = x16[k0:] if k0 >= 0 else np.concatenate([np.zeros(-k0), x16])
    mel = melspectrogram(np.ascontiguousarray(x16, np.float32))  # (80, T)
    return np.stack([mel_window_for_frame(mel, i, fps) for i in range(n)])[:, None].astype(np.float32)


# ---------------------------------------------------------------- the span


def regenerate_gan(project, plan, index: int, frames: Sequence[np.ndarray], *, landmarker=None,
                   progress: ProgressFn | None = None, cancel=None) -> tuple[list[np.ndarray], LipsResult]:
    """The frames under synthetic piece ``plan.spans[index]`` with the lower face drawn by the Wav2Lip GAN
    from its new speech (see the module docstring); the same frames, with the reason, where the face is
    lost. Raises :class:`GanWeightsMissing` where the weights are not installed."""
    import torch

    progress = progress or no_progress
    span = plan.spans[index]
    if getattr(span, "speech", None) is None:
        raise ValueError(f"piece {index} of the plan is not spoken new speech")
    path = weights_path()
    frames = list(frames)
    n = len(frames)
    fps = plan.fps
    seconds = {"tracking": 0.0, "generation": 0.0, "compositing": 0.0}

    def result(changed: int, reason: str) -> LipsResult:
        return LipsResult(replacement=span.replacement, method=GAN if changed else NOT_REGENERATED, n_frames=n,
                          changed=changed, reason=reason, seconds=seconds)

    if n == 0:
        return frames, result(0, "no frames under the new speech")
    _, acc_frames = span_offsets(plan, index)

    progress(0.0, "tracking the face")
    t0 = time.perf_counter()
    target = track(frames, float(fps), landmarker or shared_landmarker(), cancel)
    seconds["tracking"] += time.perf_counter() - t0
    lost = [j for j in range(n) if not target.ok(j)]
    if lost:
        def at(j: int) -> str:
            return clock(float(Fraction(acc_frames + j) / fps))

        return frames, result(0, f"{target.why[lost[0]]} in {at(min(lost))}-{at(max(lost) + 1)}: "
                                 "lips not regenerated")
    boxes = face_boxes(target.landmarks, frames[0].shape)

    progress(0.2, "drawing the mouth (Wav2Lip GAN)")
    t0 = time.perf_counter()
    on = device()
    net = generator(path, on)
    mels = mel_windows(plan, index, n)
    drawn = []
    with torch.no_grad():
        for a in range(0, n, BATCH):
            check_cancel(cancel)
            faces = np.stack([crop(frames[j], boxes[j]) for j in range(a, min(a + BATCH, n))])
            out = net(torch.from_numpy(mels[a:a + len(faces)]).to(on), torch.from_numpy(generator_faces(faces)).to(on))
            out = (out.float().cpu().numpy().transpose(0, 2, 3, 1) * 255.0).round().clip(0, 255).astype(np.uint8)
            drawn += list(out)  # (96, 96, 3) BGR each
            progress(0.2 + 0.6 * min(a + BATCH, n) / n, "drawing the mouth (Wav2Lip GAN)")
    seconds["generation"] += time.perf_counter() - t0

    t0 = time.perf_counter()
    weights = _weights([True] * n)  # fading in and out at the span's ends
    out_frames = []
    for j in range(n):
        check_cancel(cancel)
        out_frames.append(paste(frames[j], target.landmarks[j], boxes[j], drawn[j], weights[j]))
    seconds["compositing"] += time.perf_counter() - t0
    progress(1.0, "mouth drawn")
    return out_frames, result(n, "")
