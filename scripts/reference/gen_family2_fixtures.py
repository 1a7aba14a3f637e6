#!/usr/bin/python3
"""Generates the small-configuration fixtures for ffvit, Refiner-ViT and AlterNet.

Run with Debian's python (torch 1.13):  /usr/bin/python3 scripts/reference/gen_family2_fixtures.py
Writes vit-model/src/test/resources/fixtures/<family>/<case>/{config.json, model.safetensors, expected.safetensors}
  model.safetensors    : the repository's own state_dict names (random weights, see randomize())
  expected.safetensors : "input" [1,3,H,W], "logits" [1,K], "tap.<name>" for every sub-block output (torch layout:
                         tokens [1,N,D] or maps [1,C,H,W]); the header metadata "taps" lists "name:KIND" in order.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import family2_models as fm  # noqa: E402
import safetensors_io  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "vit-model", "src", "test", "resources", "fixtures")


def randomize(model, gen, qk_gain=1.0):
    """Random weights that make every path visible: BN stats and affine, LN affine, tokens, position tables,
    Refiner's scale_channel (1e-5 at init would hide the MLP) and AlterNet's relative-position table."""
    with torch.no_grad():
        for name, p in list(model.named_parameters()) + list(model.named_buffers()):
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("running_mean"):
                p.copy_(torch.randn(p.shape, generator=gen) * 0.2)
            elif name.endswith("running_var"):
                p.copy_(torch.rand(p.shape, generator=gen) * 1.5 + 0.5)
            elif p.dim() == 1 and ("bn" in name or "norm" in name or name.startswith("classifier")) \
                    and name.endswith("weight"):
                p.copy_(1.0 + torch.randn(p.shape, generator=gen) * 0.2)
            elif name.endswith("bias") and p.dim() == 1:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.1)
            elif name.endswith("scale_channel"):
                p.copy_(torch.rand(p.shape, generator=gen) + 0.5)
            elif name.endswith("pos_embedding"):  # AlterNet relative table: far from zero so a transpose shows
                p.copy_(torch.randn(p.shape, generator=gen) * 1.0)
            elif name in ("cls_token", "pos_embed", "pos_encoding.pos_embed", "pos_encoding.cls_pos_embed"):
                p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
            elif p.dim() >= 2:
                fan_in = int(np.prod(p.shape[1:]))
                p.copy_(torch.randn(p.shape, generator=gen) / np.sqrt(fan_in))
        # sharpen attention so it is far from uniform (random weights otherwise give nearly uniform maps)
        for name, m in model.named_modules():
            if isinstance(m, fm.Attention2d):
                m.to_q.weight.mul_(qk_gain)
                inner = m.to_q.weight.shape[0]
                m.to_kv.weight[:inner].mul_(qk_gain)
            if isinstance(m, fm.Refined_Attention) and not m.share_atten:
                d = m.proj.weight.shape[0]
                m.qkv.weight[:2 * d].mul_(qk_gain)


def write_case(family, case, model, config, img_size, seed=0):
    model.eval()
    gen = torch.Generator().manual_seed(1000 + seed)
    x = torch.randn((1, 3, img_size, img_size), generator=gen)
    with torch.no_grad():
        logits, taps = model.forward_taps(x)
        logits2 = model(x)
    assert torch.equal(logits, logits2)
    d = os.path.join(OUT, family, case)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    safetensors_io.save(os.path.join(d, "model.safetensors"), sd)
    exp = {"input": x.numpy(), "logits": logits.numpy()}
    names = []
    for name, kind, t in taps:
        exp["tap." + name] = t.detach().numpy()
        names.append(name + ":" + kind)
    safetensors_io.save(os.path.join(d, "expected.safetensors"), exp, {"taps": ",".join(names)})
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    print("%-32s %8d bytes  logits[:4]=%s" % (family + "/" + case, size, logits[0, :4].numpy()))


def ffvit_cases():
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(11)
    # linear_tiny layout, small: p=16, 64x64 input -> 4x4 grid, T=17; pos table exactly 4x4 (no resize)
    m = fm.linear_tiny(embed_dim=32, depth=2, num_classes=10, img_size=64, pos_size=(4, 4))
    randomize(m, gen)
    write_case("ffvit", "tiny", m, {"architecture": "ffvit:linear_tiny", "num_classes": 10, "embed_dim": 32,
                                    "depth": 2, "img_size": 64, "pos_size": 4}, 64, seed=1)
    # linear_large layout, small: p=32, 128x128 input -> 4x4 grid, 6x6 table resized bilinearly at run time
    gen = torch.Generator().manual_seed(12)
    m = fm.linear_large(embed_dim=24, depth=2, num_classes=7, img_size=128, pos_size=(6, 6))
    randomize(m, gen)
    write_case("ffvit", "large_resized_pos", m,
               {"architecture": "ffvit:linear_large", "num_classes": 7, "embed_dim": 24, "depth": 2,
                "img_size": 128, "pos_size": 6}, 128, seed=2)


def refiner_cases():
    torch.manual_seed(2)
    gen = torch.Generator().manual_seed(21)
    # Refiner_ViT_S layout: 4 blocks (normal, shared, normal, shared), 64x64 input -> 4x4 patches, N=17
    m = fm.Refiner_ViT(img_size=64, patch_size=16, num_classes=10, embed_dim=24, depth=[False, True] * 2,
                       num_heads=4, mlp_ratio=3, qkv_bias=True, stem_widths=(8, 12, 16))
    randomize(m, gen, qk_gain=3.0)
    write_case("refiner", "small", m, {"architecture": "refiner:Refiner_ViT_S", "num_classes": 10,
                                       "embed_dim": 24, "depth": 4, "num_heads": 4, "img_size": 64,
                                       "stem_widths": [8, 12, 16]}, 64, seed=3)


def alternet_cases():
    torch.manual_seed(3)
    gen = torch.Generator().manual_seed(31)
    # dnn_50 layout (bottleneck + AttentionBlockB), narrow, window 3 on a 96x96 input (stage 4 is 3x3)
    m = fm.dnn_50(num_classes=10, stem_width=8, widths=(4, 8, 8, 8), dim_head=4, window_size=3,
                  num_blocks=(1, 2, 4, 2), num_blocks2=(0, 1, 2, 1))
    randomize(m, gen, qk_gain=4.0)
    write_case("alternet", "bottleneck_w3", m,
               {"architecture": "alternet:dnn_50", "num_classes": 10, "stem_width": 8, "widths": [4, 8, 8, 8],
                "dim_head": 4, "window_size": 3, "num_blocks": [1, 2, 4, 2], "num_blocks2": [0, 1, 2, 1],
                "img_size": 96}, 96, seed=4)
    # dnn_18 layout (basic blocks) with the real 7x7 windows at 224x224 (stage 4 is one 7x7 window)
    gen = torch.Generator().manual_seed(32)
    m = fm.dnn_18(num_classes=5, stem_width=4, widths=(4, 4, 8, 8), dim_head=4)
    randomize(m, gen, qk_gain=4.0)
    write_case("alternet", "basic_w7", m,
               {"architecture": "alternet:dnn_18", "num_classes": 5, "stem_width": 4, "widths": [4, 4, 8, 8],
                "dim_head": 4}, 224, seed=5)


def analysis_cases():
    """Maps with a known spectrum mix, run through the notebooks' exact formulas (fourier_analysis.ipynb,
    featuremap_variance.ipynb)."""
    gen = torch.Generator().manual_seed(41)
    exp = {}
    for i, (b, c, h, w) in enumerate([(2, 3, 14, 14), (1, 4, 7, 7), (3, 2, 8, 8), (1, 2, 6, 9)]):
        x = torch.randn((b, c, h, w), generator=gen)
        x = x + torch.linspace(0, 3, w)[None, None, None, :]  # low-frequency ramp so the curve has structure
        f = torch.fft.fft2(x.double())
        f = (f.abs() + 1e-6).log()
        f = torch.roll(f, shifts=(int(h / 2), int(w / 2)), dims=(2, 3)).mean(dim=(0, 1))
        f = f.diag()[int(h / 2):]
        f = f - f[0]
        exp["map%d" % i] = x.numpy()
        exp["fourier%d" % i] = f.numpy()
        exp["variance%d" % i] = x.double().var(dim=[-1, -2]).mean(dim=[0, 1]).reshape(1).numpy()
    d = os.path.join(OUT, "analysis")
    os.makedirs(d, exist_ok=True)
    safetensors_io.save(os.path.join(d, "spectra.safetensors"), exp)
    print("analysis/spectra.safetensors")


def vit_tap_case():
    """Sub-block outputs of the ViT fixture fixtures/vit/timm_plain (model helper's reference module), for the
    FeatureTap of the ViT family: embed, blocks.i.attn (after the attention residual), blocks.i.mlp."""
    import vit_ref
    d = os.path.join(OUT, "vit", "timm_plain")
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    m = vit_ref.VisionTransformer(num_classes=cfg["num_classes"], **cfg["model_args"])
    sd = {k: torch.from_numpy(np.array(v)) for k, v in safetensors_io.load(os.path.join(d, "model.safetensors")).items()}
    m.load_state_dict(sd)
    m.eval()
    s = cfg["model_args"]["img_size"]
    x = torch.randn((1, 3, s, s), generator=torch.Generator().manual_seed(51))
    exp = {"input": x.numpy()}
    names = []
    with torch.no_grad():
        t = m._pos_embed(m.patch_embed(x), m.pos_embed)
        exp["tap.embed"] = t.numpy()
        names.append("embed:EMBEDDING")
        for i, blk in enumerate(m.blocks):
            t = t + blk.ls1(blk.attn(blk.norm1(t)))
            exp["tap.blocks.%d.attn" % i] = t.numpy()
            t = t + blk.ls2(blk.mlp(blk.norm2(t)))
            exp["tap.blocks.%d.mlp" % i] = t.numpy()
            names += ["blocks.%d.attn:ATTENTION" % i, "blocks.%d.mlp:MLP" % i]
        exp["logits"] = m(x).numpy()
    safetensors_io.save(os.path.join(OUT, "analysis", "vit_timm_plain_taps.safetensors"), exp, {"taps": ",".join(names)})
    print("analysis/vit_timm_plain_taps.safetensors")


if __name__ == "__main__":
    ffvit_cases()
    refiner_cases()
    alternet_cases()
    analysis_cases()
    vit_tap_case()
