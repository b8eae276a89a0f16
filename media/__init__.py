"""Everything that touches ffmpeg: probing, decoding, frame streams, cutting, muxing.

No torch, no Qt. The only package that starts ffmpeg or ffprobe.
"""

from .audio import decode_audio
from .errors import FFmpegError, MediaError
from .probe import AudioStream, MediaInfo, VideoStream, keyframe_times, probe

__all__ = [
    "AudioStream", "FFmpegError", "MediaError",
    "MediaInfo", "VideoStream", "decode_audio", "keyframe_times", "probe",
]
