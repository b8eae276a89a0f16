"""Everything that touches ffmpeg: probing, decoding, frame streams, cutting, muxing.

No torch, no Qt. The only package that starts ffmpeg or ffprobe.
"""

from .audio import decode_audio
from lecturecut.core import Cancelled, CancelToken, LecturecutError
from .errors import FFmpegError, MediaError
from .probe import AudioStream, MediaInfo, VideoStream, keyframe_times, probe

__all__ = [
    "AudioStream", "Cancelled", "CancelToken", "FFmpegError", "LecturecutError", "MediaError",
    "MediaInfo", "VideoStream", "decode_audio", "keyframe_times", "probe",
]
