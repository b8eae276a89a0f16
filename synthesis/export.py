"""The export entry point, kept where callers import it from; the work lives in :mod:`.render`.

``from lecturecut.synthesis.export import export, ExportOptions`` stays valid; planning is
:mod:`.plan` (``plan_for``), the stages are :mod:`.render.audio` and :mod:`.render.video`.
"""

from .plan import plan_for
from .render import (
                     AUDIO_BITRATE_PER_CHANNEL,
                     PRESETS,
                     DestinationExists,
                     ExportOptions,
                     ExportResult,
                     export,
                     outputs_of,
)

__all__ = ["AUDIO_BITRATE_PER_CHANNEL", "DestinationExists", "ExportOptions", "ExportResult", "PRESETS", "export",
           "outputs_of", "plan_for"]
