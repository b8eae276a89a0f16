"""The Wav2Lip generator (Prajwal et al., ACM Multimedia 2020).

A module definition only: loading a checkpoint lives in ``models.checkpoint``.
Attribute names and layer order follow the public checkpoints exactly
(``face_encoder_blocks``, ``audio_encoder``, ``face_decoder_blocks``,
``output_block``; each block's ``conv_block.0`` / ``conv_block.1``), because
``load_state_dict(strict=True)`` matches by name: renaming anything here
breaks every published ``wav2lip.pth`` / ``wav2lip_gan.pth``.

Inputs, as the checkpoints were trained (see the reference README):
  audio: (B, 1, 80, 16) mel window from ``models.audio`` (0.2 s at 80 mel frames/s)
  faces: (B, 6, 96, 96) BGR / 255; channels 0..2 = target face with rows 48..95
         zeroed, channels 3..5 = reference face
Output: (B, 3, 96, 96) BGR in [0, 1].
"""

from __future__ import annotations

import torch
from torch import nn

FACE_SIZE = 96  # px, side of the square face crop the generator works on
FACE_CHANNELS = 6  # masked target BGR + reference BGR
MEL_BANDS = 80  # mel bands per frame
MEL_WINDOW = 16  # mel frames per generator input (0.2 s at 80 frames/s)


class Conv2d(nn.Module):
    """conv → BatchNorm → ReLU; with ``residual`` the input is added before the ReLU.

    The residual form needs cin == cout and a shape-preserving conv (stride 1,
    "same" padding); the published networks only use it that way.
    """

    def __init__(
        self,
        cin: int,
        cout: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int],
        padding: int,
        residual: bool = False,
    ) -> None:
        super().__init__()
        # Sequential, not named attributes: the checkpoint keys are conv_block.0.* / conv_block.1.*.
        self.conv_block = nn.Sequential(
            nn.Conv2d(cin, cout, kernel_size, stride, padding),
            nn.BatchNorm2d(cout),
        )
        self.act = nn.ReLU()
        self.residual = residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv_block(x)
        if self.residual:
            out = out + x
        return self.act(out)


class Conv2dTranspose(nn.Module):
    """transposed conv → BatchNorm → ReLU (the decoder's upsampling step)."""

    def __init__(
        self,
        cin: int,
        cout: int,
        kernel_size: int,
        stride: int,
        padding: int,
        output_padding: int = 0,
    ) -> None:
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ConvTranspose2d(cin, cout, kernel_size, stride, padding, output_padding),
            nn.BatchNorm2d(cout),
        )
        self.act = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.conv_block(x))


def res_block(channels: int) -> Conv2d:
    """The shape-preserving residual 3x3 block that fills every stage."""
    return Conv2d(channels, channels, kernel_size=3, stride=1, padding=1, residual=True)


def down_block(cin: int, cout: int, stride: int | tuple[int, int]) -> Conv2d:
    """A 3x3 block that changes channels and (by its stride) the spatial size."""
    return Conv2d(cin, cout, kernel_size=3, stride=stride, padding=1)


def up_block(cin: int, cout: int) -> Conv2dTranspose:
    """A 3x3 transposed block that doubles height and width."""
    return Conv2dTranspose(cin, cout, kernel_size=3, stride=2, padding=1, output_padding=1)


def stage(first: nn.Module, channels: int, n_res: int) -> nn.Sequential:
    """``first`` followed by ``n_res`` residual blocks at ``channels``."""
    return nn.Sequential(first, *(res_block(channels) for _ in range(n_res)))


def audio_encoder_trunk() -> list[nn.Module]:
    """The audio encoder's first 9 blocks, identical in Wav2Lip and SyncNet_color.

    (B, 1, 80, 16) → (B, 128, 9, 6). The two networks differ only after this.
    """
    return [
        Conv2d(1, 32, kernel_size=3, stride=1, padding=1),  # (B, 32, 80, 16)
        res_block(32),
        res_block(32),
        down_block(32, 64, stride=(3, 1)),  # (B, 64, 27, 16)
        res_block(64),
        res_block(64),
        down_block(64, 128, stride=3),  # (B, 128, 9, 6)
        res_block(128),
        res_block(128),
    ]


