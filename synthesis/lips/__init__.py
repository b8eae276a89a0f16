"""The lips engine's room: the mouth regenerated in the frames whose words changed.

Not built yet (issue "Lips"). Its contract: frames and the new speech of one
synthesized span in, frames out, from the lecturer's own mouth footage by
default and the Wav2Lip GAN (``lecturecut.models.wav2lip``) where its weights
are present. Like the voice engine it depends on the render plan only, never
on editing, the GUI or ffmpeg.
"""
