"""Errors of the ``models`` package.

Every message is meant to be shown to the user as is: it says what is wrong
and what to do about it (which file, which command, which folder).
"""


class ModelError(Exception):
    """A model file is unknown, missing, corrupt, incompatible or could not be fetched."""


class Cancelled(ModelError):
    """The user cancelled a download or a check; no partial file was left behind."""
