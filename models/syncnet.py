"""The colour SyncNet "expert" of Wav2Lip (``lipsync_expert.pth``).

It embeds 0.2 s of mel spectrogram and the lower halves of 5 consecutive face
crops into the same 512-d space; the cosine of the two L2-normalised
embeddings scores how well lips and audio agree (used for LSE-style
sync metrics and to pick audio offsets). Attribute names follow the public
checkpoint (``face_encoder``, ``audio_encoder``) so it loads with strict=True.

Inputs:
  audio: (B, 1, 80, 16) mel window (same front-end as the generator)
  faces: (B, 15, 48, 96) = 5 frames x BGR / 255, lower half of the 96x96 crop
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from lecturecut.models.wav2lip import (
    MEL_BANDS,
    MEL_WINDOW,
    Conv2d,
    audio_encoder_trunk,
    check_input_shape,
    down_block,
    res_block,
)

SYNC_FRAMES = 5  # video frames per face input (0.2 s at 25 fps, matching MEL_WINDOW)
SYNC_FACE_SHAPE = (3 * SYNC_FRAMES, 48, 96)  # (C, H, W): lower half of a 96x96 crop
EMBEDDING_DIM = 512


class SyncNet_color(nn.Module):  # noqa: N801 - the published class name, kept so it is recognisable
    """Two encoders into one embedding space: mel window → (B, 512), 5 lower faces → (B, 512)."""

    def __init__(self) -> None:
        super().__init__()
        # Comments give each block's output (B, C, H, W) for a (B, 15, 48, 96) input.
        self.face_encoder = nn.Sequential(
            Conv2d(SYNC_FACE_SHAPE[0], 32, kernel_size=7, stride=1, padding=3),  # (B, 32, 48, 96)
            Conv2d(32, 64, kernel_size=5, stride=(1, 2), padding=1),  # (B, 64, 46, 47)
            res_block(64),
            res_block(64),
            down_block(64, 128, stride=2),  # (B, 128, 23, 24)
            res_block(128),
            res_block(128),
            res_block(128),
            down_block(128, 256, stride=2),  # (B, 256, 12, 12)
            res_block(256),
            res_block(256),
            down_block(256, 512, stride=2),  # (B, 512, 6, 6)
            res_block(512),
            res_block(512),
            down_block(512, 512, stride=2),  # (B, 512, 3, 3)
            Conv2d(512, 512, kernel_size=3, stride=1, padding=0),  # (B, 512, 1, 1)
            Conv2d(512, EMBEDDING_DIM, kernel_size=1, stride=1, padding=0),
        )

        self.audio_encoder = nn.Sequential(
            *audio_encoder_trunk(),  # (B, 128, 9, 6)
            down_block(128, 256, stride=(3, 2)),  # (B, 256, 3, 3)
            res_block(256),
            res_block(256),
            Conv2d(256, 512, kernel_size=3, stride=1, padding=0),  # (B, 512, 1, 1)
            Conv2d(512, EMBEDDING_DIM, kernel_size=1, stride=1, padding=0),
        )

    def forward(self, audio: torch.Tensor, faces: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """audio (B, 1, 80, 16), faces (B, 15, 48, 96) → L2-normalised (audio_emb, face_emb), each (B, 512)."""
        check_input_shape("audio", audio, (1, MEL_BANDS, MEL_WINDOW))
        check_input_shape("faces", faces, SYNC_FACE_SHAPE)
        face_embedding = self.face_encoder(faces)  # (B, 512, 1, 1)
        audio_embedding = self.audio_encoder(audio)  # (B, 512, 1, 1)

        audio_embedding = audio_embedding.flatten(1)  # (B, 512)
        face_embedding = face_embedding.flatten(1)  # (B, 512)
        return F.normalize(audio_embedding, p=2, dim=1), F.normalize(face_embedding, p=2, dim=1)


def sync_score(audio_embedding: torch.Tensor, face_embedding: torch.Tensor) -> torch.Tensor:
    """Cosine similarity per item, (B,); the embeddings are already unit length."""
    return (audio_embedding * face_embedding).sum(dim=1)
