"""Errors of the ``models`` package.

Every message is meant to be shown to the user as is: it says what is wrong
and what to do about it (which file, which command, which folder).
Cancellation is the engine's one :class:`lecturecut.core.Cancelled`.
"""

from lecturecut.core import LecturecutError


class ModelError(LecturecutError):
    """A model file is unknown, missing, corrupt, incompatible or could not be fetched."""