class Wav2Lip(nn.Module):
    """The generator: a face U-Net whose bottleneck is replaced by the audio embedding."""

    def __init__(self) -> None:
        super().__init__()
        # Encoder stages; the comment is each stage's output (B, C, H, W).
        self.face_encoder_blocks = nn.ModuleList(
            [
                nn.Sequential(Conv2d(FACE_CHANNELS, 16, kernel_size=7, stride=1, padding=3)),  # (B, 16, 96, 96)
                stage(down_block(16, 32, stride=2), 32, n_res=2),  # (B, 32, 48, 48)
                stage(down_block(32, 64, stride=2), 64, n_res=3),  # (B, 64, 24, 24)
                stage(down_block(64, 128, stride=2), 128, n_res=2),  # (B, 128, 12, 12)
                stage(down_block(128, 256, stride=2), 256, n_res=2),  # (B, 256, 6, 6)
                stage(down_block(256, 512, stride=2), 512, n_res=1),  # (B, 512, 3, 3)
                nn.Sequential(
                    Conv2d(512, 512, kernel_size=3, stride=1, padding=0),  # (B, 512, 1, 1)
                    Conv2d(512, 512, kernel_size=1, stride=1, padding=0),
                ),
            ]
        )

        self.audio_encoder = nn.Sequential(
            *audio_encoder_trunk(),  # (B, 128, 9, 6)
            down_block(128, 256, stride=(3, 2)),  # (B, 256, 3, 3)
            res_block(256),
            Conv2d(256, 512, kernel_size=3, stride=1, padding=0),  # (B, 512, 1, 1)
            Conv2d(512, 512, kernel_size=1, stride=1, padding=0),
        )

        # Decoder stages. Each stage's input is the previous stage's output
        # concatenated with the encoder feature map of the same size, hence
        # cin = previous cout + encoder channels (e.g. 768 = 512 + 256).
        self.face_decoder_blocks = nn.ModuleList(
            [
                nn.Sequential(Conv2d(512, 512, kernel_size=1, stride=1, padding=0)),  # (B, 512, 1, 1)
                stage(Conv2dTranspose(1024, 512, kernel_size=3, stride=1, padding=0), 512, n_res=1),  # (B, 512, 3, 3)
                stage(up_block(1024, 512), 512, n_res=2),  # (B, 512, 6, 6)
                stage(up_block(768, 384), 384, n_res=2),  # (B, 384, 12, 12)
                stage(up_block(512, 256), 256, n_res=2),  # (B, 256, 24, 24)
                stage(up_block(320, 128), 128, n_res=2),  # (B, 128, 48, 48)
                stage(up_block(160, 64), 64, n_res=2),  # (B, 64, 96, 96)
            ]
        )

        self.output_block = nn.Sequential(
            Conv2d(80, 32, kernel_size=3, stride=1, padding=1),  # (B, 32, 96, 96)
            nn.Conv2d(32, 3, kernel_size=1, stride=1, padding=0),  # (B, 3, 96, 96)
            nn.Sigmoid(),
        )

    def forward(self, audio: torch.Tensor, faces: torch.Tensor) -> torch.Tensor:
        """audio (B, 1, 80, 16), faces (B, 6, 96, 96) → (B, 3, 96, 96) in [0, 1]."""
        check_input_shape("audio", audio, (1, MEL_BANDS, MEL_WINDOW))
        check_input_shape("faces", faces, (FACE_CHANNELS, FACE_SIZE, FACE_SIZE))
        if audio.shape[0] != faces.shape[0]:
            raise ValueError(f"batch sizes differ: audio {audio.shape[0]}, faces {faces.shape[0]}")

        x = self.audio_encoder(audio)  # (B, 512, 1, 1)

        feats = []
        f = faces
        for block in self.face_encoder_blocks:
            f = block(f)
            feats.append(f)

        # Deepest skip first; decoder output first, encoder feature second on
        # the channel axis (the checkpoint's weights assume that order).
        for block, skip in zip(self.face_decoder_blocks, reversed(feats), strict=True):
            x = torch.cat((block(x), skip), dim=1)  # (B, C_dec + C_enc, H, W)

        return self.output_block(x)  # (B, 3, 96, 96)


def check_input_shape(name: str, t: torch.Tensor, per_item: tuple[int, ...]) -> None:
    """Raise a readable error instead of a conv shape mismatch deep inside the net."""
    if t.dim() != len(per_item) + 1 or tuple(t.shape[1:]) != per_item:
        raise ValueError(f"{name} must have shape (B, {', '.join(map(str, per_item))}), got {tuple(t.shape)}")
