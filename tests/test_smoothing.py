"""Jump-cut smoothing on real talking-head frames: the head no longer jumps at a join."""

import numpy as np
import pytest

from lecturecut.media.frames import read_frames
from lecturecut.models.face import RIGID_POINTS, DlibLandmarker
from lecturecut.synthesis.smoothing import frames_for, head_pose, smooth_join

CLIP = "th_obama_weekly_address_2010_oilspill_450x450_20s.mp4"


@pytest.fixture(scope="module")
def landmarker():
    return DlibLandmarker()


@pytest.fixture(scope="module")
def frames(media_file):
    return list(read_frames(media_file(CLIP), n_frames=500))


def head_center(landmarker, frame):
    return landmarker.detect(frame).landmarks[RIGID_POINTS].mean(axis=0)


def biggest_jump(landmarker, frames):
    """Pick the pair of frames 2+ s apart whose head positions differ most: a real jump cut."""
    centers = [head_center(landmarker, f) for f in frames[::10]]
    best = max(((i, j) for i in range(len(centers)) for j in range(i + 5, len(centers))),
               key=lambda ij: np.linalg.norm(centers[ij[0]] - centers[ij[1]]))
    return best[0] * 10, best[1] * 10


def test_head_is_eased_across_a_jump_cut(landmarker, frames):
    a, b = biggest_jump(landmarker, frames)
    n = frames_for(25.0)
    before, after = frames[a], frames[b: b + n]
    raw_jump = np.linalg.norm(head_center(landmarker, after[0]) - head_center(landmarker, before))
    assert raw_jump > 4, "the clip should contain a visible head move"
    smoothed = smooth_join(before, after, landmarker)
    assert len(smoothed) == n and smoothed[0].shape == before.shape and smoothed[0].dtype == np.uint8
    track = [head_center(landmarker, before)] + [head_center(landmarker, f) for f in smoothed]
    track.append(head_center(landmarker, frames[b + n]))  # the first untouched frame
    steps = [np.linalg.norm(q - p) for p, q in zip(track, track[1:])]
    assert max(steps) < 0.6 * raw_jump, (raw_jump, steps)  # the jump is spread over the transition
    # the transition ends where the real footage continues (no second jump)
    assert steps[-1] < 0.35 * raw_jump + 1.0


def test_pose_is_measured(landmarker, frames):
    a, b = biggest_jump(landmarker, frames)
    pose, _ = head_pose(landmarker, frames[a], frames[b])
    assert pose.magnitude_px > 3 and 0.9 < pose.scale < 1.1


def test_without_a_face_it_is_a_dissolve(media_file):
    clip = list(read_frames(media_file("speech_over_timecode_auto_editor_1280x720_42s.mp4"), n_frames=60))
    before, after = clip[0], [clip[50]] * 6  # one still picture after the cut: only the blend changes
    out = smooth_join(before, after, DlibLandmarker())
    diffs_to_before = [np.abs(f.astype(int) - before.astype(int)).mean() for f in out]
    assert diffs_to_before == sorted(diffs_to_before)  # moves steadily away from the old picture
    assert 0 < diffs_to_before[0] < np.abs(after[0].astype(int) - before.astype(int)).mean()
