"""lecturecut: edit a recorded lecture video by editing its transcript.

The installed package is one namespace. The repository keeps its top-level
folders (``app/``, ``asr/``, ``media/``, ``models/``, ``synthesis/``,
``resources/``); ``pyproject.toml`` maps each of them to ``lecturecut.<name>``
so nothing lands in site-packages under a generic name like ``app`` or
``models``. ``lecturecut.core`` is the dependency-free engine core that every
package imports.
"""

__version__ = "0.1.0"
