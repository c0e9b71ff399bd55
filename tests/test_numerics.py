"""Numerical guards of the trainer: a NaN/inf loss stops training with the step, the batch of the epoch and its
dataset indices in the message (and nothing is checkpointed after it); an fp16-style gradient overflow is
absorbed by the GradScaler (the step is skipped, the scale backs off, training goes on)."""
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from personseg.train import Trainer, TrainConfig, import_plugins, latest_checkpoint

PLUGIN = str(Path(__file__).resolve().parent / "_tiny_model.py")
import_plugins([PLUGIN])


def _cfg(**kw) -> TrainConfig:
    d = dict(model="tiny-seg", model_kw={"width": 4}, loss="per-image-ce", plugins=[PLUGIN], n_train=16, size=32,
             batch_size=4, max_steps=6, lr=0.05, log_every=1, ckpt_every=1, device="cpu")
    d.update(kw)
    return TrainConfig(**d)


class BadAt:
    "Cross-entropy that returns `value` (NaN, inf, ...) from the `at`-th call on (1-based)."
    def __init__(self, at: int, value: float):
        self.at, self.value, self.calls = at, value, 0

    def __call__(self, out, batch):
        self.calls += 1
        loss = F.cross_entropy(out["out"], batch["mask"], ignore_index=255)
        if self.calls >= self.at: loss = loss * 0 + self.value
        return {"loss": loss}


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nonfinite_loss_stops_with_step_and_batch(tmp_path, value):
    tr = Trainer(_cfg(), loss_fn=BadAt(6, value))         # step 6 = epoch 1 (4 steps per epoch), batch 1 of it
    with pytest.raises(FloatingPointError) as e:
        tr.fit(tmp_path, progress=False)
    msg = str(e.value)
    assert "non-finite loss at step 6 of 6" in msg and "epoch 1, batch 1 of the epoch" in msg and "dataset indices [" in msg
    assert f"loss={value}" in msg
    assert latest_checkpoint(tmp_path).name == "step-00000005"   # the last good step; nothing after the NaN


def test_nan_in_one_term_is_caught():
    class TermNaN:
        def __call__(self, out, batch):
            loss = F.cross_entropy(out["out"], batch["mask"], ignore_index=255)
            return {"loss": loss, "edge": torch.tensor(math.nan)}
    with pytest.raises(FloatingPointError, match=r"step 1 of 6 .*edge=nan"):
        Trainer(_cfg(), loss_fn=TermNaN()).fit(None, progress=False)


def test_grad_scaler_skips_overflowing_step():
    """With the scaler on (as on CUDA with amp=True; here the CPU GradScaler stands in), a loss whose scaled
    gradients overflow to inf is finite, so the NaN guard lets it through; the scaler must skip that update and
    halve its scale, and the run must finish with finite weights that the next good steps moved."""
    huge = 1e34                                               # finite loss; × scale 2**16 overflows fp32 grads
    class Spike:
        def __init__(self): self.calls = 0
        def __call__(self, out, batch):
            self.calls += 1
            loss = F.cross_entropy(out["out"], batch["mask"], ignore_index=255)
            return {"loss": loss * huge if self.calls == 3 else loss}
    tr = Trainer(_cfg(max_steps=5), loss_fn=Spike())
    tr.scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 16, growth_interval=1000)
    seen = {}
    def snap(trainer, rec):
        seen[rec["step"]] = ({k: v.clone() for k, v in trainer.model.state_dict().items()}, trainer.scaler.get_scale())
    tr.callbacks.append(snap)
    tr.fit(None, progress=False)
    w2, s2 = seen[2]; w3, s3 = seen[3]; w5, s5 = seen[5]
    assert s2 == 2.0 ** 16 and s3 == 2.0 ** 15                 # backed off once, at the overflowing step
    params = [k for k, _ in tr.model.named_parameters()]
    assert all(torch.equal(w2[k], w3[k]) for k in params)      # step 3's update was skipped
    assert any(not torch.equal(w3[k], w5[k]) for k in params)  # steps 4-5 trained again
    assert all(torch.isfinite(v).all() for v in w5.values())
    assert s5 == 2.0 ** 15
