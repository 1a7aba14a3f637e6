#!/usr/bin/python3
"""Generates the Swin / PVT v1 / PVT v2 / MLP-Mixer fixtures under vit-model/src/test/resources/fixtures/.

Run with Debian's torch: /usr/bin/python3 scripts/reference/gen_fam1_fixtures.py

Each fixture folder holds
  config.json                {"architecture", "num_classes", "model_args" (small sizes), "pretrained_cfg"}
  model.safetensors          random weights, state_dict names of the named layout
  input.npy                  [B, 3, H, W] float32
  logits.npy                 [B, num_classes] float32 (reference forward in float64, stored as float32)
  intermediates.safetensors  {block name: [B, N, C]} channels-last token maps after every block / stage
The reference forward runs in float64 so the stored outputs carry no float32 rounding of their own.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import fam1_ref as R  # noqa: E402
from vit_ref import write_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
OUT = os.path.join(ROOT, 'vit-model', 'src', 'test', 'resources', 'fixtures')

IMAGENET = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225], interpolation='bicubic', crop_pct=0.9)


def save(folder, arch, model, x, model_args, rename=None, extra_cfg=None, forward=None):
    os.makedirs(folder, exist_ok=True)
    model = model.double().eval()
    with torch.no_grad():
        logits, inter = (forward or (lambda m, t: m.forward_with_intermediates(t)))(model, x.double())
    sd = {k: v.float() for k, v in model.state_dict().items()}
    if rename:
        sd = rename(sd)
    write_safetensors(os.path.join(folder, 'model.safetensors'), sd)
    write_safetensors(os.path.join(folder, 'intermediates.safetensors'), {k: v.float() for k, v in inter.items()})
    np.save(os.path.join(folder, 'input.npy'), x.float().numpy())
    np.save(os.path.join(folder, 'logits.npy'), logits.float().numpy())
    cfg = {'architecture': arch, 'num_classes': int(logits.shape[1]), 'model_args': model_args,
           'pretrained_cfg': dict(IMAGENET, input_size=[3, int(x.shape[2]), int(x.shape[3])])}
    if extra_cfg:
        cfg.update(extra_cfg)
    with open(os.path.join(folder, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
    size = sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder))
    print(f'{folder}: {size / 1024:.0f} KiB, logits {tuple(logits.shape)}, {len(inter)} intermediates')


def save_data_only(folder, model, x, forward=None):
    """Input and reference outputs for an existing fixture's weights at another input size."""
    os.makedirs(folder, exist_ok=True)
    with torch.no_grad():
        logits, inter = (forward or (lambda m, t: m.forward_with_intermediates(t)))(model.double().eval(), x.double())
    write_safetensors(os.path.join(folder, 'intermediates.safetensors'), {k: v.float() for k, v in inter.items()})
    np.save(os.path.join(folder, 'input.npy'), x.float().numpy())
    np.save(os.path.join(folder, 'logits.npy'), logits.float().numpy())
    print(f'{folder}: data for input {tuple(x.shape)}')


def image(seed, b, h, w):
    return torch.randn((b, 3, h, w), generator=torch.Generator().manual_seed(seed))


