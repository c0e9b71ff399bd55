"""Stand-ins for tests/test_train_ddp.py, imported by the CLI with `--plugin tests/_tiny_model.py`.

`tiny-seg`: two 3x3 conv + GroupNorm + ReLU blocks and a 1x1 head, returning `{"out": logits}` like every
model of the project. GroupNorm, not BatchNorm: BN normalises with per-rank batch statistics under plain DDP,
so a 2-process run would legitimately differ from a 1-process run of the same global batch; GN normalises
each image on its own, so the two runs compute the same function and differ only by float rounding.

`per-image-ce`: cross-entropy averaged over each image's valid pixels, then over the images. DDP averages the
ranks' gradients, which equals the gradient of the global-batch loss only if the loss is a mean of per-image
terms; a pixel mean over the whole batch weights images by their valid-pixel counts (the augmentation's
rotation fills borders with the ignore label, so counts differ) and would not split exactly over ranks.
"""
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from personseg.core import register_model
from personseg.train import register_loss


@dataclass
class TinySegConfig:
    num_classes: int = 2
    width: int = 8


class TinySeg(nn.Module):
    def __init__(self, **kw):
        super().__init__()
        self.config = c = TinySegConfig(**kw)
        self.body = nn.Sequential(nn.Conv2d(3, c.width, 3, padding=1), nn.GroupNorm(2, c.width), nn.ReLU(),
                                  nn.Conv2d(c.width, c.width, 3, padding=1), nn.GroupNorm(2, c.width), nn.ReLU())
        self.head = nn.Conv2d(c.width, c.num_classes, 1)

    def forward(self, x, domain=None):
        return {"out": self.head(self.body(x))}


@register_model("tiny-seg", overwrite=True)
def tiny_seg(**kw):
    return TinySeg(**kw)


class PerImageCE:
    def __init__(self, ignore_index: int = 255):
        self.ignore_index = ignore_index

    def __call__(self, out, batch):
        mask = batch["mask"]
        ce = F.cross_entropy(out["out"], mask, ignore_index=self.ignore_index, reduction="none")   # (B,H,W)
        valid = (mask != self.ignore_index).float()
        per_image = (ce * valid).sum((1, 2)) / valid.sum((1, 2)).clamp(min=1)
        loss = per_image.mean()
        return {"loss": loss, "ce": loss.detach()}


register_loss("per-image-ce", PerImageCE)


class SlowPerImageCE(PerImageCE):
    """`per-image-ce` that sleeps `sleep` seconds per call: the same numbers, slowly enough that a test can kill
    the run between two checkpoints (tests/test_crash_safety.py)."""
    def __init__(self, ignore_index: int = 255, sleep: float = 0.0):
        super().__init__(ignore_index)
        self.sleep = sleep

    def __call__(self, out, batch):
        import time
        time.sleep(self.sleep)
        return super().__call__(out, batch)


register_loss("slow-per-image-ce", SlowPerImageCE)
