"""The lips engine: the mouth regenerated in the frames whose words changed.

Its contract: the frames and the new speech of one synthetic span of the render plan in,
frames out. It depends on the render plan and the voice engine's record only, never on
editing, the GUI or ffmpeg (frames come through ``lecturecut.media``).

The default, offline method is the lecturer's own mouth (Video Rewrite, Bregler, Covell
and Slaney 1997):

- ``track``: face box and 68 landmarks (dlib) per frame, One Euro smoothed forward and
  backward; no face, several faces or a face leaving the picture are found and named;
- ``engine``: where each output frame's sound came from: a reused word's own source
  frames, time-warped onto where it landed; built or generic words through ``select``;
- ``select``: lecture phones chosen by viseme for a new phone sequence (Viterbi over a
  target cost of viseme, duration and context, and a join cost of continuity);
- ``visemes``: the ARPAbet -> viseme table (bilabials, open vowels ...);
- ``composite``: the source's lower face aligned on the rigid landmarks, colour-matched
  in Lab on the skin around the mouth, feathered onto the target frame;
- ``source``: the lecture's frames read by time on the audio clock, seeking;
- ``record``: each span's last result remembered by its voice record's key, for listings;
- ``sync``: every regenerated span's lip-sync score, measured by dlib on the output frames against
  the new speech (outer-lip opening against the speech envelope over ±8 frames: score, offset,
  confidence; Wav2Lip's SyncNet LSE-D / LSE-C where ``lipsync_expert.pth`` is installed), with the
  check that the lips close at every bilabial and open at open vowels; ``weak`` below a threshold
  derived on the developer talking heads (``bench/lips_sync_table.py``), flagged in the edit list
  and in ``lecturecut voices``. The landmark measure is weak (own audio beats every other clip's on
  57 % of 3 s windows, the goal is 90 %) and scores no span under 1 s.

The opt-in method is ``gan`` (:mod:`.gan`; ``ExportOptions.lips = "gan"``, ``--lips gan``), where the
user has fetched ``wav2lip_gan.pth`` (``lecturecut models fetch wav2lip_gan``; research and
non-commercial use only): Wav2Lip's GAN generator (``lecturecut.models.wav2lip``) draws the lower
face of every frame under the new speech from that speech's mel, and it is pasted back at the
face's size, sharpened, colour-matched and feathered, faded in and out at the span's ends.

Every span's result (:class:`LipsResult`: method, frames changed, or why not, its sync) is returned
to the caller (``ExportResult.lips``) and remembered (``lecturecut voices`` lists it). Frames
in the new speech's pauses show the lecturer's mouth in one of the lecture's own pauses.
The picture the mouth is composited onto is chosen by ``lecturecut.synthesis.render.background``:
where the new speech is longer or shorter than the words it replaces, the footage around the span
at its own rate, with jumps matched by head pose (rigid landmarks) and picture, never a repeated frame.
Not yet here: the app's preview of a regenerated edit.
"""

from .engine import NOT_REGENERATED, OWN_MOUTH, LipsResult, regenerate_span

__all__ = ["regenerate_span", "LipsResult", "OWN_MOUTH", "NOT_REGENERATED"]
