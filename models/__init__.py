"""Network definitions, their audio front-end, checkpoint loading and the model registry.

Import the submodules directly (``models.registry``, ``models.checkpoint``,
``models.wav2lip``, ``models.syncnet``, ``models.audio``): this file imports
nothing so that ``import models.audio`` stays cheap and torch-free paths stay
torch-free. Nothing here imports Qt, prints or exits; long operations report
through ``progress(done, total | None)`` and stop when ``cancel.is_set()``.
"""
