"""One frame's new mouth: a source frame's lower face laid onto a target frame's face.

The source is aligned to the target by a similarity transform fitted on the points that
move with the skull (brows, nose, eyes), so the source's mouth sits where the target's
head is; its colour is matched to the target's skin (mean and spread in Lab, measured
on the skin around the mouth, not on the mouth's inside); and it is blended through a
feathered mask covering the mouth, chin and lower cheeks of both faces (the union, so
that no second chin of the target shows under a source chin that is higher), kept inside
the source face's outline (never its background) and below the target's nostrils. Only the
face's neighbourhood is touched: every pixel outside the mask keeps its value.
"""

from __future__ import annotations

import cv2
import numpy as np

from lecturecut.models.face import MOUTH, RIGID_POINTS, similarity_transform

JAW_LOWER = list(range(3, 14))  # iBUG jaw points from one lower cheek around the chin to the other
NOSE_BASE = [35, 34, 33, 32, 31]  # nostrils, right to left: the mask's top edge (moved towards the lip)
UPPER_LIP = [54, 53, 51, 49, 48]
TOP_TOWARDS_LIP = 0.35  # the mask's top runs this far from the nose base towards the upper lip
DILATE = 0.04  # of the face width: the mask reaches this far past both chins and cheeks
FEATHER = 0.08  # of the face width: the Gaussian feather of the mask's edge
STD_RATIO = (0.8, 1.25)  # the colour match never scales a channel's spread beyond these


def face_width(landmarks: np.ndarray) -> float:
    return float(np.linalg.norm(landmarks[16] - landmarks[0]))


def region_polygon(landmarks: np.ndarray) -> np.ndarray:
    """The lower face (lower cheeks, chin, mouth, up to just under the nose), (N, 2) float32."""
    p = np.asarray(landmarks, np.float32)
    top = p[NOSE_BASE] + TOP_TOWARDS_LIP * (p[UPPER_LIP] - p[NOSE_BASE])
    return np.concatenate([p[JAW_LOWER], top])


def face_outline(landmarks: np.ndarray) -> np.ndarray:
    """The face's outline: the jaw from ear to ear, closed over the brows, (27, 2) float32."""
    p = np.asarray(landmarks, np.float32)
    return np.concatenate([p[0:17], p[26:16:-1]])


def warp_points(m: np.ndarray, points: np.ndarray) -> np.ndarray:
    return (np.asarray(points, np.float64) @ m[:, :2].T.astype(np.float64) + m[:, 2]).astype(np.float32)


def _roi(points: np.ndarray, pad: float, shape) -> tuple[int, int, int, int]:
    h, w = shape[:2]
    x0, y0 = np.floor(points.min(0) - pad).astype(int)
    x1, y1 = np.ceil(points.max(0) + pad).astype(int)
    return max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)


def _match_colour(src: np.ndarray, dst: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """``src`` (uint8 RGB) with its Lab mean/spread over ``skin`` moved onto ``dst``'s there."""
    if skin.sum() < 20:
        return src
    s_lab = cv2.cvtColor(src, cv2.COLOR_RGB2LAB).astype(np.float32)
    d_lab = cv2.cvtColor(dst, cv2.COLOR_RGB2LAB).astype(np.float32)
    sel = skin.astype(bool)
    mu_s, sd_s = s_lab[sel].mean(0), s_lab[sel].std(0) + 1e-3
    mu_d, sd_d = d_lab[sel].mean(0), d_lab[sel].std(0) + 1e-3
    ratio = np.ones(3, np.float32)
    ratio[0] = np.clip(sd_d[0] / sd_s[0], *STD_RATIO)  # lightness: mean and spread; colour: mean only
    out = (s_lab - mu_s) * ratio + mu_d  # (scaling a/b by the skin's narrow spread greyed the lips)
    return cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def composite(target: np.ndarray, target_pts: np.ndarray, source: np.ndarray, source_pts: np.ndarray,
              weight: float = 1.0) -> np.ndarray:
    """``target`` with its lower face replaced by ``source``'s, at opacity ``weight`` (a new array)."""
    out = target.copy()
    if weight <= 0:
        return out
    t_pts = np.asarray(target_pts, np.float32)
    m = similarity_transform(np.asarray(source_pts)[RIGID_POINTS], t_pts[RIGID_POINTS])  # source -> target
    s_pts = warp_points(m, source_pts)
    fw = face_width(t_pts)
    feather = max(FEATHER * fw, 2.0)
    hull_pts = np.concatenate([region_polygon(t_pts), region_polygon(s_pts)])
    x0, y0, x1, y1 = _roi(hull_pts, DILATE * fw + 2 * feather, target.shape)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return out
    shift = np.array([x0, y0], np.float32)
    m_roi = m.astype(np.float64).copy()
    m_roi[:, 2] -= shift
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpAffine(source, m_roi, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    patch = out[y0:y1, x0:x1]
    mask = np.zeros(patch.shape[:2], np.uint8)
    hull = cv2.convexHull((hull_pts - shift).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 255)
    k = max(int(round(DILATE * fw)), 1)
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1)))
    # skin for the colour match: the region less both mouths (their insides are teeth and shadow)
    mouths = np.zeros_like(mask)
    for pts in (t_pts, s_pts):
        cv2.fillConvexPoly(mouths, cv2.convexHull((pts[MOUTH] - shift).astype(np.int32)), 255)
    mouths = cv2.dilate(mouths, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1)))
    skin = cv2.erode(mask, np.ones((3, 3), np.uint8)) & ~mouths
    warped = _match_colour(warped, patch, skin > 0)
    sigma = feather / 2
    alpha = cv2.GaussianBlur(mask.astype(np.float32) / 255.0, (0, 0), sigma)
    # nothing above the target's nostrils changes: the feather's top half fades in below them, along
    # the face's own vertical (eyes to mouth), so the nose, eyes and brows keep every pixel
    axis = t_pts[MOUTH].mean(0) - t_pts[36:48].mean(0)
    axis = axis / max(float(np.linalg.norm(axis)), 1e-6)
    ys, xs = np.mgrid[y0:y1, x0:x1]
    depth = (xs * axis[0] + ys * axis[1]).astype(np.float32)  # (h, w) position along the face's vertical
    nose = float((t_pts[NOSE_BASE] @ axis).max())
    top = max(float((region_polygon(t_pts)[-len(NOSE_BASE):] @ axis).min()), nose + 3.0)
    alpha *= np.clip((depth - nose) / (top - nose), 0.0, 1.0)
    # and nothing from beyond the source face's outline (its background, where its head was elsewhere)
    outline = np.zeros_like(mask)
    cv2.fillPoly(outline, [(face_outline(s_pts) - shift).astype(np.int32)], 255)
    inside = cv2.erode(outline, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1)))
    alpha *= cv2.GaussianBlur(inside.astype(np.float32) / 255.0, (0, 0), max(sigma / 2, 1.0))
    alpha = (alpha * float(min(weight, 1.0)))[..., None]
    blended = patch.astype(np.float32) * (1 - alpha) + warped.astype(np.float32) * alpha
    out[y0:y1, x0:x1] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    return out
