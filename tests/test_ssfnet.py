"""SSFNet family: what the notebooks cannot hold — every registered variant trains a step at 64²,
a smoke-sized run lowers its loss, bad names and class counts fail clearly, and multi-scale evaluation
reduces to single-scale at the scale 1.0 without flipping."""
import pytest
import torch

from personseg.core import create_model, list_models
from personseg.models.pspnet import TABLE1, load_state_checked
from personseg.models.ssfnet import TABLE2, SSFNetLoss
from personseg import parsing   # (its `test_set` imported by name would be collected by pytest as a test)
from personseg.parsing import SyntheticParsing, check_classes, evaluate_parsing, predict_probs, ssfnet_profile, train_config

VARIANTS = ["pspnet-r101", *TABLE1, *TABLE2]
SMALL = dict(backbone="resnet18", width=0.0625, num_classes=7)


def test_every_variant_is_registered():
    assert set(VARIANTS) <= set(list_models("ssfnet|pspnet"))


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_forward_backward_64(name):
    torch.manual_seed(0)
    net = create_model(name, **SMALL).train()
    x, y = torch.randn(2, 3, 64, 64), torch.randint(0, 7, (2, 64, 64))
    out = net(x)
    assert out["out"].shape == (2, 7, 64, 64)
    assert all(a.shape == (2, 7, 64, 64) for a in out.get("aux", []))
    loss = SSFNetLoss()(out, {"mask": y})["loss"]
    loss.backward()
    grads = [p.grad for p in net.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads), f"{name}: a parameter got no (finite) gradient"
    net.eval()
    with torch.no_grad(): assert net(x)["out"].shape == (2, 7, 64, 64) and "aux" not in net(x)


def test_smoke_training_lowers_the_loss():
    from personseg.data.synthetic import SyntheticPeople
    from personseg.data.transforms import eval_transforms
    from personseg.train import Trainer
    torch.manual_seed(0)
    cfg = train_config("ssfnet", ssfnet_profile("smoke", steps=30, batch_size=2), seed=0)
    cfg.device, cfg.log_every = "cpu", 1
    tf = eval_transforms("ssfnet", size=64)
    fixed = [tf(SyntheticParsing(SyntheticPeople(2, size=64, seed=3, domain_probs={"whole_body": 1.0}), "parts")[i]) for i in range(2)]
    hist = Trainer(cfg, dataset=fixed).fit(None)
    first, last = hist[0]["loss"], sum(h["loss"] for h in hist[-3:]) / 3
    assert last < 0.8 * first, f"loss went {first:.3f} -> {last:.3f}"


def test_unknown_variant_lists_valid_names():
    with pytest.raises(KeyError) as e:
        create_model("ssfnet+smn")
    named = [n for n in VARIANTS if n in str(e.value)]
    assert len(named) >= 3 and "ssfnet+smm" in named, str(e.value)     # the message names valid variants
    with pytest.raises(ValueError, match="fixes"):                      # a keyword that contradicts the name's preset
        create_model("ssfnet+smm", tail="ram", **SMALL)


def test_class_count_mismatch_is_a_clear_error():
    lip_net = create_model("ssfnet", **{**SMALL, "num_classes": 20})
    ppp = parsing.test_set("smoke", "pascal_person_part")
    with pytest.raises(ValueError, match="the model predicts 20 classes but pascal_person_part has 7"):
        check_classes(lip_net, ppp)
    with pytest.raises(ValueError, match="class count mismatch"):
        evaluate_parsing(lip_net, ppp)
    ppp_net = create_model("ssfnet", **SMALL)
    with pytest.raises(ValueError, match="predicts 20 classes but the model was built with num_classes=7"):
        load_state_checked(ppp_net, lip_net.state_dict())


def test_multiscale_with_one_scale_no_flip_is_single_scale():
    torch.manual_seed(0)
    net = create_model("ssfnet", **SMALL).eval()
    ds = parsing.test_set("smoke", "pascal_person_part")
    x = torch.stack([ds[i]["image"].as_subclass(torch.Tensor) for i in range(2)])
    with torch.no_grad(): ref = net(x)["out"].softmax(1)
    assert torch.allclose(predict_probs(net, x, scales=(1.0,), flip=False), ref, atol=1e-6)
    a = evaluate_parsing(net, ds, scales=(1.0,), flip=False, batch_size=1)
    b = evaluate_parsing(net, ds, scales=(1.0,), flip=False, batch_size=4)
    assert a["cm"] == b["cm"] and a["miou"] == b["miou"]
    c = evaluate_parsing(net, ds, scales=(0.75, 1.0, 1.25), flip=True, batch_size=4)
    assert sum(map(sum, c["cm"])) == sum(map(sum, a["cm"]))


def test_paper_profile_reads_the_real_layout(tmp_path, monkeypatch):
    """The `paper` profile's code path (real loaders under data_root, epochs, eval on the val split), shrunk:
    synthetic people exported in PASCAL-Person-Part's on-disk layout stand in for the dataset."""
    from personseg.data.formats import export, get_spec
    monkeypatch.setenv("PERSONSEG_CACHE", str(tmp_path / "cache"))
    export(tmp_path / "data" / get_spec("pascal_person_part").folder, "pascal_person_part", n=4, size=(64, 64))
    P = ssfnet_profile("paper", backbone="resnet18", width=0.0625, size=64, epochs=1, batch_size=2, scales=(1.0, 1.25))
    cfg = train_config("ssfnet", P, data_root=str(tmp_path / "data"))
    assert (cfg.data, cfg.epochs, cfg.max_steps, cfg.data_kw) == ("pascal_person_part", 1, None, {"split": "train"})
    r = parsing.run("ssfnet", P, 0, data_root=str(tmp_path / "data"), device="cpu")
    assert len(r["per_image"]) == 4 and len(r["classes"]) == 7 and 0 <= r["miou"] <= 1
    assert r["run"] in [p.name for p in (tmp_path / "cache" / "runs").iterdir()]
