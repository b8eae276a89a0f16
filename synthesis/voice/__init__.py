"""The voice engine's room: new speech for retyped and inserted words, in the lecturer's own voice.

Not built yet (issue "Voice"). Its contract, so that it grows without touching
editing or rendering: it reads the render plan's pending replacements (the
words of a retype and the audio around it) and returns audio for each, built
first from the lecturer's own words and sounds elsewhere in the lecture. It
never sees the GUI, the project file or ffmpeg; rendering mixes what it
returns. Until it exists, export keeps the recorded words of every retype and
says so.
"""
