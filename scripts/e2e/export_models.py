#!/usr/bin/python3
"""Exports the benchmark models with random weights for scripts/bench-e2e.

Usage: /usr/bin/python3 scripts/e2e/export_models.py OUT_DIR --models a,b --batches 1,8

For every model writes OUT_DIR/<name>/
  config.json, model.safetensors   timm hub folder (what Vitesse loads)
  torch_state.pt                    the same weights for the PyTorch worker
  model_b<B>.onnx                   one ONNX graph per batch size (fixed shapes: the traced reference modules
                                    bake some reshape sizes in, and fixed shapes are what ORT optimises best)
Existing files are kept (a stamp records the seed), so repeated benchmark runs do not re-export.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models as M  # noqa: E402
from vit_ref import write_safetensors  # noqa: E402

SEED = 0


def export(out_dir, name, batches):
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    stamp = os.path.join(folder, 'stamp.json')
    want = {'seed': SEED, 'name': name, 'version': 1}
    fresh = os.path.exists(stamp) and json.load(open(stamp)) == want
    if not fresh:
        for f in os.listdir(folder):
            os.remove(os.path.join(folder, f))
    fwd, sd_module, cfg = None, None, None
    needed = [b for b in batches if not os.path.exists(os.path.join(folder, f'model_b{b}.onnx'))]
    if fresh and not needed:
        print(f'{name}: up to date in {folder}', flush=True)
        return
    t0 = time.time()
    fwd, sd_module, cfg = M.build(name, SEED)
    if not fresh:
        # exactly the state_dict, as the fixture generators in scripts/reference write it
        sd = {k: v.detach().float().contiguous() for k, v in sd_module.state_dict().items()}
        write_safetensors(os.path.join(folder, 'model.safetensors'), sd)
        with open(os.path.join(folder, 'config.json'), 'w') as f:
            json.dump(cfg, f, indent=2)
        torch.save(sd_module.state_dict(), os.path.join(folder, 'torch_state.pt'))
    for b in needed:
        x = torch.randn(b, 3, 224, 224)
        with torch.no_grad():
            torch.onnx.export(fwd, (x,), os.path.join(folder, f'model_b{b}.onnx'), input_names=['input'],
                              output_names=['logits'], opset_version=14, do_constant_folding=True)
    with open(stamp, 'w') as f:
        json.dump(want, f)
    params = sum(p.numel() for p in sd_module.parameters())
    print(f'{name}: {params / 1e6:.1f} M parameters exported to {folder} (batches {needed}) '
          f'in {time.time() - t0:.0f} s', flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out_dir')
    ap.add_argument('--models', required=True)
    ap.add_argument('--batches', default='1,8')
    a = ap.parse_args()
    batches = [int(b) for b in a.batches.split(',')]
    for name in a.models.split(','):
        export(a.out_dir, name, batches)


if __name__ == '__main__':
    main()
