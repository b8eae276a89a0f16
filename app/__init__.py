"""The front ends: the Qt desktop app (``app.gui`` and its widgets) and the command line.

Importing ``app`` imports no Qt; only the GUI modules do, and the engine
(``media``, ``asr``, ``models``, ``synthesis``) never imports this package.
"""
