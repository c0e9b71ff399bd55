"""Every TriSeNet-family model trains: a few SGD steps on one synthetic batch lower its loss (issue: 'All 8 models
build, train a few smoke steps (loss decreases on synthetic data) and evaluate')."""
import pytest
import torch

from personseg.core import create_model, seed_everything
from personseg.data.synthetic import SyntheticPeople
from personseg.data.transforms import train_transforms
from personseg.evaluate import evaluate
from personseg.losses import TriSeNetLoss
from personseg.train import collate_samples

NAMES = [f"{a}-{b}" for b in ("x39", "r18") for a in ("bisenet", "trisenet", "mdtrisenet", "mctrisenet")]


@pytest.fixture(scope="module")
def batch():
    ds = SyntheticPeople(6, size=64, seed=3)
    tf = train_transforms("trisenet", size=64)
    torch.manual_seed(0)
    return collate_samples([tf(ds[i]) for i in range(6)])


@pytest.mark.parametrize("name", NAMES)
def test_loss_decreases_and_evaluates(name, batch):
    seed_everything(0)
    torch.set_num_threads(1)
    model = create_model(name, width=0.25).train()
    loss_fn = TriSeNetLoss()
    opt = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    losses = []
    for _ in range(8):
        out = model(batch["image"], domain=batch["domain"])
        loss = loss_fn(out, batch)["loss"]
        opt.zero_grad(); loss.backward(); opt.step()
        losses.append(loss.item())
    assert all(torch.isfinite(torch.tensor(losses)))
    assert min(losses[-3:]) < losses[0], f"{name}: loss did not decrease: {losses}"
    # evaluation on the same images (eval transforms are not needed for this check)
    samples = [{"image": batch["image"][i], "mask": batch["mask"][i], "domain": int(batch["domain"][i])} for i in range(6)]
    route = "oracle" if name.startswith(("md", "mc")) else None
    r = evaluate(model, samples, route=route, batch_size=3)
    assert r["n"] == 6 and 0 <= r["iou"] <= 1 and 0 <= r["ca"] <= 1
