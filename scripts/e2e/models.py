"""The architectures compared by scripts/bench-e2e, built from the plain-PyTorch reference modules.

Run with Debian's interpreter (/usr/bin/python3: torch 1.13, no timm). Each entry builds a module whose
state_dict() uses the layout Vitesse loads (timm names) and whose forward(x) returns logits, plus the
config.json Vitesse reads (timm hub folder style: architecture, num_classes, model_args, pretrained_cfg).
Weights are random (fixed seed): speed does not depend on them, and agreement is checked output to output.
"""
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'reference'))

import vit_ref  # noqa: E402
import fam1_ref  # noqa: E402

IMAGENET = dict(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225], interpolation='bicubic', crop_pct=0.9)


class LogitsOnly(nn.Module):
    """Wraps a fam1 reference module (which returns (logits, intermediates)) so forward gives logits only."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner.forward_with_intermediates(x)[0]


def _vit(arch, **kw):
    m = vit_ref.VisionTransformer(img_size=224, patch_size=16, num_classes=1000, **kw)
    cfg = {'architecture': arch, 'num_classes': 1000, 'num_features': m.embed_dim, 'global_pool': 'token',
           'model_args': m.model_args(), 'pretrained_cfg': dict(IMAGENET, input_size=[3, 224, 224])}
    return m, m, cfg


def _fam1(arch, module, model_args):
    cfg = {'architecture': arch, 'num_classes': 1000, 'model_args': model_args,
           'pretrained_cfg': dict(IMAGENET, input_size=[3, 224, 224])}
    return LogitsOnly(module), module, cfg


# name -> builder returning (forward module, module whose state_dict is saved, config.json dict)
MODELS = {
    'vit_base_patch16_224': lambda: _vit('vit_base_patch16_224', embed_dim=768, depth=12, num_heads=12),
    'deit_small_patch16_224': lambda: _vit('deit_small_patch16_224', embed_dim=384, depth=12, num_heads=6),
    'vit_tiny_patch16_224': lambda: _vit('vit_tiny_patch16_224', embed_dim=192, depth=12, num_heads=3),
    'swin_tiny_patch4_window7_224': lambda: _fam1(
        'swin_tiny_patch4_window7_224',
        fam1_ref.SwinTimm(img_size=224, embed_dim=96, depths=(2, 2, 6, 2), num_heads=(3, 6, 12, 24), window_size=7),
        dict(embed_dim=96, depths=[2, 2, 6, 2], num_heads=[3, 6, 12, 24], window_size=7, patch_size=4)),
    'pvt_v2_b2': lambda: _fam1(
        'pvt_v2_b2',
        fam1_ref.PvtV2(depths=(3, 4, 6, 3), embed_dims=(64, 128, 320, 512), num_heads=(1, 2, 5, 8),
                       sr_ratios=(8, 4, 2, 1), mlp_ratios=(8., 8., 4., 4.)),
        dict(depths=[3, 4, 6, 3], embed_dims=[64, 128, 320, 512], num_heads=[1, 2, 5, 8],
             sr_ratios=[8, 4, 2, 1], mlp_ratios=[8., 8., 4., 4.])),
}


def build(name, seed=0):
    """(forward module in eval mode, state-dict module, config dict) with seeded random weights."""
    if name not in MODELS:
        raise SystemExit(f'unknown model {name!r}; known: {", ".join(MODELS)}')
    torch.manual_seed(seed)
    fwd, sd_module, cfg = MODELS[name]()
    if isinstance(fwd, LogitsOnly):
        with torch.no_grad():
            fam1_ref.randomize(sd_module, seed)
    return fwd.eval(), sd_module.eval(), cfg
