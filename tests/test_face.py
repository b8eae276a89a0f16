"""Face landmarks on real talking-head frames (offline dlib model), and the no-face case."""

import numpy as np
import pytest

from lecturecut.media.frames import read_frames
from lecturecut.models.errors import ModelError
from lecturecut.models.face import (
    MOUTH,
    RIGID_POINTS,
    DlibLandmarker,
    FanLandmarker,
    best_landmarker,
    similarity_transform,
)


@pytest.fixture(scope="module")
def dlib_landmarker():
    return DlibLandmarker()


def first_frame(path):
    return next(iter(read_frames(path, n_frames=1)))


def test_finds_the_face_and_its_parts(dlib_landmarker, media_file):
    frame = first_frame(media_file("th_obama_weekly_address_2010_oilspill_450x450_20s.mp4"))
    face = dlib_landmarker.detect(frame)
    assert face is not None and face.landmarks.shape == (68, 2)
    x0, y0, x1, y1 = face.box
    assert 100 < (x1 - x0) < 450
    pts = face.landmarks
    eyes_y = pts[36:48, 1].mean()
    mouth_y = pts[MOUTH, 1].mean()
    nose_y = pts[27:36, 1].mean()
    assert eyes_y < nose_y < mouth_y  # anatomically ordered
    mx0, my0, mx1, my1 = face.mouth_box
    assert x0 <= mx0 < mx1 <= x1 + 5 and my1 <= y1 + 15


def test_small_faces_and_webcam_framing(dlib_landmarker, media_file):
    for name in ("grid_s2_swwp2s.mpg", "webcam_jordi_mas_open_dubbing_en_1080x720_10s.mp4"):
        assert dlib_landmarker.detect(first_frame(media_file(name))) is not None, name


def test_no_face_gives_none(dlib_landmarker, media_file):
    frame = first_frame(media_file("speech_over_timecode_auto_editor_1280x720_42s.mp4"))
    assert dlib_landmarker.detect(frame) is None


def test_fan_without_weights_says_how_to_fetch(monkeypatch, tmp_path):
    # Point every cache at an empty folder: FAN's weights are then absent, as on a fresh machine.
    monkeypatch.setenv("LECTURECUT_CACHE", str(tmp_path))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(ModelError, match="lecturecut models fetch 2dfan4"):
        FanLandmarker()
    assert best_landmarker().name == "dlib"


def test_similarity_transform_recovers_a_head_move(dlib_landmarker, media_file):
    frame = first_frame(media_file("th_obama_weekly_address_2010_oilspill_450x450_20s.mp4"))
    pts = dlib_landmarker.detect(frame).landmarks[RIGID_POINTS]
    angle = np.deg2rad(3.0)
    rot = 1.04 * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = pts @ rot.T + np.array([7.0, -4.0])
    m = similarity_transform(pts, moved)
    assert np.allclose(m[:, :2], rot, atol=1e-4) and np.allclose(m[:, 2], [7.0, -4.0], atol=1e-2)