def main():
    torch.manual_seed(0)
    # ---- Swin, timm layout -------------------------------------------------------------------
    swin_small = dict(embed_dim=6, depths=[2, 2, 1, 1], num_heads=[1, 2, 2, 4], window_size=7, patch_size=4)
    # 112: stage maps 28, 14 (shifted windows), 7 (window == map: no shift), 4 (window clamped to 4)
    m = R.randomize(R.SwinTimm(img_size=112, num_classes=10, **swin_small), 1)
    save(os.path.join(OUT, 'swin', 'timm_112'), 'swin_tiny_patch4_window7_224', m, image(11, 1, 112, 112),
         dict(swin_small, img_size=112))
    # 64: stage maps 16, 8 (padded to 21 / 14, shifted), 4 and 2 (clamped)
    m = R.randomize(R.SwinTimm(img_size=64, num_classes=10, **swin_small), 2)
    save(os.path.join(OUT, 'swin', 'timm_64_pad'), 'swin_tiny_patch4_window7_224', m, image(12, 2, 64, 64),
         dict(swin_small, img_size=64))
    # ---- Swin, torchvision (the real torchvision module) -------------------------------------
    from torchvision.models.swin_transformer import SwinTransformer
    tv = SwinTransformer(patch_size=[4, 4], embed_dim=6, depths=[2, 2, 1, 1], num_heads=[1, 2, 2, 4],
                         window_size=[7, 7], num_classes=10, stochastic_depth_prob=0.0)
    R.randomize(tv, 3)
    save(os.path.join(OUT, 'swin', 'torchvision_64'), 'torchvision:swin_t', tv, image(13, 1, 64, 64),
         dict(embed_dim=6, depths=[2, 2, 1, 1], num_heads=[1, 2, 2, 4], window_size=7, patch_size=4, img_size=64),
         forward=R.torchvision_swin_intermediates)
    # same weights, non-square 72x40: per-axis padding, the shift dropped on one axis only
    save_data_only(os.path.join(OUT, 'swin', 'torchvision_64_at_72x40'), tv, image(18, 1, 72, 40),
                   forward=R.torchvision_swin_intermediates)
    # ---- PVT v2 --------------------------------------------------------------------------------
    pvt_small = dict(depths=[2, 1, 1, 1], embed_dims=[8, 16, 24, 32], num_heads=[1, 2, 3, 4],
                     sr_ratios=[8, 4, 2, 1], mlp_ratios=[8, 8, 4, 4])
    m = R.randomize(R.PvtV2(num_classes=10, **pvt_small), 4)
    x = image(14, 2, 60, 76)   # non-square, not a multiple of 32: catches H/W mix-ups
    save(os.path.join(OUT, 'pvt_v2', 'timm_b0'), 'pvt_v2_b0', m, x, dict(pvt_small))
    # same weights under the original repository's names (the test reuses timm_b0's input and outputs)
    orig = os.path.join(OUT, 'pvt_v2', 'original_b0')
    os.makedirs(orig, exist_ok=True)
    write_safetensors(os.path.join(orig, 'model.safetensors'),
                      R.pvt_v2_to_original({k: v.float() for k, v in m.state_dict().items()}))
    with open(os.path.join(OUT, 'pvt_v2', 'timm_b0', 'config.json')) as f:
        cfg = json.load(f)
    with open(os.path.join(orig, 'config.json'), 'w') as f:
        json.dump(cfg, f, indent=2)
    m = R.randomize(R.PvtV2(num_classes=10, linear=True, **pvt_small), 5)
    save(os.path.join(OUT, 'pvt_v2', 'timm_b2_li'), 'pvt_v2_b2_li', m, image(15, 1, 60, 76),
         dict(pvt_small, linear=True))
    # ---- PVT v1 (original layout) -------------------------------------------------------------
    v1 = dict(img_size=64, patch_size=4, embed_dims=[8, 16, 24, 32], num_heads=[1, 2, 3, 4], mlp_ratios=[8, 8, 4, 4],
              depths=[2, 1, 1, 1], sr_ratios=[8, 4, 2, 1])
    m = R.randomize(R.PvtV1(num_classes=10, **v1), 6)
    save(os.path.join(OUT, 'pvt_v1', 'tiny_64'), 'pvt_tiny', m, image(16, 1, 64, 64), dict(v1))
    # same weights at 48x80: position embeddings resized bilinearly, as the repo does
    save_data_only(os.path.join(OUT, 'pvt_v1', 'tiny_64_at_48x80'), m, image(19, 1, 48, 80))
    # ---- MLP-Mixer -------------------------------------------------------------------------------
    mx = dict(img_size=48, patch_size=8, num_blocks=3, embed_dim=24)
    m = R.randomize(R.MlpMixer(num_classes=10, **mx), 7)
    save(os.path.join(OUT, 'mixer', 's_48'), 'mixer_s16_224', m, image(17, 2, 48, 48), dict(mx, mlp_ratio=[0.5, 4.0]))


if __name__ == '__main__':
    main()
